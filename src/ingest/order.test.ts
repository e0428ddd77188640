import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthEvent } from '../core/types.js';
import { EVENT_BATCHES, type EventStream } from './batches.js';
import { orderedEvents, type OrderOptions } from './order.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-order-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ev(time: number, ref: string): AuthEvent {
  return { time, tenant: 't', user: 'u', srcIp: '192.0.2.1', outcome: 'failure', source: 'test', ref };
}

async function* stream(events: AuthEvent[]): AsyncGenerator<AuthEvent> {
  for (const e of events) yield e;
}

async function collect(streams: AuthEvent[][], opts: OrderOptions): Promise<AuthEvent[]> {
  const out: AuthEvent[] = [];
  for await (const e of orderedEvents(streams.map(stream), opts)) out.push(e);
  return out;
}

function isSorted(events: AuthEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if ((events[i] as AuthEvent).time < (events[i - 1] as AuthEvent).time) return false;
  return true;
}

function freshDir(name: string): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  return mkdtempSync(`${dir}-`);
}

describe('orderedEvents', () => {
  it('merges two ascending files into one time-sorted sequence', async () => {
    const a = [0, 10, 20, 30, 40].map((t) => ev(t, `a:${t}`));
    const b = [5, 15, 25, 35].map((t) => ev(t, `b:${t}`));
    const out = await collect([a, b], { latenessMs: 0 });
    expect(out.map((e) => e.ref)).toEqual(['a:0', 'b:5', 'a:10', 'b:15', 'a:20', 'b:25', 'a:30', 'b:35', 'a:40']);
  });

  it('sorts a newest-first file by spilling small runs to disk, and removes the temp files', async () => {
    const dir = freshDir('desc');
    const desc = Array.from({ length: 50 }, (_, i) => ev((50 - i) * 1000, `d${i}`));
    const stats = { late: 0 };
    const out = await collect([desc], { latenessMs: 1000, tmpDir: dir, runSize: 7, peekSize: 5, stats });
    expect(out.map((e) => e.time)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 1000));
    expect(out[0]?.ref).toBe('d49');
    expect(stats.late).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('puts shuffled events back in order when they arrive within the lateness window', async () => {
    const times = [100, 90, 120, 110, 105, 130, 125, 140];
    const stats = { late: 0 };
    const out = await collect([times.map((t) => ev(t, String(t)))], { latenessMs: 30, peekSize: 3, stats });
    expect(out.map((e) => e.time)).toEqual([...times].sort((x, y) => x - y));
    expect(stats.late).toBe(0);
  });

  it('emits an event later than the window anyway and counts it as late', async () => {
    // ascending in the peek, so it goes through the reorder buffer; 5 arrives after 100+ were released
    const times = [10, 20, 30, 40, 50, 100, 110, 5, 120];
    const stats = { late: 0 };
    const out = await collect([times.map((t) => ev(t, String(t)))], { latenessMs: 15, peekSize: 4, stats });
    expect(out).toHaveLength(times.length);
    expect(out.map((e) => e.time).sort((x, y) => x - y)).toEqual([...times].sort((x, y) => x - y));
    expect(stats.late).toBe(1);
  });

  it('breaks ties by stream index, then file order, the same way every run and on every path', async () => {
    const mk = (tag: string) => [ev(1, `${tag}1`), ev(1, `${tag}2`), ev(2, `${tag}3`), ev(2, `${tag}4`)];
    const desc = (tag: string) => [ev(3, `${tag}0`), ...mk(tag)];
    for (const opts of [
      { latenessMs: 0 },
      { latenessMs: 0, runSize: 2, peekSize: 2, tmpDir: freshDir('ties') },
      { latenessMs: 0, maxLiveStreams: 0, runSize: 3, tmpDir: freshDir('ties-live0') },
    ]) {
      const out = await collect([desc('x'), mk('y')], opts);
      expect(out.map((e) => e.ref)).toEqual(['x1', 'x2', 'y1', 'y2', 'x3', 'x4', 'y3', 'y4', 'x0']);
    }
  });

  it('handles many streams, mixed directions, and keeps every event', async () => {
    const streams: AuthEvent[][] = [];
    let n = 0;
    for (let s = 0; s < 40; s++) {
      const len = 50 + s * 7;
      // a fixed pseudo-random permutation (LCG), then sorted one way or the other for 2 of 3 streams
      let seed = s + 1;
      const times = Array.from({ length: len }, () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % 1000;
      });
      if (s % 3 === 0) times.sort((x, y) => y - x);
      else if (s % 3 === 1) times.sort((x, y) => x - y);
      streams.push(times.map((t) => ev(t, `${s}:${n++}`)));
    }
    const dir = freshDir('many');
    const stats = { late: 0 };
    const out = await collect(streams, { latenessMs: 50, runSize: 64, peekSize: 20, maxLiveStreams: 8, tmpDir: dir, stats });
    expect(stats.late).toBe(0);
    expect(out).toHaveLength(n);
    expect(new Set(out.map((e) => e.ref)).size).toBe(n);
    expect(isSorted(out)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes spilled runs when the consumer stops early', async () => {
    const dir = freshDir('early');
    const desc = Array.from({ length: 100 }, (_, i) => ev(100 - i, String(i)));
    const it = orderedEvents([stream(desc)], { latenessMs: 0, runSize: 10, peekSize: 2, tmpDir: dir });
    for await (const e of it) {
      expect(e.time).toBe(1);
      break;
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('round-trips every event field through the spill files', async () => {
    const full: AuthEvent = {
      ...ev(5, 'full'),
      reason: 'bad_password',
      credentialValid: false,
      code: '50126',
      geo: { country: 'FR', city: 'Paris', lat: 48.8, lon: 2.3 },
      asn: 64500,
      intel: ['list-a'],
      userAgent: 'ua "quoted" \n newline',
    };
    // the peek (2 events) sees time going down, so the stream is sorted on disk, one event per run
    const out = await collect([[ev(9, 'a'), full, ev(1, 'b')]], { latenessMs: 0, runSize: 1, peekSize: 2, tmpDir: freshDir('fields') });
    expect(out.map((e) => e.ref)).toEqual(['b', 'full', 'a']);
    expect(out[1]).toEqual(full);
  });
});

/** A stream that offers its events in the given batches, as readEvents does. */
function batched(batches: AuthEvent[][]): AsyncIterable<AuthEvent> {
  async function* gen(): AsyncGenerator<AuthEvent[]> {
    for (const b of batches) yield b;
  }
  const s = stream(batches.flat()) as EventStream;
  s[EVENT_BATCHES] = gen();
  return s;
}

describe('orderedEvents on batched streams', () => {
  it('merges batches cut anywhere into the same order as single events: time, then stream, then file order', async () => {
    const a = [ev(1, 'a1'), ev(3, 'a3'), ev(3, 'a3b'), ev(7, 'a7'), ev(9, 'a9')];
    const b = [ev(0, 'b0'), ev(3, 'b3'), ev(8, 'b8')];
    const c = [ev(3, 'c3'), ev(4, 'c4'), ev(4, 'c4b'), ev(10, 'c10')];
    const want = ['b0', 'a1', 'a3', 'a3b', 'b3', 'c3', 'c4', 'c4b', 'a7', 'b8', 'a9', 'c10'];
    for (const cut of [1, 2, 3, 5]) {
      const chunks = (xs: AuthEvent[]): AuthEvent[][] => Array.from({ length: Math.ceil(xs.length / cut) }, (_, i) => xs.slice(i * cut, i * cut + cut));
      const out: string[] = [];
      for await (const e of orderedEvents([batched(chunks(a)), batched(chunks(b)), batched(chunks(c))], { latenessMs: 0, peekSize: 2 })) {
        out.push(e.ref as string);
      }
      expect(out, `batches of ${cut}`).toEqual(want);
    }
  });

  it('reorders late events inside a batch and sorts a descending batched stream on disk', async () => {
    const stats = { late: 0 };
    const dir = freshDir('batched');
    const mostly = [ev(10, 'm10'), ev(5, 'm5'), ev(20, 'm20'), ev(15, 'm15'), ev(40, 'm40')];
    // steps of 20 ms: the 2-event peek sees it going back more than latenessMs
    const desc = Array.from({ length: 30 }, (_, i) => ev(600 - i * 20, `d${600 - i * 20}`));
    const out: AuthEvent[] = [];
    const streams = [batched([mostly.slice(0, 3), mostly.slice(3)]), batched([desc.slice(0, 7), desc.slice(7, 8), desc.slice(8)])];
    for await (const e of orderedEvents(streams, { latenessMs: 10, runSize: 4, peekSize: 2, tmpDir: dir, stats })) out.push(e);
    expect(out).toHaveLength(35);
    expect(isSorted(out)).toBe(true);
    // m5 and m15 arrive within 10 ms of a later event: put in place, not late
    expect(stats.late).toBe(0);
    expect(out.filter((e) => e.ref?.startsWith('m')).map((e) => e.ref)).toEqual(['m5', 'm10', 'm15', 'm20', 'm40']);
    expect(readdirSync(dir)).toEqual([]);
  });
});
