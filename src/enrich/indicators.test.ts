import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { IndicatorSet, loadIndicatorFile } from './indicators.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';

const FIXTURE = new URL('../../test/fixtures/enrich/intel-small.txt', import.meta.url).pathname;

function match(set: IndicatorSet, ip: string): string[] | undefined {
  const w = new Uint32Array(4);
  const v4 = parseIPv4(ip);
  if (v4 < 0 && !parseIPv6(ip, w)) throw new Error(ip);
  return set.match(v4, w);
}

describe('IP/CIDR indicator lists', () => {
  it('matches single addresses and CIDRs, v4 and v6, with labels or the file name', async () => {
    const set = new IndicatorSet();
    const info = await loadIndicatorFile(set, FIXTURE);
    expect(info.entries).toBe(4);
    expect(match(set, '198.51.100.23')).toEqual(['apt-demo']);
    expect(match(set, '198.51.100.24')).toBeUndefined();
    expect(match(set, '203.0.113.0')).toEqual(['spray-infra']);
    expect(match(set, '203.0.113.255')).toEqual(['spray-infra']);
    expect(match(set, '203.0.114.0')).toBeUndefined();
    expect(match(set, '2001:db8:bad:ffff::1')).toEqual(['v6-infra']);
    expect(match(set, '2001:db8:bae::1')).toBeUndefined();
    expect(match(set, '192.0.2.77')).toEqual(['intel-small.txt']);
  });

  it('collects every covering entry once; host bits in a CIDR are masked; /0 covers all', () => {
    const set = new IndicatorSet();
    set.addList('10.1.0.0/16,wide\n10.1.2.3/8 host-bits\n10.1.2.3,exact\n10.1.2.3,exact\n::ffff:10.9.0.0/112 mapped\n', 'x.txt');
    expect(match(set, '10.1.2.3')).toEqual(['exact', 'wide', 'host-bits']);
    expect(match(set, '10.200.0.1')).toEqual(['host-bits']);
    // most specific first
    expect(match(set, '10.9.3.4')).toEqual(['mapped', 'host-bits']);
    set.addList('::/0 everything-v6\n', 'y.txt');
    expect(match(set, '2a03:2880::1')).toEqual(['everything-v6']);
    expect(match(set, '8.8.8.8')).toBeUndefined();
  });

  it('reports malformed lines with file:line', () => {
    const set = new IndicatorSet();
    for (const [text, re] of [
      ['192.0.2.1\n192.0.2.0/33\n', /x\.txt:2: .*over 32/],
      ['# c\n\n2001:db8::/129\n', /x\.txt:3: .*over 128/],
      ['evil.example.com,domain\n', /x\.txt:1: .*not an IP/],
      ['10.0.0.0/abc\n', /x\.txt:1: .*prefix length/],
    ] as const) {
      try {
        set.addList(text, 'x.txt');
        expect.unreachable(text);
      } catch (e) {
        expect(e).toBeInstanceOf(VigilError);
        expect((e as VigilError).location).toMatch(re);
      }
    }
  });
});
