import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const windowsParser: FormatParser = {
  id: 'windows',
  name: 'Windows Security 4624/4625/4771/4776',
  framings: ['json'],
  detect: () => 0,
  parse: () => [],
};
