import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuthEvent } from '../core/types.js';
import { DetectionEngine } from './engine.js';
import { defaultDetectors } from './registry.js';
import { ENGINE_SNAPSHOT_VERSION, SnapshotError, readSnapshot, restoreEngine, snapshotEngine, snapshotVersion } from './snapshot.js';
import { isCredentialSuccess, isGuessFailure, accountKey } from './classify.js';
import { attackWorld, WORLD_START } from '../../test/support/attack-world.js';
import { DAY, HOUR, MIN, T0, fail, rng } from '../../test/support/events.js';

/** the serve loop drains changed alerts after each batch; here after every this many events */
const DRAIN_EVERY = 997;

interface RunResult {
  /** what each drain returned, in order */
  drains: Alert[][];
  /** every alert at the end */
  final: Alert[];
}

let world: AuthEvent[];
let straight: RunResult;

function feed(engine: DetectionEngine, from: number, to: number, drains: Alert[][]): void {
  for (let i = from; i < to; i++) {
    engine.process(world[i]!);
    if ((i + 1) % DRAIN_EVERY === 0) drains.push(engine.drainChanged());
  }
}

function finish(engine: DetectionEngine, drains: Alert[][]): RunResult {
  const final = engine.finish();
  drains.push(engine.drainChanged());
  return { drains, final };
}

/**
 * One run over the world, restarted from a snapshot (through bytes) at each cut. With `checkState`,
 * the restored engine's own snapshot must hold the same state as the one it came from.
 */
function runWithRestarts(cuts: readonly number[], checkState = false): RunResult {
  let engine = new DetectionEngine();
  const drains: Alert[][] = [];
  let pos = 0;
  for (const cut of cuts) {
    feed(engine, pos, cut, drains);
    pos = cut;
    const bytes = snapshotEngine(engine);
    engine = restoreEngine(bytes);
    if (checkState) expect(readSnapshot(snapshotEngine(engine)), `state after a restart at event ${cut}`).toStrictEqual(readSnapshot(bytes));
  }
  feed(engine, pos, world.length, drains);
  return finish(engine, drains);
}

/** An engine that has processed the world up to `cut`, draining as the serve loop does. */
function engineAt(cut: number): DetectionEngine {
  const engine = new DetectionEngine();
  feed(engine, 0, cut, []);
  return engine;
}

function alertOf(kind: Alert['kind'], tenant?: string): Alert {
  const a = straight.final.find((x) => x.kind === kind && (tenant === undefined || x.tenant === tenant));
  if (!a) throw new Error(`the world raised no ${kind} alert`);
  return a;
}

/** first index whose event is at or after `time` */
function indexAt(time: number): number {
  const i = world.findIndex((e) => e.time >= time);
  return i < 0 ? world.length : i;
}

beforeAll(async () => {
  world = await attackWorld();
  const engine = new DetectionEngine();
  const drains: Alert[][] = [];
  feed(engine, 0, world.length, drains);
  straight = finish(engine, drains);
});

describe('engine snapshots', () => {
  it('the world raises every kind of alert (so every detector has state to carry)', () => {
    const kinds = new Set(straight.final.map((a) => a.kind));
    for (const k of ['distributed_spray', 'brute_force', 'password_spray', 'credential_stuffing', 'compromise', 'mfa_fatigue', 'legacy_auth',
      'impossible_travel', 'anonymizer_signin', 'unfamiliar_signin', 'intel_match', 'provider_warning'] as const) {
      expect(kinds, k).toContain(k);
    }
  });

  it('a restart in the middle of a rotating spray, before it is detected, still detects it with the same alert', () => {
    const spray = alertOf('distributed_spray');
    // the rotation has begun (its first failures are in the windows) but not yet reached a threshold
    const cut = indexAt(spray.firstSeen + 10 * MIN);
    expect(world[cut]!.time).toBeLessThan(spray.detectedAt!);
    expect(runWithRestarts([cut])).toEqual(straight);
  });

  it('a restart while the spray alert is open extends that alert, not a new one', () => {
    const spray = alertOf('distributed_spray');
    const cut = indexAt(spray.detectedAt! + 6 * HOUR) + 123;
    expect(world[cut]!.time).toBeLessThan(spray.lastSeen);
    const after = runWithRestarts([cut]);
    expect(after.final.filter((a) => a.kind === 'distributed_spray').map((a) => a.id)).toEqual(
      straight.final.filter((a) => a.kind === 'distributed_spray').map((a) => a.id),
    );
    expect(after).toEqual(straight);
  });

  it('a restart with failures pending, one of them already resolved by a success (a typo), judges them the same', () => {
    // a success that resolves a failure of the same account seconds to minutes before it
    const lastFailure = new Map<string, number>();
    let cut = -1;
    for (let i = 0; i < world.length && cut < 0; i++) {
      const e = world[i]!;
      const key = accountKey(e);
      if (isGuessFailure(e)) lastFailure.set(key, e.time);
      else if (isCredentialSuccess(e) && e.time - (lastFailure.get(key) ?? -Infinity) < 10 * MIN && e.time > WORLD_START + 30 * HOUR) cut = i + 1;
    }
    expect(cut).toBeGreaterThan(0);
    const engine = engineAt(cut);
    expect(engine.pendingFailures).toBeGreaterThan(0);
    const bytes = snapshotEngine(engine);
    // restoring and snapshotting again gives the same state: nothing is lost or reordered
    expect(readSnapshot(snapshotEngine(restoreEngine(bytes)))).toStrictEqual(readSnapshot(bytes));
    expect(runWithRestarts([cut])).toEqual(straight);
  });

  it('alerts changed and not yet drained at the restart are drained after it', () => {
    const spray = alertOf('distributed_spray');
    const cut = indexAt(spray.detectedAt!) + 50;
    const before = engineAt(cut);
    const after = restoreEngine(snapshotEngine(before));
    const pending = before.drainChanged();
    expect(pending.length).toBeGreaterThan(0);
    expect(after.drainChanged()).toEqual(pending);
  });

  it('restarting again and again (every ~4,000 events and at both ends) keeps the whole state and gives the same alerts as one run', () => {
    const cuts = [0];
    for (let c = 3_989; c < world.length; c += 3_989) cuts.push(c);
    cuts.push(world.length);
    expect(runWithRestarts(cuts, true)).toEqual(straight);
  });

  it('taking snapshots does not change the engine', () => {
    const engine = new DetectionEngine();
    const drains: Alert[][] = [];
    for (let c = 0; c < world.length; c += 7_001) {
      feed(engine, c, Math.min(world.length, c + 7_001), drains);
      snapshotEngine(engine);
    }
    expect(finish(engine, drains)).toEqual(straight);
  });

  it('an empty engine round-trips', () => {
    const bytes = snapshotEngine(new DetectionEngine());
    expect(snapshotVersion(bytes)).toBe(ENGINE_SNAPSHOT_VERSION);
    const engine = restoreEngine(bytes);
    expect(engine.events).toBe(0);
    expect(engine.finish()).toEqual([]);
  });
});

