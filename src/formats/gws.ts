import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const gwsParser: FormatParser = {
  id: 'gws',
  name: 'Google Workspace login audit',
  framings: ['json'],
  detect: () => 0,
  parse: () => [],
};
