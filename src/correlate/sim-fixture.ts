/** Test helper: a simulated 40-organization world with one APT28-like spray and unrelated attacks, scanned. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../core/types.js';
import { runScan } from '../pipeline/scan.js';
import { runSimulation, type Truth } from '../simulate/index.js';
import type { SimOptions } from '../simulate/engine.js';
import { parseScenario } from '../simulate/scenario.js';
import { ipInfoCollector } from './ip-info.js';
import type { IpInfo } from './types.js';

export interface SimWorld {
  alerts: Alert[];
  info: IpInfo;
  truth: Truth;
  /** any tenant string the scan may report → the simulated organization's name */
  orgOf(tenant: string): string | undefined;
  /** truth campaign id whose attacker addresses include every source address of the alert, if one */
  truthOf(a: Alert): string | undefined;
}

/**
 * The world both correlation tests use: APT28-style spray of 40 organizations from 1,100
 * addresses, plus an unrelated brute force and an MFA flood, over three days.
 */
export function sprayWorldOptions(): SimOptions {
  return {
    seed: 'corr',
    start: Date.parse('2024-03-04T00:00:00Z'),
    days: 3,
    orgs: 40,
    usersMin: 20,
    usersMax: 60,
    scenario: parseScenario({
      campaigns: [
        { id: 'apt28', kind: 'distributed_spray', actor: 'APT28', startHour: 4, durationHours: 60, orgs: 'all', poolSize: 1100 },
        { id: 'brute-1', kind: 'brute_force', startHour: 20, durationHours: 4, attemptsPerHour: 100, ipsPerHour: 20 },
        { id: 'mfa-1', kind: 'mfa_fatigue', startHour: 30, durationHours: 1 },
      ],
    }),
  };
}

export async function scanSimWorld(): Promise<SimWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-corr-'));
  try {
    const { truth } = runSimulation(
      sprayWorldOptions(),
      dir,
    );
    const collector = ipInfoCollector();
    const summary = await runScan({
      paths: [dir],
      enrichment: { torExits: [join(dir, 'tor-exits.txt')], bundledCacheDir: false },
      onEvent: collector.onEvent,
    });
    const aliases = new Map<string, string>();
    for (const o of truth.orgs) for (const t of o.tenantAliases) aliases.set(t.toLowerCase(), o.name);
    const sets = truth.campaigns.map((c) => [c.id, new Set(c.attackerIps)] as const);
    return {
      alerts: summary.alerts,
      info: collector.info,
      truth,
      orgOf: (t) => aliases.get(t.toLowerCase()),
      truthOf: (a) => (a.sourceIps.length === 0 ? undefined : sets.find(([, s]) => a.sourceIps.every((ip) => s.has(ip)))?.[0]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
