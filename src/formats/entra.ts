import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const entraParser: FormatParser = {
  id: 'entra',
  name: 'Microsoft Entra ID sign-ins',
  framings: ['json', 'csv'],
  detect: () => 0,
  parse: () => [],
};
