import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthEvent } from '../core/types.js';
import { KeyedMinHeap } from './heap.js';
import { LineSplitter } from './lines.js';

export interface OrderOptions {
  /** how far back in time an event may arrive in a mostly-sorted stream and still be put in place */
  latenessMs: number;
  /** where sorted runs are spilled; os.tmpdir() by default */
  tmpDir?: string;
  /** events per sorted run held in memory before spilling (default 200,000) */
  runSize?: number;
  /** events looked at to decide whether a stream is already in time order (default 2,000) */
  peekSize?: number;
  /** streams read live through a reorder buffer at once; the others are sorted to disk (default 32) */
  maxLiveStreams?: number;
  /** `late` counts events emitted after a later one (IngestStats fits here) */
  stats?: { late?: number };
}

const DEFAULT_RUN_SIZE = 200_000;
const DEFAULT_PEEK = 2_000;
const DEFAULT_LIVE = 32;
const WRITE_BATCH_CHARS = 1 << 20;
/** spilled lines are our own JSON; this only guards against a runaway field */
const MAX_SPILL_LINE = 256 * 1024 * 1024;

/** State shared by the per-stream sorters of one orderedEvents call. */
class Shared {
  liveSlots: number;
  /** events that may still be held in memory as unspilled single runs */
  memoryBudget: number;
  private dir: Promise<string> | undefined;
  private runCounter = 0;

  constructor(
    readonly opts: OrderOptions,
    readonly runSize: number,
  ) {
    this.liveSlots = opts.maxLiveStreams ?? DEFAULT_LIVE;
    this.memoryBudget = runSize;
  }

  late(): void {
    if (this.opts.stats) this.opts.stats.late = (this.opts.stats.late ?? 0) + 1;
  }

  async runPath(): Promise<string> {
    this.dir ??= mkdtemp(join(this.opts.tmpDir ?? tmpdir(), 'vigil-sort-'));
    return join(await this.dir, `run-${this.runCounter++}.ndjson`);
  }

  async cleanup(): Promise<void> {
    if (this.dir === undefined) return;
    const dir = await this.dir.catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

/** Sort key: the event time; a missing or invalid time (a parser bug) sorts first instead of breaking the heaps. */
function keyOf(ev: AuthEvent): number {
  const t = ev.time;
  return typeof t === 'number' && Number.isFinite(t) ? t : -Number.MAX_VALUE;
}

function byTime(a: AuthEvent, b: AuthEvent): number {
  return keyOf(a) - keyOf(b);
}

async function writeRun(shared: Shared, run: AuthEvent[]): Promise<string> {
  run.sort(byTime); // stable: equal times keep file order
  const path = await shared.runPath();
  const fh = await open(path, 'w');
  try {
    let buf = '';
    for (const ev of run) {
      buf += JSON.stringify(ev) + '\n';
      if (buf.length >= WRITE_BATCH_CHARS) {
        await fh.write(buf);
        buf = '';
      }
    }
    if (buf.length > 0) await fh.write(buf);
  } finally {
    await fh.close();
  }
  return path;
}

async function* readRun(path: string): AsyncGenerator<AuthEvent> {
  let queue: AuthEvent[] = [];
  const splitter = new LineSplitter(
    MAX_SPILL_LINE,
    (text) => {
      if (text.length > 0) queue.push(JSON.parse(text) as AuthEvent);
    },
    () => undefined,
  );
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      const out = queue;
      queue = [];
      yield* out;
    }
    splitter.end();
    yield* queue;
  } finally {
    stream.destroy();
    await unlink(path).catch(() => undefined);
  }
}

/** k-way merge of time-sorted iterators; equal times come out in source index order. */
async function* mergeSorted(sources: AsyncIterator<AuthEvent>[]): AsyncGenerator<AuthEvent> {
  const heap = new KeyedMinHeap<number>();
  const current: (AuthEvent | undefined)[] = new Array<AuthEvent | undefined>(sources.length);
  try {
    for (let i = 0; i < sources.length; i++) {
      const r = await (sources[i] as AsyncIterator<AuthEvent>).next();
      if (r.done !== true) {
        current[i] = r.value;
        heap.push(i, keyOf(r.value), i);
      }
    }
    while (heap.size > 0) {
      const i = heap.pop() as number;
      yield current[i] as AuthEvent;
      const r = await (sources[i] as AsyncIterator<AuthEvent>).next();
      if (r.done === true) current[i] = undefined;
      else {
        current[i] = r.value;
        heap.push(i, keyOf(r.value), i);
      }
    }
  } finally {
    for (const s of sources) await s.return?.(undefined);
  }
}