describe('a snapshot that cannot be used is refused with a clear error', () => {
  let good: Buffer;
  beforeAll(() => {
    good = snapshotEngine(engineAt(Math.floor(world.length / 2)));
  });

  function refused(bytes: Uint8Array, opts?: Parameters<typeof restoreEngine>[1]): string {
    try {
      restoreEngine(bytes, opts);
    } catch (err) {
      expect(err).toBeInstanceOf(SnapshotError);
      return (err as Error).message;
    }
    throw new Error('the snapshot was accepted');
  }

  it('truncated', () => {
    expect(refused(good.subarray(0, good.length - 1000))).toMatch(/truncated/);
    expect(refused(good.subarray(0, 20))).toMatch(/truncated/);
    expect(refused(good.subarray(0, 0))).toMatch(/not a detection snapshot/);
  });

  it('damaged', () => {
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 0x40;
    expect(refused(bad)).toMatch(/damaged/);
  });

  it('something else entirely', () => {
    expect(refused(Buffer.from('{"not":"a snapshot"}'))).toMatch(/not a detection snapshot/);
  });

  it('written by another version', () => {
    const other = Buffer.from(good);
    other.writeUInt32BE(ENGINE_SNAPSHOT_VERSION + 1, 8);
    expect(refused(other)).toMatch(new RegExp(`version ${ENGINE_SNAPSHOT_VERSION + 1} is not the version`));
  });

  it('taken with other limits or other detectors', () => {
    expect(refused(good, { limits: { maxIps: 1000 } })).toMatch(/address limit differs/);
    expect(refused(good, { resolveDelayMs: 5 * MIN })).toMatch(/resolution delay differs/);
    expect(refused(good, { detectors: defaultDetectors().slice(1) })).toMatch(/detectors differs/);
  });

  it('state that is not plain data (an event carrying a function) cannot be written, and says so', () => {
    const engine = new DetectionEngine();
    const odd = { ...fail({ user: 'someone@org.example', time: WORLD_START }), parsedBy: () => 'not data' } as AuthEvent;
    engine.process(odd);
    expect(() => snapshotEngine(engine)).toThrow(SnapshotError);
    expect(() => snapshotEngine(engine)).toThrow(/cannot be written/);
  });

  it('after a refusal the good snapshot still restores and goes on like the original', () => {
    refused(good.subarray(0, 100));
    const cut = Math.floor(world.length / 2);
    const engine = restoreEngine(good);
    expect(engine.events).toBe(cut);
    const drains: Alert[][] = [];
    // the straight run drained at the same points before the cut; continue its schedule
    feed(engine, cut, world.length, drains);
    expect(engine.finish()).toEqual(straight.final);
  });
});

/**
 * Size and speed of a snapshot of a busy engine. Not run by default (minutes):
 * VIGIL_SNAPSHOT_BENCH=1 npx vitest run src/detect/snapshot.test.ts -t million
 */
