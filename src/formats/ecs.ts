import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const ecsParser: FormatParser = {
  id: 'ecs',
  name: 'Elastic Common Schema authentication',
  framings: ['json'],
  detect: () => 0,
  parse: () => [],
};
