import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthEvent } from '../core/types.js';
import { KeyedMinHeap } from './heap.js';
import { LineSplitter } from './lines.js';
import { EVENT_BATCHES, type EventStream } from './batches.js';

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

/** Events of a spilled run, an array per read chunk. */
async function* readRun(path: string): AsyncGenerator<AuthEvent[]> {
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
      if (queue.length > 0) {
        yield queue;
        queue = [];
      }
    }
    splitter.end();
    if (queue.length > 0) yield queue;
  } finally {
    stream.destroy();
    await unlink(path).catch(() => undefined);
  }
}

/*
 * Everything below passes events along as arrays (batches): an async generator step costs about
 * as much as parsing a short line, so the stages await once per batch, not once per event.
 * Batches are never empty.
 */

/** Events of a batch stream one at a time, for the few places that look at single events. */
class Cursor {
  private batch: AuthEvent[] = [];
  private idx = 0;
  constructor(readonly source: AsyncIterator<AuthEvent[]>) {}

  async next(): Promise<AuthEvent | undefined> {
    while (this.idx >= this.batch.length) {
      const r = await this.source.next();
      if (r.done === true) return undefined;
      this.batch = r.value;
      this.idx = 0;
    }
    return this.batch[this.idx++];
  }

  /** what is left of the current batch, else the next batch; undefined at the end */
  async nextBatch(): Promise<AuthEvent[] | undefined> {
    if (this.idx < this.batch.length) {
      const rest = this.idx === 0 ? this.batch : this.batch.slice(this.idx);
      this.batch = [];
      this.idx = 0;
      return rest;
    }
    for (;;) {
      const r = await this.source.next();
      if (r.done === true) return undefined;
      if (r.value.length > 0) return r.value;
    }
  }
}

const MERGE_BATCH = 4096;

/** k-way merge of time-sorted batch streams; equal times come out in source index order. */
async function* mergeSorted(sources: AsyncIterator<AuthEvent[]>[]): AsyncGenerator<AuthEvent[]> {
  try {
    if (sources.length === 1) {
      // nothing to merge: pass the batches through
      const only = sources[0] as AsyncIterator<AuthEvent[]>;
      for (;;) {
        const r = await only.next();
        if (r.done === true) return;
        if (r.value.length > 0) yield r.value;
      }
    }
    const heap = new KeyedMinHeap<number>();
    const batches: AuthEvent[][] = new Array<AuthEvent[]>(sources.length);
    const pos: number[] = new Array<number>(sources.length).fill(0);
    const refill = async (i: number): Promise<void> => {
      const src = sources[i] as AsyncIterator<AuthEvent[]>;
      for (;;) {
        const r = await src.next();
        if (r.done === true) return;
        if (r.value.length > 0) {
          batches[i] = r.value;
          pos[i] = 0;
          heap.push(i, keyOf(r.value[0] as AuthEvent), i);
          return;
        }
      }
    };
    for (let i = 0; i < sources.length; i++) await refill(i);
    let out: AuthEvent[] = [];
    while (heap.size > 0) {
      const i = heap.pop() as number;
      const batch = batches[i] as AuthEvent[];
      let p = pos[i] as number;
      out.push(batch[p++] as AuthEvent);
      if (p < batch.length) {
        pos[i] = p;
        heap.push(i, keyOf(batch[p] as AuthEvent), i);
      } else {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        await refill(i);
      }
      if (out.length >= MERGE_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    for (const s of sources) await s.return?.(undefined);
  }
}

/**
 * A mostly-sorted stream through a min-heap `latenessMs` wide: an event is released once an event
 * later by more than latenessMs has been seen. Events older than one already released are still
 * emitted (at once) and counted as late; nothing is dropped.
 */
async function* reorder(head: AuthEvent[], rest: Cursor, shared: Shared): AsyncGenerator<AuthEvent[]> {
  const lateness = shared.opts.latenessMs;
  const heap = new KeyedMinHeap<AuthEvent>();
  let seq = 0;
  let maxSeen = -Infinity;
  let lastOut = -Infinity;
  let out: AuthEvent[] = [];
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
  for (;;) {
    if (out.length > 0) {
      yield out;
      out = [];
    }
    const batch = await rest.nextBatch();
    if (batch === undefined) break;
    for (const ev of batch) feed(ev);
  }
  while (heap.size > 0) out.push(heap.pop() as AuthEvent);
  if (out.length > 0) yield out;
}

/** An unsorted stream: sorted runs of runSize events spilled to disk, then merged. */
async function* externalSort(head: AuthEvent[], rest: Cursor, shared: Shared): AsyncGenerator<AuthEvent[]> {
  const paths: string[] = [];
  let run = head;
  try {
    for (;;) {
      const batch = await rest.nextBatch();
      if (batch === undefined) break;
      for (const ev of batch) {
        run.push(ev);
        if (run.length >= shared.runSize) {
          paths.push(await writeRun(shared, run));
          run = [];
        }
      }
    }
    if (paths.length === 0 && run.length <= shared.memoryBudget) {
      // fits in memory within the budget shared by all streams
      shared.memoryBudget -= run.length;
      const held = run.length;
      try {
        run.sort(byTime);
        for (let i = 0; i < run.length; i += MERGE_BATCH) yield run.slice(i, i + MERGE_BATCH);
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

async function* orderOne(stream: AsyncIterator<AuthEvent[]>, shared: Shared): AsyncGenerator<AuthEvent[]> {
  const it = new Cursor(stream);
  try {
    const peekSize = shared.opts.peekSize ?? DEFAULT_PEEK;
    const lateness = shared.opts.latenessMs;
    const head: AuthEvent[] = [];
    let maxSeen = -Infinity;
    let sorted = true;
    let ended = false;
    while (head.length < peekSize) {
      const ev = await it.next();
      if (ev === undefined) {
        ended = true;
        break;
      }
      const t = keyOf(ev);
      head.push(ev);
      if (t < maxSeen - lateness) {
        sorted = false;
        break;
      }
      if (t > maxSeen) maxSeen = t;
    }
    if (ended) {
      head.sort(byTime);
      if (head.length > 0) yield head;
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
    await stream.return?.(undefined);
  }
}

/** The stream's batches: readEvents offers them directly, any other stream is wrapped. */
function batchesOf(stream: AsyncIterable<AuthEvent>): AsyncIterator<AuthEvent[]> {
  const batches = (stream as EventStream)[EVENT_BATCHES];
  if (batches !== undefined) return batches;
  return (async function* single(): AsyncGenerator<AuthEvent[]> {
    for await (const ev of stream) yield [ev];
  })();
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
  for await (const batch of orderedBatches(streams, opts)) yield* batch;
}

/** orderedEvents as arrays of events (never empty). */
export async function* orderedBatches(streams: AsyncIterable<AuthEvent>[], opts: OrderOptions): AsyncGenerator<AuthEvent[]> {
  const shared = new Shared(opts, Math.max(1, opts.runSize ?? DEFAULT_RUN_SIZE));
  try {
    yield* mergeSorted(streams.map((s) => orderOne(batchesOf(s), shared)));
  } finally {
    await shared.cleanup();
  }
}
