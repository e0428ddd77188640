import { VigilError } from '../core/errors.js';
import { PARSERS } from '../formats/registry.js';
import type { FormatParser, RawRecord } from '../formats/types.js';

/** How many records of a file are shown to the parsers to pick its format. */
export const DETECT_SAMPLE = 20;
/** Lowest average score that counts as recognised. */
export const DETECT_THRESHOLD = 0.5;

/** The parser for --format, or a USAGE error listing the valid ids. */
export function parserForId(id: string, parsers: readonly FormatParser[] = PARSERS): FormatParser {
  const p = parsers.find((x) => x.id === id);
  if (p === undefined) {
    throw new VigilError('USAGE', `unknown format "${id}"; use one of: ${parsers.map((x) => x.id).join(', ')}`);
  }
  return p;
}

/**
 * A parser's detect() score made safe: a throw or a score outside 0..1 counts as 0. This is the one
 * place that guards detect(), so parsers need no try/catch of their own.
 */
export function detectScore(parser: FormatParser, record: RawRecord): number {
  try {
    const s = parser.detect(record);
    // a parser bug must not decide the format: NaN and out-of-range scores are clamped
    return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
  } catch {
    return 0;
  }
}

/**
 * The parser with the highest average detect() score over the sample, if that average reaches
 * DETECT_THRESHOLD. Parsers that do not read the sample's framing are not asked. Ties go to the
 * parser listed first, so the choice is the same on every run.
 */
export function detectParser(sample: readonly RawRecord[], parsers: readonly FormatParser[] = PARSERS): FormatParser | undefined {
  if (sample.length === 0) return undefined;
  let best: FormatParser | undefined;
  let bestScore = DETECT_THRESHOLD;
  for (const parser of parsers) {
    let sum = 0;
    let n = 0;
    for (const record of sample) {
      n++;
      if (parser.framings.includes(record.framing)) sum += detectScore(parser, record);
    }
    const avg = sum / n;
    if (avg > bestScore || (best === undefined && avg >= bestScore)) {
      best = parser;
      bestScore = avg;
    }
  }
  return best;
}

export function unrecognizedMessage(framingLabel: string, parsers: readonly FormatParser[] = PARSERS): string {
  return `unrecognized format (looked like ${framingLabel}; use --format to force one of: ${parsers.map((p) => p.id).join(', ')})`;
}
