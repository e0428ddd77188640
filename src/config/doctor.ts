/**
 * `vigil doctor`: every check of a vigil.yaml, one result each, in the order of the file. Nothing
 * here prints; every detail is passed through a redactor holding the config's secret values.
 */
import { checkChannel } from './checks/channels.js';
import { checkEnrichment } from './checks/freshness.js';
import { checkSource } from './checks/sources.js';
import { checkServerDb, checkStore } from './checks/store.js';
import { fail, ok, warn, type CheckOptions, type CheckResult } from './checks/types.js';
import { ConfigError, readConfig, type LoadOptions } from './load.js';
import { redactWith, secretsIn } from './secrets.js';
import type { VigilConfig } from './types.js';

export type { CheckResult } from './checks/types.js';

export interface DoctorOptions extends LoadOptions {
  timeoutMs?: number;
  now?: number;
}

/** The checks of an already loaded config. */
export async function checkConfig(config: VigilConfig, options: Partial<CheckOptions> = {}): Promise<CheckResult[]> {
  const opts: CheckOptions = { timeoutMs: options.timeoutMs ?? 5000, now: options.now ?? Date.now() };
  const redact = redactWith(secretsIn(config));
  const policy = { allowPrivate: config.egress.allowPrivate };
  const results: CheckResult[] = [];
  results.push(await checkStore(config.store, opts));
  results.push(checkServerDb(config.server.serverDb));
  results.push(...(await checkEnrichment(config.enrichment, opts)));
  if (config.enrichment.torExits.length === 0) {
    results.push(warn('tor list', 'enrichment.torExits is empty: sign-ins from Tor are flagged only when a geo database says so', 'add a Tor exit list refreshed daily'));
  }
  results.push(...(await Promise.all(config.sources.map((s) => checkSource(s, policy, opts)))));
  results.push(...(await Promise.all((config.notify?.channels ?? []).map((c) => checkChannel(c, policy, opts)))));
  return results.map((r) => ({ ...r, detail: redact(r.detail), ...(r.fix !== undefined ? { fix: redact(r.fix) } : {}) }));
}

/** Loads `file` and checks it; a config that does not load is one failing line per problem. */
export async function runDoctor(file: string, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const warnings: string[] = [];
  let config: VigilConfig;
  try {
    const loaded = readConfig(file, { ...(options.env ? { env: options.env } : {}), onWarning: (w) => warnings.push(w) });
    config = loaded.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      const lines = err.message.split('\n');
      // the hint once, after the last problem
      return lines.map((line, i): CheckResult =>
        i === lines.length - 1 ? fail('config', line, 'correct vigil.yaml (docs/configuration.md); nothing else was checked') : { status: 'fail', check: 'config', detail: line },
      );
    }
    return [fail('config', err instanceof Error ? err.message : String(err), 'give the path of vigil.yaml with --config')];
  }
  const counts = `${config.tenants.length} tenant(s), ${config.sources.length} source(s), ${config.notify?.channels.length ?? 0} channel(s)`;
  const head: CheckResult[] = [ok('config', `${file} is valid: ${counts}`), ...warnings.map((w): CheckResult => ({ status: 'warn', check: 'config', detail: w }))];
  return [...head, ...(await checkConfig(config, { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.now !== undefined ? { now: options.now } : {}) }))];
}

const LABEL: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** `ok   store: SQLite … opens` / `FAIL channel x (smtp): … — fix: …` */
export function formatResult(r: CheckResult): string {
  return `${LABEL[r.status]}  ${r.check}: ${r.detail}${r.fix !== undefined && r.status !== 'ok' ? ` — fix: ${r.fix}` : ''}`;
}
