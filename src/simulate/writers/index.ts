import type { SimFormat } from '../model.js';
import { entraWriter } from './entra.js';
import { gwsWriter } from './gws.js';
import { o365Writer } from './o365.js';
import { oktaWriter } from './okta.js';
import { sshdWriter } from './sshd.js';
import type { LogWriter } from './types.js';
import { windowsWriter } from './windows.js';

export type { LogWriter } from './types.js';

export const WRITERS: Record<SimFormat, LogWriter> = {
  entra: entraWriter,
  o365: o365Writer,
  okta: oktaWriter,
  gws: gwsWriter,
  windows: windowsWriter,
  sshd: sshdWriter,
};
