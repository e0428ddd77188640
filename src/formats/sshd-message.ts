import { canonicalIp } from '../core/normalize.js';
import { RecordError } from '../core/errors.js';
import type { FailureReason, Outcome } from '../core/types.js';

/**
 * Classify one sshd message (the text after "sshd[pid]: ") as an authentication attempt.
 * Parsing is by fixed prefixes and hand scanning anchored on the message's structure, because
 * the user name is attacker-controlled: "Failed password for invalid user x from 10.1.1.1 port 1
 * ssh2 from 192.0.2.7 port 2 ssh2" must yield 192.0.2.7 (see docs/formats/sshd.md).
 */

/**
 * How a line counts (sshd logs several lines per attempt; sshd.ts dedupes per connection):
 * - success / failure: the attempt itself (Accepted, Failed <method>), always counted
 * - start: "Invalid user", which sshd logs once, at the first request of a new connection
 * - provisional: evidence of an attempt that a later Failed/Accepted line of the same connection
 *   may already count (Invalid user, preauth disconnects, MaxAuthTries, PAM errors, AllowUsers)
 * - pam: pam_unix "authentication failure": sshd logs Failed just after it for the same attempt
 * - pam_more: "PAM N more authentication failures": extra failures of an unlogged connection
 */
export type AttemptKind = 'success' | 'failure' | 'start' | 'provisional' | 'pam' | 'pam_more';

export interface Attempt {
  kind: AttemptKind;
  outcome: Outcome;
  reason?: FailureReason;
  code?: string;
  /** raw user name as logged ('' when none) */
  user: string;
  /** canonical IP, '' for host names or none */
  srcIp: string;
  /** auth method for Accepted/Failed lines */
  app?: string;
}

export interface Classified {
  attempt?: Attempt;
  /** "message repeated N times: [ ... ]": how many times the attempt happened */
  repeat: number;
}

const NONE: Classified = { repeat: 1 };

/** Attackers repeat their addresses: remember recent canonical forms (bounded). */
const ipCache = new Map<string, string>();

/**
 * True when t is a dotted quad already in canonical form (no leading zeros, parts ≤ 255), which
 * canonicalIp would return unchanged: most sshd addresses, checked faster than a cache lookup.
 */
function isCanonicalV4(t: string): boolean {
  const n = t.length;
  if (n < 7 || n > 15) return false;
  let dots = 0;
  let part = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return false; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return false;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

function ipOf(host: string): string {
  if (isCanonicalV4(host)) return host;
  let ip = ipCache.get(host);
  if (ip === undefined) {
    ip = canonicalIp(host);
    if (ipCache.size >= 4096) ipCache.clear();
    ipCache.set(host, ip);
  }
  return ip;
}
const MAX_REPEAT = 1000;
const PREAUTH = ' [preauth]';

function stripPreauth(s: string): string {
  return s.endsWith(PREAUTH) ? s.slice(0, -PREAUTH.length) : s;
}

/** A host token: an IP, or a DNS name (UseDNS yes logs names). */
function isHostToken(t: string): boolean {
  if (t.length === 0 || t.length > 255) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) /* 0-9 : */ ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 46 /* . */ ||
      c === 45 /* - */ ||
      c === 95 /* _ */ ||
      c === 37 /* % zone */;
    if (!ok) return false;
  }
  return true;
}

function digitsEnd(s: string, i: number, max: number): number {
  let j = i;
  while (j < s.length && j - i < max) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j;
}

interface FromMatch {
  /** index of " from " */
  at: number;
  host: string;
  hasPort: boolean;
}

/**
 * Check " from HOST[ port N[ sshV]]" at s[at..]; it must end the text or be followed by ": "
 * (the auth-info sshd appends, e.g. a key fingerprint). Bounded work per call.
 */
