/**
 * OpenSSH lines as rsyslog writes them to auth.log. Debian 12's default template stamps lines with
 * RFC 3339 high-precision times ("2024-02-26T09:15:02.123456+00:00 host sshd[pid]: ..."), which
 * carry the year and zone, so simulated logs scan the same whatever the file's date. The RFC 3164
 * form ("Mmm dd HH:MM:SS", no year) is kept in `syslogStamp` for tests of the year inference.
 */
import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';
import type { LogWriter } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function rfc3339Stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-02-26T09:15:02.123Z
  return `${iso.slice(0, 23)}000+00:00`;
}

export const sshdWriter: LogWriter = {
  format: 'sshd',
  ext: 'log',
  lines(e: SimEvent, ids: Rng): string[] {
    const at = e.login.indexOf('@');
    const name = e.user ? e.user.login : at > 0 ? e.login.slice(0, at) : e.login;
    const head = `${rfc3339Stamp(e.time)} ${e.org.host} sshd[${ids.int(1000, 65000)}]:`;
    const from = `from ${e.net.ip} port ${e.port}`;
    if (e.outcome === 'success') {
      const method = !e.campaign && e.user !== undefined && e.user.activity > 1.2 ? 'publickey' : 'password';
      return [`${head} Accepted ${method} for ${name} ${from} ssh2`];
    }
    if (!e.user) return [`${head} Invalid user ${name} ${from}`, `${head} Failed password for invalid user ${name} ${from} ssh2`];
    return [`${head} Failed password for ${name} ${from} ssh2`];
  },
};
