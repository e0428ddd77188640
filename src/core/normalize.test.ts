import { describe, expect, it } from 'vitest';
import { canonicalIp, resolveTenant } from './normalize.js';

describe('canonicalIp', () => {
  it('canonicalizes the forms logs write', () => {
    expect(canonicalIp('203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp('203.0.113.7:5522')).toBe('203.0.113.7');
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIp('[2001:DB8:0:0::5]:443')).toBe('2001:db8::5');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalIp('010.001.002.003')).toBe('10.1.2.3');
  });

  it('refuses what is not an address instead of guessing one', () => {
    for (const bad of ['1.2.3.4a', '1.2.3.4.', '999.1.1.1', '-', '', 'unknown', '1.2.3', 'a:b', '1.2.3.4:x:y']) expect(canonicalIp(bad)).toBe('');
    expect(canonicalIp(42)).toBe('');
  });
});

describe('resolveTenant', () => {
  it("prefers the record's tenant, then --tenant, then the account's domain", () => {
    expect(resolveTenant(' Contoso-ID ', 'a@x.org', 'cli')).toBe('contoso-id');
    expect(resolveTenant(undefined, 'a@x.org', 'cli')).toBe('cli');
    expect(resolveTenant('', 'a@x.org')).toBe('x.org');
    expect(resolveTenant(undefined, 'root')).toBe('default');
  });
});
