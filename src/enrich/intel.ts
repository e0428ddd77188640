/**
 * Threat-intelligence indicators (stored with `vigil intel add`, or STIX / MISP / CSV files given to
 * `--intel`) matched during enrichment: an event from a covered address, at a time inside the
 * indicator's validity, gets the indicator's label in event.intel ("source: actor"), which the
 * intel-match and compromise detectors react to.
 *
 * The covering indicators of an address are looked up once and cached (the matcher parses the
 * address and probes one map per prefix length); only the validity check runs per event.
 */
import type { AuthEvent } from '../core/types.js';
import { IndicatorMatcher, validAt } from '../intel/matcher.js';
import type { Indicator } from '../intel/types.js';
import { TwoGenerationCache } from './lru.js';
import type { Enricher } from './types.js';

const NONE: readonly Indicator[] = Object.freeze([]);
const MAX_LABEL = 160;

/** what event.intel says about a match: where it came from and whose infrastructure it is */
export function intelLabel(i: Indicator): string {
  const actors = [...new Set(i.actors.map((a) => a.name))];
  const label = actors.length > 0 ? `${i.source}: ${actors.join(', ')}` : i.source;
  return label.slice(0, MAX_LABEL);
}

export class IntelEnricher implements Enricher {
  readonly id = 'intel';
  readonly matcher: IndicatorMatcher;
  private readonly cache: TwoGenerationCache<string, readonly Indicator[]>;

  constructor(indicators: Iterable<Indicator>, cacheSize = 100_000) {
    this.matcher = new IndicatorMatcher(indicators);
    this.cache = new TwoGenerationCache(cacheSize);
  }

  get size(): number {
    return this.matcher.size;
  }

  private covering(ip: string): readonly Indicator[] {
    let hits = this.cache.get(ip);
    if (hits === undefined) {
      const found = this.matcher.match(ip);
      hits = found.length === 0 ? NONE : found;
      // only real addresses are worth a slot (garbage text could be long and endless)
      if (ip.length <= 64) this.cache.set(ip, hits);
    }
    return hits;
  }

  enrich(e: AuthEvent): void {
    const ip = e.srcIp;
    if (this.matcher.size === 0 || typeof ip !== 'string' || ip === '' || e.privateIp) return;
    const hits = this.covering(ip);
    if (hits.length === 0) return;
    for (const i of hits) {
      if (!validAt(i, e.time, e.time)) continue;
      const label = intelLabel(i);
      if (!e.intel) e.intel = [label];
      else if (!e.intel.includes(label)) e.intel.push(label);
    }
  }
}