describe.runIf(process.env.VIGIL_SNAPSHOT_BENCH)('measure', () => {
  /**
   * Best of three, wall clock and this process's CPU time (the machine may be shared). The engine
   * is dropped before restoring, as in a restarted process.
   */
  function measure(what: string, build: () => DetectionEngine): void {
    const best = { snapWall: Infinity, snapCpu: Infinity, restoreWall: Infinity, restoreCpu: Infinity };
    const timed = (run: () => void, wall: 'snapWall' | 'restoreWall', cpu: 'snapCpu' | 'restoreCpu'): void => {
      const c = process.cpuUsage();
      const t = performance.now();
      run();
      best[wall] = Math.min(best[wall], performance.now() - t);
      best[cpu] = Math.min(best[cpu], cpuMs(process.cpuUsage(c)));
    };
    let bytes: Buffer = Buffer.alloc(0);
    let events = 0;
    {
      const engine = build();
      events = engine.events;
      for (let k = 0; k < 3; k++) timed(() => (bytes = snapshotEngine(engine)), 'snapWall', 'snapCpu');
    }
    for (let k = 0; k < 3; k++) timed(() => expect(restoreEngine(bytes).events).toBe(events), 'restoreWall', 'restoreCpu');
    const state = readSnapshot(bytes);
    const ms = (n: number): string => `${n.toFixed(0)} ms`;
    console.log(
      `${what}: ${events} events; snapshot ${(bytes.length / 1e6).toFixed(1)} MB in ${ms(best.snapWall)} (cpu ${ms(best.snapCpu)}), ` +
        `restore ${ms(best.restoreWall)} (cpu ${ms(best.restoreCpu)}); ` +
        `${state.ctx.ips.keys.length} addresses, ${state.ctx.accounts.keys.length} accounts, ${state.ctx.alerts.episodes.length} alerts`,
    );
  }

  it('a million simulated events (the default scenario over 60 organizations, replayed fortnight after fortnight)', async () => {
    const { simulatedEvents } = await import('../../test/support/attack-world.js');
    const events = await simulatedEvents(14, 60);
    measure('simulated', () => {
      const engine = new DetectionEngine();
      for (let n = 0, round = 0; n < 1_000_000; round++) {
        for (const e of events) {
          if (n++ >= 1_000_000) break;
          engine.process(round === 0 ? e : { ...e, time: e.time + round * 15 * DAY });
        }
      }
      return engine;
    });
  });

  it('a million events of 100,000 people in 50 organizations under internet-wide guessing from 300,000 addresses (caps reached)', () => {
    const r = rng(5);
    measure('large', () => {
      const engine = new DetectionEngine();
      const n = 1_000_000;
      const ipOf = (a: number): string => `${20 + (a >> 16)}.${(a >> 8) & 255}.${a & 255}.9`;
      for (let i = 0; i < n; i++) {
        const org = Math.floor(r() * 50);
        const tenant = `org${org}.example`;
        const u = Math.floor(r() * 2000);
        const user = `u${u}@${tenant}`;
        const time = T0 + Math.floor((i / n) * 10 * DAY);
        if (r() < 0.28) {
          // one of 300,000 guessing addresses, a few tries each, on any account
          const a = 200_000 + Math.floor(r() * 300_000);
          engine.process({ time, tenant, user, srcIp: ipOf(a), outcome: 'failure', reason: 'bad_password', asn: 65_000 + (a % 900), geo: { country: 'CN' }, source: 'test', ref: `r${i}` });
          continue;
        }
        // the person, from home (their own address) or the office NAT of the organization
        const home = r() < 0.4;
        const a = home ? org * 2000 + u : 150_000 + org;
        const e: AuthEvent = { time, tenant, user, srcIp: ipOf(a), outcome: 'success', asn: home ? 64_000 + (u % 40) : 63_000 + org, geo: { country: 'US' }, userAgent: `UA-${u % 30}`, source: 'test', ref: `r${i}` };
        if (r() < 0.03) engine.process({ ...e, time: time - 1, outcome: 'failure', reason: 'bad_password', ref: `t${i}` });
        engine.process(e);
      }
      return engine;
    });
  });

  it('a million events from random networks (every sign-in looks like travel: the alert book at its largest)', () => {
    const r = rng(5);
    measure('random', () => {
      const engine = new DetectionEngine();
      const n = 1_000_000;
      for (let i = 0; i < n; i++) {
        const tenant = `org${Math.floor(r() * 50)}.example`;
        const a = Math.floor(r() * 300_000);
        const ok = r() < 0.8;
        engine.process({
          time: T0 + Math.floor((i / n) * 10 * DAY),
          tenant,
          user: `u${Math.floor(r() * 2000)}@${tenant}`,
          srcIp: `${10 + (a >> 16)}.${(a >> 8) & 255}.${a & 255}.7`,
          outcome: ok ? 'success' : 'failure',
          ...(ok ? {} : { reason: 'bad_password' as const }),
          asn: 64_000 + (a % 500),
          geo: { country: ['US', 'DE', 'FR', 'GB'][a % 4]! },
          userAgent: `UA-${a % 30}`,
          source: 'test',
          ref: `r${i}`,
        });
      }
      return engine;
    });
  });
});

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}