function fromAt(s: string, at: number): FromMatch | undefined {
  const j = at + 6;
  let end = s.indexOf(' ', j);
  if (end < 0) end = s.length;
  if (end - j > 80) return undefined;
  let host = s.slice(j, end);
  if (end === s.length) {
    // "from 1.2.3.4: extra" has no port; only the bare end form is accepted here
    return isHostToken(host) ? { at, host, hasPort: false } : undefined;
  }
  if (!s.startsWith(' port ', end)) {
    // "... ssh1: ruser from 1.2.3.4" style tails are judged by their own candidate
    return undefined;
  }
  const p = end + 6;
  const q = digitsEnd(s, p, 5);
  if (q === p) return undefined;
  let r = q;
  if (s.startsWith(' ssh', q) && (s[q + 4] === '1' || s[q + 4] === '2')) r = q + 5;
  if (r !== s.length && !s.startsWith(': ', r)) return undefined;
  host = host.endsWith(',') ? host.slice(0, -1) : host;
  return isHostToken(host) ? { at, host, hasPort: true } : undefined;
}

/**
 * The real " from HOST port N" of a message whose user name starts at `start`: the last candidate
 * that ends the text (or precedes auth-info), preferring one with a port. A user name cannot push
 * a fake address after the real one, because sshd prints the address after the name.
 */
export function findFrom(s: string, start: number): FromMatch | undefined {
  let best: FromMatch | undefined;
  let bestNoPort: FromMatch | undefined;
  let k = s.indexOf(' from ', start - 1 < 0 ? 0 : start - 1);
  while (k >= 0) {
    const m = fromAt(s, k);
    if (m !== undefined) {
      if (m.hasPort) best = m;
      else bestNoPort = m;
    }
    k = s.indexOf(' from ', k + 1);
  }
  return best ?? bestNoPort;
}

function userAndInvalid(s: string, start: number, end: number): { user: string; invalid: boolean } {
  let u = s.slice(start, end);
  let invalid = false;
  if (u.startsWith('invalid user ')) {
    invalid = true;
    u = u.slice(13);
  } else if (u.startsWith('illegal user ')) {
    invalid = true;
    u = u.slice(13);
  } else if (u === 'invalid user') {
    invalid = true;
    u = '';
  }
  // Solaris/macOS placeholder for a user name the system does not know
  if (u === '<invalid username>') {
    invalid = true;
    u = '';
  }
  return { user: u, invalid };
}

/** "Accepted|Failed <method> for [invalid user ]U from IP port P ssh2[: info]" */
function authLine(s: string, accepted: boolean): Attempt {
  const mStart = accepted ? 9 : 7;
  const forAt = s.indexOf(' for ', mStart);
  if (forAt < 0 || forAt - mStart > 64) throw new RecordError('message: no " for " after the auth method');
  const method = s.slice(mStart, forAt);
  const body = stripPreauth(s);
  const from = findFrom(body, forAt + 5);
  if (from === undefined) throw new RecordError('message: no source address ("from HOST port N")');
  const { user, invalid } = userAndInvalid(body, forAt + 5, from.at);
  const srcIp = ipOf(from.host);
  if (accepted) return { kind: 'success', outcome: 'success', user, srcIp, app: method };
  const base = { kind: 'failure' as const, outcome: 'failure' as const, user, srcIp, app: method };
  if (method === 'password' || method.startsWith('keyboard-interactive')) {
    return { ...base, reason: invalid ? 'unknown_user' : 'bad_password' };
  }
  // publickey / hostbased / gssapi: normal client probing before a success
  const probe = { ...base, reason: invalid ? ('unknown_user' as const) : ('other' as const), code: method };
  // "none" is the method every client asks first to learn the server's list: no credential was tried
  return method === 'none' ? { ...probe, kind: 'provisional' } : probe;
}

