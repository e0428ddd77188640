import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * Keeps a long scan's resident memory near what it really holds. V8 lets its heap grow to up to
 * four times the live data between full collections when the program allocates fast (a scan does),
 * so a scan holding 400 MB of detection state sat at 1.4 GB resident. Once the heap passes
 * `thresholdBytes`, V8 is told to grow it by at most `growingPercent` past the live data: more
 * frequent full collections, but only for big scans; small ones keep the default, faster policy.
 *
 * The flag is process-wide and read by V8 at every full collection (heap-growing-percent).
 */
export class HeapBound {
  private engaged = false;
  private countdown: number;

  constructor(
    readonly thresholdBytes = 512 * 1024 * 1024,
    readonly growingPercent = 40,
    /** events between two looks at the heap size */
    readonly every = 65_536,
  ) {
    this.countdown = every;
  }

  /** call once per event (cheap); looks at the heap every `every` calls */
  tick(): void {
    if (--this.countdown > 0 || this.engaged) return;
    this.countdown = this.every;
    if (getHeapStatistics().total_heap_size < this.thresholdBytes) return;
    this.engaged = true;
    engageBound(this.growingPercent);
  }

  get isEngaged(): boolean {
    return this.engaged;
  }
}

let engagedPercent: number | undefined;

function engageBound(percent: number): void {
  if (engagedPercent !== undefined && engagedPercent <= percent) return;
  engagedPercent = percent;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
