#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VigilError } from '../core/errors.js';
import { registerScanCommand } from './scan-command.js';
import { registerAlertsCommand } from './alerts-command.js';
import { registerCampaignsCommand } from './campaigns-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerIntelCommand } from './intel-command.js';
import { registerSimulateCommand } from '../simulate/command.js';
import { registerDoctorCommand } from './doctor-command.js';

const program = new Command();
program
  .name('vigil')
  .description('Finds credential attacks in the sign-in logs you already have, and explains them.')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

registerScanCommand(program);
registerAlertsCommand(program);
registerCampaignsCommand(program);
registerServeCommand(program);
registerIntelCommand(program);
registerSimulateCommand(program);
registerDoctorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other usage problem is 2
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof VigilError) {
    process.stderr.write(`vigil: ${err.location}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`vigil: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 3;
  }
}