/** "<prefix>U from HOST[ port N]" (Invalid user, maximum attempts exceeded, PAM errors) */
function userFrom(s: string, prefixLen: number, reason: FailureReason, code: string): Attempt {
  const body = stripPreauth(s);
  const from = findFrom(body, prefixLen);
  if (from === undefined) throw new RecordError('message: no source address ("from HOST")');
  const { user, invalid } = userAndInvalid(body, prefixLen, from.at);
  return {
    kind: 'provisional',
    outcome: 'failure',
    reason: invalid && reason === 'bad_password' ? 'unknown_user' : reason,
    code,
    user,
    srcIp: ipOf(from.host),
  };
}

/** "Connection closed by authenticating user U IP port P [preauth]": address anchored at the end */
function userIpPort(s: string, prefixLen: number, reason: FailureReason): Attempt {
  const body = stripPreauth(s);
  let end = body.length;
  const portAt = body.lastIndexOf(' port ');
  if (portAt > prefixLen && digitsEnd(body, portAt + 6, 5) === body.length && body.length > portAt + 6) end = portAt;
  const sp = body.lastIndexOf(' ', end - 1);
  if (sp < prefixLen - 1) throw new RecordError('message: no source address after the user name');
  const host = body.slice(sp + 1, end);
  if (!isHostToken(host)) throw new RecordError('message: no source address after the user name');
  return {
    kind: 'provisional',
    outcome: 'failure',
    reason,
    code: 'preauth_disconnect',
    user: body.slice(prefixLen, Math.max(prefixLen, sp)),
    srcIp: ipOf(host),
  };
}

/**
 * PAM "... ruser=R rhost=H[  user=U]": rhost is the first " rhost=" whose value is followed by the
 * end or " user=" (sshd leaves ruser empty, the user name comes last and is attacker-controlled).
 */
function pamFields(s: string, from: number): { host: string; user: string } {
  const body = s.trimEnd();
  let k = body.indexOf(' rhost=', from);
  while (k >= 0) {
    const v = k + 7;
    let end = body.indexOf(' ', v);
    if (end < 0) end = body.length;
    const host = body.slice(v, end);
    if (end === body.length) return { host, user: '' };
    let u = end + 1;
    if (body.charCodeAt(u) === 32) u++;
    if (body.startsWith('user=', u)) return { host, user: body.slice(u + 5) };
    k = body.indexOf(' rhost=', k + 1);
  }
  return { host: '', user: '' };
}

function pamLine(s: string, from: number, kind: 'pam' | 'pam_more'): Attempt {
  const { host, user } = pamFields(s, from);
  return {
    kind,
    outcome: 'failure',
    reason: 'bad_password',
    code: kind === 'pam' ? 'pam' : 'pam_more',
    user,
    srcIp: ipOf(host),
  };
}

/** "[PAM ]N more authentication failures; ..." at s[i..] */
function pamMore(s: string, i: number): Attempt | undefined {
  const d = digitsEnd(s, i, 4);
  if (d === i || !s.startsWith(' more authentication failures;', d)) return undefined;
  return pamLine(s, d, 'pam_more');
}

const AUTH_FAILURE = 'authentication failure;';

