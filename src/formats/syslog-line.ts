import { read3164Stamp, type WallTime } from './syslog-time.js';

/**
 * Split one syslog text line into stamp, host, program, pid and message, by hand (no regex: this
 * runs on every line of files with millions of lines). Shapes:
 *   RFC 3164   [<PRI>]Feb 12 14:10:21 host prog[pid]: msg   (host may be missing; "[prog]" and
 *              "prog:" without pid exist; fractional seconds from journalctl -o short-precise)
 *   ISO        [<PRI>]2023-09-10T05:26:00.123456+00:00 host prog[pid]: msg   (rsyslog, -o short-iso)
 *   RFC 5424   <PRI>1 2023-09-10T05:26:00.123+00:00 host app procid msgid [sd]|- msg
 * The stamp is returned unconverted: the caller decides whether the line is worth a time.
 */

export type Stamp =
  | { kind: 'wall'; wall: WallTime }
  | { kind: 'iso'; text: string }
  /** the line has a syslog program tag but no readable stamp before it */
  | { kind: 'bad'; text: string };

export interface SyslogLine {
  stamp: Stamp;
  /** '' when the line has no host field */
  host: string;
  program: string;
  /** '' when the tag has no pid */
  pid: string;
  msg: string;
}

const MAX_TOKEN = 255;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index of the next space at or after i, or s.length; -1 when the token is longer than MAX_TOKEN. */
function tokenEnd(s: string, i: number): number {
  const sp = s.indexOf(' ', i);
  const end = sp < 0 ? s.length : sp;
  return end - i > MAX_TOKEN ? -1 : end;
}

interface Tag {
  program: string;
  pid: string;
  /** index where the message starts */
  msgStart: number;
}

/**
 * Read a program tag at s[i..]: "prog[pid]:", "prog:", "prog[pid]", "[prog]:", "[prog]".
 * The tag must end the token (followed by a space or the end). Returns undefined otherwise.
 */
function readTag(s: string, i: number): Tag | undefined {
  const end = tokenEnd(s, i);
  if (end <= i) return undefined;
  let j = end;
  if (s.charCodeAt(j - 1) === 58 /* : */) j--;
  if (j <= i) return undefined;
  let program: string;
  let pid = '';
  if (s.charCodeAt(i) === 91 /* [ */) {
    if (s.charCodeAt(j - 1) !== 93) return undefined;
    program = s.slice(i + 1, j - 1);
  } else if (s.charCodeAt(j - 1) === 93 /* ] */) {
    const open = s.lastIndexOf('[', j - 1);
    if (open <= i) return undefined;
    program = s.slice(i, open);
    pid = s.slice(open + 1, j - 1);
    for (let k = 0; k < pid.length; k++) if (!isDigit(pid.charCodeAt(k))) return undefined;
  } else if (j === end) {
    return undefined; // no ':' and no brackets: a plain word, not a tag
  } else {
    program = s.slice(i, j);
  }
  if (program === '' || program.includes('[')) return undefined;
  return { program, pid, msgStart: end < s.length ? end + 1 : end };
}

/** Host and tag after the stamp: "host prog[pid]: msg" or, without a host, "prog[pid]: msg". */
function readHostAndTag(s: string, i: number, stamp: Stamp): SyslogLine | undefined {
  const first = readTag(s, i);
  // "sshd[1]:" right after the stamp is a tag; a host name never carries brackets or a final ':'
  if (first !== undefined && (first.pid !== '' || s.charCodeAt(tokenEnd(s, i) - 1) === 58 || s.charCodeAt(i) === 91)) {
    return { stamp, host: '', program: first.program, pid: first.pid, msg: s.slice(first.msgStart) };
  }
  const hostEnd = tokenEnd(s, i);
  if (hostEnd <= i || hostEnd >= s.length) return undefined;
  const tag = readTag(s, hostEnd + 1);
  if (tag === undefined) return undefined;
  return { stamp, host: s.slice(i, hostEnd), program: tag.program, pid: tag.pid, msg: s.slice(tag.msgStart) };
}

/** Skip "<PRI>" (1-3 digits); returns the index after it, or 0 when there is none. */
function skipPri(s: string): number {
  if (s.charCodeAt(0) !== 60 /* < */) return 0;
  let i = 1;
  while (i < 4 && isDigit(s.charCodeAt(i))) i++;
  return i > 1 && s.charCodeAt(i) === 62 /* > */ ? i + 1 : 0;
}

/** RFC 5424 structured data: "-" or one or more "[id k="v" ...]" with \" and \] escapes. */
function skipStructuredData(s: string, i: number): number {
  if (s.charCodeAt(i) === 45 /* - */) return i + 1;
  while (s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let inQuote = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 92 /* \ */) {
        i++;
      } else if (c === 34 /* " */) {
        inQuote = !inQuote;
      } else if (c === 93 /* ] */ && !inQuote) {
        break;
      }
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i;
}

function read5424(s: string, i: number): SyslogLine | undefined {
  const fields: string[] = [];
  for (let n = 0; n < 5; n++) {
    const end = tokenEnd(s, i);
    if (end <= i || end >= s.length) return undefined;
    fields.push(s.slice(i, end));
    i = end + 1;
  }
  const [ts = '', host = '', app = '', procid = ''] = fields;
  const sdEnd = skipStructuredData(s, i);
  if (sdEnd < 0) return undefined;
  let msgStart = sdEnd < s.length && s.charCodeAt(sdEnd) === 32 ? sdEnd + 1 : sdEnd;
  if (s.charCodeAt(msgStart) === 0xfeff) msgStart++; // BOM before a UTF-8 message
  const stamp: Stamp = ts === '-' ? { kind: 'bad', text: ts } : { kind: 'iso', text: ts };
  return {
    stamp,
    host: host === '-' ? '' : host,
    program: app === '-' ? '' : app,
    pid: procid === '-' ? '' : procid,
    msg: s.slice(msgStart),
  };
}

/** Parse a syslog line; undefined when the text is not one (continuation lines, free text). */
export function parseSyslogLine(s: string): SyslogLine | undefined {
  const start = skipPri(s);
  const c = s.charCodeAt(start);
  if (start > 0 && c === 49 /* 1 */ && s.charCodeAt(start + 1) === 32) return read5424(s, start + 2);
  if (isDigit(c)) {
    const end = tokenEnd(s, start);
    if (end < 0 || end >= s.length || end - start < 10) return undefined;
    return readHostAndTag(s, end + 1, { kind: 'iso', text: s.slice(start, end) });
  }
  const st = read3164Stamp(s, start);
  if (st !== undefined) {
    if (s.charCodeAt(st.end) !== 32) return undefined;
    return readHostAndTag(s, st.end + 1, { kind: 'wall', wall: st.wall });
  }
  return undefined;
}

/**
 * Fallback for a line whose stamp is unreadable: when a known program tag appears among its first
 * tokens, report it with a 'bad' stamp so the parser can name the timestamp as the problem.
 */
export function findTagWithBadStamp(s: string, isProgram: (p: string) => boolean): SyslogLine | undefined {
  let i = 0;
  for (let n = 0; n < 6 && i < s.length && i < 400; n++) {
    const end = tokenEnd(s, i);
    if (end <= i) return undefined;
    const tag = readTag(s, i);
    if (tag !== undefined && isProgram(tag.program)) {
      return { stamp: { kind: 'bad', text: s.slice(0, i).trim() }, host: '', program: tag.program, pid: tag.pid, msg: s.slice(tag.msgStart) };
    }
    i = end + 1;
  }
  return undefined;
}
