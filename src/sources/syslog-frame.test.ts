import { describe, expect, it } from 'vitest';
import { SyslogStreamFramer } from './syslog-frame.js';

/** Feeds `chunks` and returns the messages and the oversize count. */
function frame(chunks: (string | Buffer)[], max = 1000): { messages: string[]; oversize: number; buffered: number } {
  const messages: string[] = [];
  let oversize = 0;
  const f = new SyslogStreamFramer(max, (m) => messages.push(m.toString('utf8')), () => oversize++);
  for (const c of chunks) f.push(typeof c === 'string' ? Buffer.from(c) : c);
  const buffered = f.buffered;
  f.end();
  return { messages, oversize, buffered };
}

const octet = (msg: string): string => `${Buffer.byteLength(msg)} ${msg}`;
const A = '<38>Nov 24 10:00:00 host sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2';
const B = '<38>1 2026-11-24T10:00:00Z host sshd 2 - - Accepted publickey for bob from 203.0.113.7 port 2 ssh2';

describe('TCP syslog framing (RFC 6587)', () => {
  it('splits octet-counted and newline-framed messages, even fed one byte at a time', () => {
    const stream = `${octet(A)}${octet(B)}${A}\n${B}\r\n${octet('<13>é multi-byte')}`;
    const bytes = Buffer.from(stream);
    const oneByOne = Array.from(bytes, (b) => Buffer.from([b]));
    expect(frame([stream]).messages).toEqual([A, B, A, B, '<13>é multi-byte']);
    expect(frame(oneByOne).messages).toEqual([A, B, A, B, '<13>é multi-byte']);
  });

  it('keeps an octet-counted message whole when it contains newlines, and skips LF after it', () => {
    const multi = '<38>Nov 24 10:00:00 host app: line one\nline two';
    expect(frame([`${octet(multi)}\n${octet(A)}\n`]).messages).toEqual([multi, A]);
  });

  it('reads a line starting with digits (a stamp without <PRI>) as a newline-framed message', () => {
    const line = '2026-11-24T10:00:00Z host sshd[3]: Invalid user x from 203.0.113.8 port 3';
    expect(frame([`${line}\n`, '12 not octet counted\n']).messages).toEqual([line, '12 not octet counted']);
  });

  it('delivers a last line without LF when the connection ends, but not a cut octet-counted message', () => {
    expect(frame([`${A}\n${B}`]).messages).toEqual([A, B]);
    expect(frame([`${A}\n${octet(B).slice(0, 20)}`]).messages).toEqual([A]);
  });

  it('skips a message over the limit in either framing, counts it, and reads the next; memory stays under the limit', () => {
    const long = `<38>${'x'.repeat(5000)}`;
    const pieces = [`${long.slice(0, 2500)}`, `${long.slice(2500)}\n${A}\n`, octet(long).slice(0, 3000), `${octet(long).slice(3000)}${octet(B)}`];
    const out = frame(pieces, 200);
    expect(out.messages).toEqual([A, B]);
    expect(out.oversize).toBe(2);
    const half = frame([`${'y'.repeat(150)}`], 200);
    expect(half.buffered).toBeLessThanOrEqual(200);
    const held = frame([`${'y'.repeat(5000)}`], 200);
    expect(held.buffered).toBe(0); // an oversize line is discarded as it comes, never held
  });
});
