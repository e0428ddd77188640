/**
 * A world with every kind of attack, for tests that must see every detector's state at work
 * (engine snapshots): the simulator's default scenario (a five-day rotating spray over all
 * organizations, brute force, spray, stuffing, MFA fatigue, phishing, legacy spray), written as
 * log files and read back through the scan pipeline, plus hand-made attacks for the detectors the
 * simulator does not reach (impossible travel, anonymizer and unfamiliar sign-ins, provider
 * warnings, intel matches, guess bursts, a leaked password judged again).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthEvent } from '../../src/core/types.js';
import { runScan } from '../../src/pipeline/scan.js';
import { DEFAULT_SCENARIO, runSimulation } from '../../src/simulate/index.js';
import { DAY, HOUR, MIN, ev, fail, officeLife } from './events.js';

/** Monday 2024-02-26 00:00 UTC: the simulated week starts here */
export const WORLD_START = Date.parse('2024-02-26T00:00:00Z');

/** The simulator's default scenario over `days`, parsed and enriched like `vigil scan` does. */
export async function simulatedEvents(days = 6, orgs = 8): Promise<AuthEvent[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-world-'));
  try {
    const sim = runSimulation({ seed: 'attack-world', start: WORLD_START, days, orgs, usersMin: 20, usersMax: 80, scenario: DEFAULT_SCENARIO }, dir);
    const events: AuthEvent[] = [];
    await runScan({
      paths: sim.files.map((f) => join(dir, f)),
      enrichment: { torExits: [join(dir, sim.truth.torExitsFile)] },
      onEvent: (e) => events.push(structuredClone(e)),
    });
    return events;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Hand-made attacks in their own organizations, over the same week. */
export function handMadeAttacks(start = WORLD_START): AuthEvent[] {
  const out: AuthEvent[] = [];
  const office = (tenant: string, seed: number, users = 20): void => {
    out.push(...officeLife({ tenant, users, days: 6, seed, start }));
  };

  // one address spraying 30 accounts, and another guessing 40 account names
  office('ps.example', 101, 40);
  for (let u = 0; u < 30; u++) out.push(fail({ tenant: 'ps.example', user: `user${u}@ps.example`, srcIp: '45.14.0.9', time: start + DAY + 2 * HOUR + u * 40_000 }));
  office('cs.example', 102);
  for (let u = 0; u < 40; u++) out.push(fail({ tenant: 'cs.example', user: `guess${u}@cs.example`, reason: 'unknown_user', srcIp: '45.15.0.9', time: start + DAY + u * 20_000 }));

  // a sign-in from the US, then from Russia half an hour later
  office('it.example', 103, 10);
  out.push(ev({ tenant: 'it.example', user: 'user4@it.example', srcIp: '198.51.100.9', asn: 64501, geo: { country: 'US' }, time: start + 3 * DAY + 19 * HOUR }));
  out.push(ev({ tenant: 'it.example', user: 'user4@it.example', srcIp: '95.1.1.1', asn: 64999, geo: { country: 'RU' }, time: start + 3 * DAY + 19 * HOUR + 30 * MIN }));

  // a Tor sign-in with the person's usual device
  office('tor.example', 104, 10);
  out.push(ev({ tenant: 'tor.example', user: 'user1@tor.example', srcIp: '51.15.77.4', anonymizer: 'tor', userAgent: 'UA-1', time: start + 2 * DAY + 20 * HOUR }));

  // on a Saturday, a network, country and device the account and its organization never used
  office('un.example', 105, 10);
  out.push(ev({ tenant: 'un.example', user: 'user2@un.example', srcIp: '81.2.69.144', asn: 64777, asOrg: 'Far ISP', geo: { country: 'GB' }, userAgent: 'Mozilla/5.0 (X11; Linux)', time: start + 5 * DAY + 12 * HOUR }));

  // the provider's own warning, and attempts from an address on an intel list
  office('pw.example', 106, 10);
  out.push(ev({ tenant: 'pw.example', user: 'user3@pw.example', providerRisk: 'gov_attack_warning', source: 'gws', time: start + 2 * DAY + 9 * HOUR }));
  for (let k = 0; k < 4; k++) out.push(fail({ tenant: 'pw.example', user: `user${k}@pw.example`, srcIp: '45.21.0.7', intel: ['test-list'], time: start + 4 * DAY + 3 * HOUR + k * 7 * MIN }));

  // a burst of guesses within seconds from one address
  office('gb.example', 107, 10);
  for (let k = 0; k < 8; k++) out.push(fail({ tenant: 'gb.example', user: 'user5@gb.example', srcIp: '45.20.0.1', time: start + 2 * DAY + 3 * HOUR + k * 1500 }));

  // a leaked password that worked at the first try, judged again once its address is seen guessing
  office('leak.example', 108);
  const t = start + DAY + 20 * HOUR;
  out.push(ev({ tenant: 'leak.example', user: 'user7@leak.example', srcIp: '109.40.18.237', asn: 3209, time: t }));
  for (let u = 0; u < 12; u++) out.push(fail({ tenant: 'leak.example', user: `gone${u}@leak.example`, reason: 'unknown_user', srcIp: '109.40.18.237', time: t + 2 * HOUR + u * MIN }));

  // push bombing, then the accepted prompt
  office('push.example', 109, 10);
  const p = start + 3 * DAY + 22 * HOUR;
  for (let k = 0; k < 8; k++) out.push(ev({ tenant: 'push.example', user: 'user2@push.example', srcIp: '45.17.0.1', outcome: 'mfa', reason: 'mfa_denied', credentialValid: true, time: p + k * MIN }));
  out.push(ev({ tenant: 'push.example', user: 'user2@push.example', srcIp: '45.17.0.1', time: p + 9 * MIN }));
  return out;
}

/** Both, in one time-ordered stream (ties keep their order, so every run sees the same stream). */
export async function attackWorld(): Promise<AuthEvent[]> {
  const all = [...(await simulatedEvents()), ...handMadeAttacks()];
  return all.map((e, i) => ({ e, i })).sort((a, b) => a.e.time - b.e.time || a.i - b.i).map(({ e }) => e);
}
