import type { FailureReason, Outcome } from '../core/types.js';

/** What a vendor failure code or message says about a sign-in that did not complete. */
export interface FailureInfo {
  outcome: Exclude<Outcome, 'success'>;
  reason: FailureReason;
  /** the password was right (expired, MFA step, policy block after validation) */
  credentialValid?: boolean;
}

const fail = (reason: FailureReason, credentialValid?: boolean): FailureInfo =>
  credentialValid ? { outcome: 'failure', reason, credentialValid } : { outcome: 'failure', reason };
const mfa = (reason: FailureReason): FailureInfo => ({ outcome: 'mfa', reason, credentialValid: true });

/** Windows NTSTATUS values carried by 4625 Status/SubStatus and 4776 Status. */
const NT_STATUS = new Map<number, FailureInfo>([
  [0xc000006a, fail('bad_password')],
  [0xc000006d, fail('bad_password')], // "unknown user name or bad password" without a SubStatus
  [0xc0000064, fail('unknown_user')],
  [0xc0000234, fail('locked')],
  [0xc0000072, fail('disabled')],
  [0xc0000193, fail('disabled')], // account expired (not the password)
  [0xc0000071, fail('expired', true)],
  [0xc0000224, fail('expired', true)],
  [0xc000006f, fail('blocked', true)],
  [0xc0000070, fail('blocked', true)],
  [0xc000015b, fail('blocked', true)],
  [0xc000006e, fail('blocked')], // account restriction, password not known to be right
  [0xc0000413, fail('blocked')], // authentication firewall
]);

/** Kerberos KDC error codes carried by 4768/4771 Status. */
const KERBEROS = new Map<number, FailureInfo>([
  [0x6, fail('unknown_user')],
  [0x12, fail('locked')], // KDC_ERR_CLIENT_REVOKED: disabled, expired or locked; Kerberos does not say which
  [0x17, fail('expired', true)],
  [0x18, fail('bad_password')],
  [0xc, fail('blocked')],
]);

/** Entra ID AADSTS codes (formats-and-standards.md), as OCSF/ECS producers copy them into status codes. */
const ENTRA = new Map<string, FailureInfo>([
  ['50126', fail('bad_password')],
  ['50034', fail('unknown_user')],
  ['50053', fail('locked')],
  ['50057', fail('disabled')],
  ['50055', fail('expired', true)],
  ['50074', mfa('mfa_required')],
  ['50076', mfa('mfa_required')],
  ['500121', mfa('mfa_denied')],
  ['53003', fail('blocked', true)],
]);

/** Okta outcome.reason values seen on sign-in events. */
const OKTA = new Map<string, FailureInfo>([
  ['INVALID_CREDENTIALS', fail('bad_password')],
  ['VERIFICATION_ERROR', fail('bad_password')],
  ['LOCKED_OUT', fail('locked')],
]);

const HEX_STATUS = /^0x([0-9a-f]{1,8})$/i;

/** "0xC000006A", "0x00000018", 24 → number; undefined when it is not a status code. */
export function parseHexStatus(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 0xffffffff) return raw;
  if (typeof raw !== 'string') return undefined;
  const m = HEX_STATUS.exec(raw.trim());
  return m?.[1] === undefined ? undefined : parseInt(m[1], 16);
}

/** One spelling for codes in AuthEvent.code: 0xC000006A, 0x18. */
export function formatStatus(code: number): string {
  return `0x${code.toString(16).toUpperCase()}`;
}

export function ntStatusFailure(code: number): FailureInfo {
  return NT_STATUS.get(code) ?? fail('other');
}

export function kerberosFailure(code: number): FailureInfo {
  return KERBEROS.get(code) ?? fail('other');
}

/** A code of unknown origin (ECS event.code, OCSF status_code): NTSTATUS hex, AADSTS number or Okta name. */
export function failureFromVendorCode(code: string | undefined): FailureInfo | undefined {
  if (code === undefined) return undefined;
  const c = code.trim();
  if (c.length > 40) return undefined;
  const hex = parseHexStatus(c);
  if (hex !== undefined && hex >= 0xc0000000) return NT_STATUS.get(hex);
  return ENTRA.get(c) ?? OKTA.get(c.toUpperCase());
}

const has = (text: string, ...words: string[]): boolean => words.some((w) => text.includes(w));

/**
 * Best-effort reading of a free-text failure reason ("Invalid user", "Account locked out", "MFA push
 * rejected"). Plain substring tests on a clipped, lower-cased copy: no regular expressions.
 */
export function failureFromText(raw: string | undefined): FailureInfo | undefined {
  if (raw === undefined) return undefined;
  const t = raw.slice(0, 300).toLowerCase().replace(/[_-]/g, ' ');
  // "invalid user " with its space: "Invalid username or password" is a password failure
  if (t.endsWith('invalid user') || has(t, 'unknown user', 'invalid user ', 'no such user', 'user not found', 'user does not exist', 'user name does not exist', 'account not found', 'user unknown')) {
    return fail('unknown_user');
  }
  if (has(t, 'mfa', 'multi factor', 'multifactor', 'second factor', '2fa', 'push', 'strong auth')) {
    if (has(t, 'denied', 'deny', 'reject', 'fail', 'invalid')) return mfa('mfa_denied');
    if (has(t, 'timeout', 'timed out', 'expired')) return mfa('mfa_timeout');
    return mfa('mfa_required');
  }
  if (has(t, 'locked', 'lockout')) return fail('locked');
  if (has(t, 'disabled')) return fail('disabled');
  if (has(t, 'expired')) return has(t, 'password') ? fail('expired', true) : fail('expired');
  if (has(t, 'bad password', 'wrong password', 'invalid password', 'incorrect password', 'invalid credentials', 'bad credentials', 'failed password', 'username or password', 'user name or password', 'password mismatch', 'authentication failure')) {
    return fail('bad_password');
  }
  if (has(t, 'blocked', 'conditional access', 'not allowed', 'policy')) return fail('blocked');
  return undefined;
}
