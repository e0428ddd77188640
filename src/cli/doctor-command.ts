import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { formatResult, runDoctor, type DoctorOptions } from '../config/doctor.js';

/** Runs the checks and writes one line each; returns the exit code (1 when any check failed). */
export async function doctor(file: string, write: (line: string) => void, options: DoctorOptions = {}): Promise<number> {
  const results = await runDoctor(file, options);
  for (const r of results) write(formatResult(r));
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  write(failed > 0 ? `${failed} check(s) failed, ${warned} warning(s)` : `all checks passed${warned > 0 ? `, ${warned} warning(s)` : ''}`);
  return failed > 0 ? 1 : 0;
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100 || n > 120_000) throw new InvalidArgumentError('expected milliseconds between 100 and 120000');
  return n;
}

/** `vigil doctor [--config vigil.yaml]`: is this installation ready to run `vigil serve`? */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check vigil.yaml, the stores, data freshness, sources and notification channels')
    .option('--config <file>', 'configuration file', 'vigil.yaml')
    .option('--timeout <ms>', 'time allowed for each network check', parseTimeout, 5000)
    .action(async (flags: { config: string; timeout: number }) => {
      process.exitCode = await doctor(flags.config, (line) => process.stdout.write(`${line}\n`), { timeoutMs: flags.timeout });
    });
}
