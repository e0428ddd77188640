/** `parseIntelFile`: one intelligence file (STIX 2.1 bundle, MISP event JSON, or CSV list) → indicators. */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { VigilError } from '../core/errors.js';
import { parseIntelCsv } from './csv.js';
import { parseMispEvents } from './misp.js';
import { parseStixBundle, type IntelParse } from './stix.js';
import type { Indicator } from './types.js';

export { IndicatorMatcher } from './matcher.js';
export type { Indicator, IntelActor } from './types.js';
export type { IntelParse } from './stix.js';

const MAX_BYTES = 512 * 1024 * 1024;

/** what the text is: STIX (type bundle / objects with spec_version), MISP (Event / response), else CSV */
export function parseIntelText(text: string, source: string): IntelParse {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (err) {
      throw new VigilError('INPUT_UNRECOGNIZED', `not valid JSON: ${(err as Error).message.slice(0, 200)}`, source);
    }
    const o = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    if (o && (o.type === 'bundle' || Array.isArray(o.objects))) return parseStixBundle(json, source);
    return parseMispEvents(json, source);
  }
  return parseIntelCsv(text, source);
}

export function parseIntelFileDetailed(path: string): IntelParse {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new VigilError('INPUT_UNREADABLE', (err as Error).message, path);
  }
  if (size > MAX_BYTES) throw new VigilError('INPUT_UNREADABLE', `intelligence file larger than ${MAX_BYTES / 1024 / 1024} MB`, path);
  return parseIntelText(readFileSync(path, 'utf8'), basename(path));
}

export function parseIntelFile(path: string): Indicator[] {
  return parseIntelFileDetailed(path).indicators;
}
