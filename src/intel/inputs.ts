/**
 * `--intel FILE` takes two kinds of file: plain IP/CIDR lists (one address per line, optional label;
 * matched by the enrichment's IndicatorSet, as before) and threat intelligence with actors (STIX 2.1
 * bundles, MISP event JSON, CSV with a header row such as `ip,actor,source`). This tells them apart
 * by content and parses the second kind into indicators.
 */
import { basename } from 'node:path';
import { readText } from '../enrich/files.js';
import { IP_COLUMNS } from './csv.js';
import { parseIntelText } from './index.js';
import type { Indicator } from './types.js';

export type IntelTextKind = 'json' | 'csv' | 'list';

const MAX_HEADER_SCAN = 64 * 1024;

/** JSON documents are STIX or MISP; a first line naming an address column is intel CSV; else a list */
export function intelTextKind(text: string): IntelTextKind {
  const head = text.slice(0, MAX_HEADER_SCAN).replace(/^\uFEFF/, '');
  const t = head.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return 'json';
  for (const raw of head.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
    return cells.some((c) => IP_COLUMNS.includes(c)) ? 'csv' : 'list';
  }
  return 'list';
}

export interface IntelInputs {
  /** plain IP/CIDR lists, for EnrichmentOptions.intel */
  lists: string[];
  /** indicators of the STIX / MISP / CSV files */
  indicators: Indicator[];
  /** what could not be used in those files (bounded per file) */
  problems: string[];
}

export async function splitIntelInputs(files: readonly string[]): Promise<IntelInputs> {
  const out: IntelInputs = { lists: [], indicators: [], problems: [] };
  for (const f of files) {
    const text = await readText(f);
    if (intelTextKind(text) === 'list') {
      out.lists.push(f);
      continue;
    }
    const parsed = parseIntelText(text, basename(f));
    for (const i of parsed.indicators) out.indicators.push(i);
    out.problems.push(...parsed.problems);
  }
  return out;
}
