import type { FormatParser } from './types.js';
import { entraParser } from './entra.js';
import { o365Parser } from './o365.js';
import { oktaParser } from './okta.js';
import { gwsParser } from './gws.js';
import { windowsParser } from './windows.js';
import { sshdParser } from './sshd.js';
import { ecsParser } from './ecs.js';
import { ocsfParser } from './ocsf.js';

/** Every format Vigil reads. Adding a format: one file in this folder and one line here. */
export const PARSERS: readonly FormatParser[] = [
  entraParser,
  o365Parser,
  oktaParser,
  gwsParser,
  windowsParser,
  ecsParser,
  ocsfParser,
  sshdParser,
];

export function parserById(id: string): FormatParser | undefined {
  return PARSERS.find((p) => p.id === id);
}
