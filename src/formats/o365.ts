import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const o365Parser: FormatParser = {
  id: 'o365',
  name: 'Office 365 Management Activity (AzureActiveDirectoryStsLogon)',
  framings: ['json', 'csv'],
  detect: () => 0,
  parse: () => [],
};
