/**
 * Rows of the intel_indicators table ↔ indicators. Reading narrows every column: a damaged or
 * hand-edited row yields an indicator with what is valid in it, or undefined, never a crash.
 */
import type { Indicator, IndicatorKind, IntelActor } from '../intel/types.js';
import type { StoredIndicator } from './types.js';

export interface IntelRow {
  id: number;
  file: string;
  kind: string;
  value: string;
  source: string;
  actors: string;
  valid_from: number | null;
  valid_until: number | null;
  ref: string | null;
  added_at: number;
}

const KINDS: ReadonlySet<string> = new Set<IndicatorKind>(['ip', 'cidr', 'domain', 'url']);
const MAX_TEXT = 200;

/** the actor links as stored: only the fields Vigil knows, bounded */
export function actorsToJson(actors: readonly IntelActor[]): string {
  return JSON.stringify(
    actors.map((a) => {
      const o: IntelActor = { name: a.name.slice(0, MAX_TEXT) };
      if (a.aliases && a.aliases.length > 0) o.aliases = a.aliases.slice(0, 50).map((s) => s.slice(0, MAX_TEXT));
      if (a.attackId) o.attackId = a.attackId.slice(0, 20);
      if (a.stixId) o.stixId = a.stixId.slice(0, MAX_TEXT);
      return o;
    }),
  );
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function actorsFromJson(text: string): IntelActor[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: IntelActor[] = [];
  for (const item of raw as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const name = str(o['name']);
    if (!name) continue;
    const a: IntelActor = { name };
    const aliases = Array.isArray(o['aliases']) ? (o['aliases'] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
    if (aliases.length > 0) a.aliases = aliases;
    const attackId = str(o['attackId']);
    if (attackId) a.attackId = attackId;
    const stixId = str(o['stixId']);
    if (stixId) a.stixId = stixId;
    out.push(a);
  }
  return out;
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function indicatorFromRow(r: IntelRow): StoredIndicator | undefined {
  if (!KINDS.has(r.kind) || typeof r.value !== 'string' || r.value === '') return undefined;
  const ind: StoredIndicator = {
    id: r.id,
    file: r.file,
    kind: r.kind as IndicatorKind,
    value: r.value,
    actors: actorsFromJson(r.actors),
    source: r.source,
    addedAt: finite(r.added_at) ?? 0,
  };
  const from = finite(r.valid_from);
  const until = finite(r.valid_until);
  if (from !== undefined) ind.validFrom = from;
  if (until !== undefined) ind.validUntil = until;
  if (typeof r.ref === 'string' && r.ref !== '') ind.ref = r.ref;
  return ind;
}

/** one key per distinct indicator: the same line twice in a file is kept once */
export function indicatorKey(i: Indicator): string {
  return JSON.stringify([i.kind, i.value, i.source, actorsToJson(i.actors), i.validFrom ?? null, i.validUntil ?? null]);
}
