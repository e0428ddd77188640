import type { FormatParser } from './types.js';

// STUB: replaced by the real parser.
export const sshdParser: FormatParser = {
  id: 'sshd',
  name: 'OpenSSH auth.log / syslog / journald',
  framings: ['text', 'json'],
  detect: () => 0,
  parse: () => [],
};
