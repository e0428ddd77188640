import { describe, expect, it } from 'vitest';
import { failureFromText, failureFromVendorCode, formatStatus, kerberosFailure, ntStatusFailure, parseHexStatus } from './failure-codes.js';

describe('status codes', () => {
  it('parses hex status in any case and padding, and formats one spelling', () => {
    expect(parseHexStatus('0xc000006a')).toBe(0xc000006a);
    expect(parseHexStatus('0x00000018')).toBe(0x18);
    expect(parseHexStatus('0xZZ')).toBeUndefined();
    expect(parseHexStatus('0x' + '1'.repeat(1000))).toBeUndefined();
    expect(formatStatus(0xc000006a)).toBe('0xC000006A');
  });

  it('maps the documented Windows and Kerberos codes', () => {
    expect(ntStatusFailure(0xc0000064).reason).toBe('unknown_user');
    expect(ntStatusFailure(0xc0000224)).toEqual({ outcome: 'failure', reason: 'expired', credentialValid: true });
    expect(ntStatusFailure(0xc0000070)).toEqual({ outcome: 'failure', reason: 'blocked', credentialValid: true });
    expect(ntStatusFailure(0xc0000001).reason).toBe('other');
    expect(kerberosFailure(0x17)).toEqual({ outcome: 'failure', reason: 'expired', credentialValid: true });
    expect(kerberosFailure(0x6).reason).toBe('unknown_user');
  });

  it('reads codes of unknown origin: NTSTATUS, AADSTS, Okta', () => {
    expect(failureFromVendorCode('0xC000006A')?.reason).toBe('bad_password');
    expect(failureFromVendorCode('500121')).toEqual({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
    expect(failureFromVendorCode('locked_out')?.reason).toBe('locked');
    expect(failureFromVendorCode('4625')).toBeUndefined();
  });
});

describe('failure text', () => {
  it('reads common phrasings', () => {
    expect(failureFromText('Failed password for invalid user admin')?.reason).toBe('unknown_user');
    expect(failureFromText('User rejected Okta push verify')).toEqual({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
    expect(failureFromText('Account locked out')?.reason).toBe('locked');
    expect(failureFromText('Password expired')).toEqual({ outcome: 'failure', reason: 'expired', credentialValid: true });
    expect(failureFromText('Invalid username or password.')?.reason).toBe('bad_password');
    expect(failureFromText('Sign-in was interrupted')).toBeUndefined();
    expect(failureFromText('Invalid credentials')?.reason).toBe('bad_password');
    expect(failureFromText('a'.repeat(1_000_000))).toBeUndefined();
  });
});