function classifyOnce(s: string): Attempt | undefined {
  switch (s.charCodeAt(0)) {
    case 65: // A
      return s.startsWith('Accepted ') ? authLine(s, true) : undefined;
    case 70: // F
      return s.startsWith('Failed ') ? authLine(s, false) : undefined;
    case 73: // I
      if (s.startsWith('Invalid user ') || s.startsWith('Illegal user ')) {
        const a = userFrom(s, 13, 'unknown_user', 'invalid_user');
        a.kind = 'start';
        return a;
      }
      return undefined;
    case 67: // C
      if (s.startsWith('Connection closed by authenticating user ')) return userIpPort(s, 41, 'other');
      if (s.startsWith('Connection closed by invalid user ')) return userIpPort(s, 34, 'unknown_user');
      if (s.startsWith('Connection reset by authenticating user ')) return userIpPort(s, 40, 'other');
      if (s.startsWith('Connection reset by invalid user ')) return userIpPort(s, 33, 'unknown_user');
      return undefined;
    case 68: // D
      if (s.startsWith('Disconnected from authenticating user ')) return userIpPort(s, 38, 'other');
      if (s.startsWith('Disconnected from invalid user ')) return userIpPort(s, 31, 'unknown_user');
      return undefined;
    case 101: // e
      if (s.startsWith('error: maximum authentication attempts exceeded for ')) {
        return userFrom(s, 52, 'bad_password', 'max_auth_tries');
      }
      if (s.startsWith('error: PAM: User not known to the underlying authentication module for ')) {
        return userFrom(stripPreauth(s), 72, 'unknown_user', 'pam');
      }
      if (s.startsWith('error: PAM: ')) {
        const low = s.slice(12, 40).toLowerCase();
        if (!low.startsWith('authentication failure for ') && !low.startsWith('authentication error for ')) return undefined;
        const forAt = s.indexOf(' for ', 12);
        // macOS appends " via <local address>": cut the last one before looking for " from "
        let body = stripPreauth(s);
        const via = body.lastIndexOf(' via ');
        if (via > forAt && body.indexOf(' ', via + 5) < 0) body = body.slice(0, via);
        return userFrom(body, forAt + 5, 'bad_password', 'pam');
      }
      return undefined;
    case 112: // p
      if (s.startsWith('pam_unix(sshd:auth): ') && s.startsWith(AUTH_FAILURE, 21)) return pamLine(s, 21, 'pam');
      return undefined;
    case 40: // (
      if (s.startsWith('(pam_unix) ') && s.startsWith(AUTH_FAILURE, 11)) return pamLine(s, 11, 'pam');
      return undefined;
    case 97: // a — program tag "sshd(pam_unix)" leaves the bare PAM text
      return s.startsWith(AUTH_FAILURE) ? pamLine(s, 0, 'pam') : undefined;
    case 80: // P
      return s.startsWith('PAM ') ? pamMore(s, 4) : undefined;
    case 85: // U
      if (s.startsWith('User ')) {
        const because = s.lastIndexOf(' not allowed because ');
        if (because < 5 || s.lastIndexOf(' from ', because) < 5) return undefined;
        return userFrom(s.slice(0, because), 5, 'blocked', 'not_allowed');
      }
      return undefined;
    case 82: // R
      if (s.startsWith('ROOT LOGIN REFUSED FROM ')) {
        const body = stripPreauth(s);
        const end = body.indexOf(' ', 24);
        const host = body.slice(24, end < 0 ? body.length : end);
        return { kind: 'provisional', outcome: 'failure', reason: 'blocked', code: 'root_refused', user: 'root', srcIp: ipOf(host) };
      }
      return undefined;
    default:
      if (s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57) return pamMore(s, 0);
      return undefined;
  }
}

const REPEATED = 'message repeated ';

/** Classify a message; Solaris "[ID 800047 auth.info] " prefixes and rsyslog repeats are unwrapped. */
export function classifySshdMessage(raw: string): Classified {
  const last = raw.charCodeAt(raw.length - 1);
  let s = last === 32 || last === 9 || last === 13 ? raw.trimEnd() : raw;
  if (s.startsWith('[ID ')) {
    const close = s.indexOf('] ');
    if (close > 0 && close < 40) s = s.slice(close + 2);
  }
  let repeat = 1;
  if (s.startsWith(REPEATED)) {
    const d = digitsEnd(s, REPEATED.length, 7);
    if (d === REPEATED.length || !s.startsWith(' times: [ ', d) || !s.endsWith(']')) return NONE;
    repeat = Math.min(MAX_REPEAT, Number(s.slice(REPEATED.length, d)));
    s = s.slice(d + 10, -1);
  }
  const attempt = classifyOnce(s);
  return attempt === undefined ? NONE : { attempt, repeat };
}