/**
 * A mostly-sorted stream through a min-heap `latenessMs` wide: an event is released once an event
 * later by more than latenessMs has been seen. Events older than one already released are still
 * emitted (at once) and counted as late; nothing is dropped.
 */
async function* reorder(head: AuthEvent[], rest: AsyncIterator<AuthEvent>, shared: Shared): AsyncGenerator<AuthEvent> {
  const lateness = shared.opts.latenessMs;
  const heap = new KeyedMinHeap<AuthEvent>();
  let seq = 0;
  let maxSeen = -Infinity;
  let lastOut = -Infinity;
  const out: AuthEvent[] = [];
  const feed = (ev: AuthEvent): void => {
    const t = keyOf(ev);
    if (t < lastOut) shared.late();
    heap.push(ev, t, seq++);
    if (t > maxSeen) maxSeen = t;
    const watermark = maxSeen - lateness;
    while (heap.size > 0 && (heap.peekKey() as number) <= watermark) {
      const k = heap.peekKey() as number;
      out.push(heap.pop() as AuthEvent);
      if (k > lastOut) lastOut = k;
    }
  };
  for (const ev of head) feed(ev);
  head.length = 0;
  yield* out.splice(0);
  for (;;) {
    const r = await rest.next();
    if (r.done === true) break;
    feed(r.value);
    if (out.length > 0) yield* out.splice(0);
  }
  while (heap.size > 0) yield heap.pop() as AuthEvent;
}

/** An unsorted stream: sorted runs of runSize events spilled to disk, then merged. */
async function* externalSort(head: AuthEvent[], rest: AsyncIterator<AuthEvent>, shared: Shared): AsyncGenerator<AuthEvent> {
  const paths: string[] = [];
  let run = head;
  try {
    for (;;) {
      const r = await rest.next();
      if (r.done === true) break;
      run.push(r.value);
      if (run.length >= shared.runSize) {
        paths.push(await writeRun(shared, run));
        run = [];
      }
    }
    if (paths.length === 0 && run.length <= shared.memoryBudget) {
      // fits in memory within the budget shared by all streams
      shared.memoryBudget -= run.length;
      const held = run.length;
      try {
        run.sort(byTime);
        yield* run;
      } finally {
        shared.memoryBudget += held;
      }
      return;
    }
    if (run.length > 0) paths.push(await writeRun(shared, run));
    run = [];
    yield* mergeSorted(paths.map((p) => readRun(p)));
  } finally {
    for (const p of paths) await unlink(p).catch(() => undefined);
  }
}

async function* orderOne(stream: AsyncIterable<AuthEvent>, shared: Shared): AsyncGenerator<AuthEvent> {
  const it = stream[Symbol.asyncIterator]();
  try {
    const peekSize = shared.opts.peekSize ?? DEFAULT_PEEK;
    const lateness = shared.opts.latenessMs;
    const head: AuthEvent[] = [];
    let maxSeen = -Infinity;
    let sorted = true;
    let ended = false;
    while (head.length < peekSize) {
      const r = await it.next();
      if (r.done === true) {
        ended = true;
        break;
      }
      const t = keyOf(r.value);
      head.push(r.value);
      if (t < maxSeen - lateness) {
        sorted = false;
        break;
      }
      if (t > maxSeen) maxSeen = t;
    }
    if (ended) {
      head.sort(byTime);
      yield* head;
      return;
    }
    if (sorted && shared.liveSlots > 0) {
      shared.liveSlots--;
      try {
        yield* reorder(head, it, shared);
      } finally {
        shared.liveSlots++;
      }
      return;
    }
    yield* externalSort(head, it, shared);
  } finally {
    await it.return?.(undefined);
  }
}

/**
 * All events of all streams in non-decreasing event time (except events that arrive later than
 * latenessMs in a stream that looked sorted: emitted anyway, counted in stats.late). Streams that
 * are in order pass through a small reorder buffer; descending or shuffled ones (newest-first
 * exports) are sorted on disk in bounded memory. Equal times keep stream order, then file order,
 * so the same input always gives the same sequence. Temp files are removed at the end, on error,
 * and when the consumer stops early.
 */
export async function* orderedEvents(streams: AsyncIterable<AuthEvent>[], opts: OrderOptions): AsyncGenerator<AuthEvent> {
  const shared = new Shared(opts, Math.max(1, opts.runSize ?? DEFAULT_RUN_SIZE));
  try {
    yield* mergeSorted(streams.map((s) => orderOne(s, shared)));
  } finally {
    await shared.cleanup();
  }
}
