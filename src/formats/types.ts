import type { AuthEvent } from '../core/types.js';

/** How a format's records are framed in a file. */
export type Framing = 'json' | 'csv' | 'text';

/** A record as the framing layer hands it to a parser. */
export type RawRecord =
  | { framing: 'json'; value: unknown }
  | { framing: 'csv'; value: Record<string, string> }
  | { framing: 'text'; value: string };

export interface ParseContext {
  /** file name as the user gave it ('-' for stdin), for refs */
  file: string;
  /** 1-based line where the record starts */
  line: number;
  /** --tenant: organization for records that carry none */
  defaultTenant?: string;
  /** IANA zone or 'UTC' for text timestamps without a zone (syslog) */
  timeZone?: string;
  /** year for syslog stamps that carry none; the sshd parser infers it when absent */
  year?: number;
  /** per-file mutable state a parser may keep (syslog year roll-over) */
  state: Record<string, unknown>;
}

export interface FormatParser {
  /** stable id: 'entra', 'o365', 'okta', 'gws', 'windows', 'sshd', 'ecs', 'ocsf' */
  readonly id: string;
  /** human name for messages */
  readonly name: string;
  /** framings this parser reads */
  readonly framings: readonly Framing[];
  /**
   * How sure the parser is that this record is its format, 0..1. Called on the first records of a
   * file to pick its format, through ingest/detect.ts detectScore(), which counts a throw as 0.
   */
  detect(record: RawRecord): number;
  /**
   * Map one record to zero or more AuthEvents. Returns [] for records of this format that are not
   * sign-ins (other event ids, logoffs). Throws RecordError for a record that is malformed
   * (missing time, wrong types); the message names the field.
   */
  parse(record: RawRecord, ctx: ParseContext): AuthEvent[];
  /**
   * Optional: called once after the last record of a file with the same ctx, for parsers that hold
   * a record back until a later line says whether it counts (sshd dedupes PAM lines per connection).
   */
  finish?(ctx: ParseContext): AuthEvent[];
}
