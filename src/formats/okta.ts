import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const oktaParser: FormatParser = {
  id: 'okta',
  name: 'Okta System Log',
  framings: ['json'],
  detect: () => 0,
  parse: () => [],
};
