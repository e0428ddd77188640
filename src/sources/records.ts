import { VigilError } from '../core/errors.js';
import { PARSERS, parserById } from '../formats/registry.js';
import { parseSyslogLine } from '../formats/syslog-line.js';
import type { FormatParser } from '../formats/types.js';
import type { DecodedRecord } from '../server/decode.js';

/** The parser for a source's `format` option; undefined = detect per record; a CONFIG error for an unknown id. */
export function sourceParser(format: string | undefined): FormatParser | undefined {
  if (format === undefined) return undefined;
  const p = parserById(format);
  if (!p) throw new VigilError('CONFIG', `format: unknown "${format.slice(0, 40)}"; use one of: ${PARSERS.map((x) => x.id).join(', ')}`);
  if (!p.framings.includes('text') && !p.framings.includes('json')) {
    throw new VigilError('CONFIG', `format: ${p.id} is not read from log lines`);
  }
  return p;
}

/** A JSON object in `text`, or undefined (arrays and scalars are not records). */
function jsonObject(text: string): object | undefined {
  if (text.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One log line (a file line or a syslog message) as the record a parser reads:
 * - a JSON object line (NXLog `to_json()`, winlogbeat/Filebeat file output) is a json record;
 * - a syslog line whose message is a JSON object (NXLog/rsyslog forwarding Windows events as JSON
 *   behind a syslog header) is a json record of that object: the header adds nothing the
 *   Windows parser reads, and the tenant comes from the source's configuration;
 * - anything else is a text record of the whole line (sshd reads the syslog header for its time).
 * With a forced format, its framings decide: a text-only or text-reading parser (sshd) always gets
 * the whole line; a json-only parser gets the JSON or a rejection naming the problem.
 */
export function lineToRecord(line: string, parser: FormatParser | undefined): DecodedRecord {
  const readsText = parser === undefined || parser.framings.includes('text');
  const readsJson = parser === undefined || parser.framings.includes('json');
  if (readsJson) {
    const trimmed = line.trim();
    const bare = jsonObject(trimmed);
    if (bare !== undefined) return { record: { framing: 'json', value: bare }, raw: trimmed };
    // cheap test first: most syslog lines carry no JSON at all
    if ((!readsText || parser === undefined) && line.indexOf('{') > 0) {
      const msg = parseSyslogLine(line)?.msg.trim();
      const carried = msg !== undefined ? jsonObject(msg) : undefined;
      if (carried !== undefined && msg !== undefined) return { record: { framing: 'json', value: carried }, raw: msg };
    }
    if (!readsText) return { error: `${parser?.id ?? 'format'}: expected a JSON object (alone or as a syslog message)` };
  }
  return { record: { framing: 'text', value: line }, raw: line };
}
