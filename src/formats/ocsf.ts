import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const ocsfParser: FormatParser = {
  id: 'ocsf',
  name: 'OCSF Authentication (3002)',
  framings: ['json'],
  detect: () => 0,
  parse: () => [],
};
