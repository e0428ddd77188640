/** CSV indicator lists: `ip,actor,source` (header optional; other columns ignored; `#` comments). */
import { parse } from 'csv-parse/sync';
import { canonicalAddress, parseCidrText } from './matcher.js';
import type { IntelParse } from './stix.js';
import type { Indicator } from './types.js';

export const IP_COLUMNS = ['ip', 'indicator', 'value', 'address', 'ip_address', 'cidr'];
const ACTOR_COLUMNS = ['actor', 'threat_actor', 'group', 'intrusion_set', 'attribution'];
const SOURCE_COLUMNS = ['source', 'feed', 'reference'];

export function parseIntelCsv(text: string, source: string): IntelParse {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, skip_empty_lines: true, comment: '#', trim: true, bom: true }) as string[][];
  } catch (err) {
    return { indicators: [], skipped: 1, problems: [`${source}: not CSV: ${(err as Error).message.slice(0, 200)}`] };
  }
  let ipCol = 0;
  let actorCol = 1;
  let sourceCol = 2;
  const head = rows[0]?.map((c) => c.toLowerCase());
  if (head && head.some((c) => IP_COLUMNS.includes(c))) {
    ipCol = head.findIndex((c) => IP_COLUMNS.includes(c));
    actorCol = head.findIndex((c) => ACTOR_COLUMNS.includes(c));
    sourceCol = head.findIndex((c) => SOURCE_COLUMNS.includes(c));
    rows = rows.slice(1);
  }
  const out: Indicator[] = [];
  const problems: string[] = [];
  let skipped = 0;
  rows.forEach((row, i) => {
    const raw = row[ipCol] ?? '';
    const line = i + (head && ipCol >= 0 ? 2 : 1);
    let kind: 'ip' | 'cidr' = 'ip';
    let value = canonicalAddress(raw);
    if (!value && raw.includes('/')) {
      const p = parseCidrText(raw);
      if (p) {
        kind = 'cidr';
        value = `${p[0].toString()}/${p[1]}`;
      }
    }
    if (!value) {
      skipped++;
      if (problems.length < 20) problems.push(`${source}:${line}: not an address or network: ${raw.slice(0, 60)}`);
      return;
    }
    const actor = actorCol >= 0 ? row[actorCol] : undefined;
    const src = sourceCol >= 0 ? row[sourceCol] : undefined;
    out.push({ kind, value, actors: actor ? [{ name: actor.slice(0, 100) }] : [], source: src ? src.slice(0, 200) : source, ref: `${source}:${line}` });
  });
  return { indicators: out, skipped, problems };
}
