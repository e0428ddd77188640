/**
 * Microsoft sign-in vocabulary shared by the Entra ID and Office 365 parsers: what an AADSTS error
 * code means for detection, the symbolic names O365 puts in `LogonError`, and what a
 * `clientAppUsed` value says about the protocol. Facts from MicrosoftDocs/entra-docs
 * `docs/identity-platform/reference-error-codes.md`; see docs/formats/entra.md for the table.
 */
import type { FailureReason, Outcome } from '../core/types.js';

/** What one AADSTS code means: an attempt with an outcome, or a benign step of a longer flow. */
export type CodeMeaning =
  | { kind: 'attempt'; outcome: Outcome; reason?: FailureReason; credentialValid?: boolean }
  | { kind: 'interrupt' };

const SUCCESS: CodeMeaning = { kind: 'attempt', outcome: 'success' };
const INTERRUPT: CodeMeaning = { kind: 'interrupt' };

function failure(reason: FailureReason, credentialValid?: boolean): CodeMeaning {
  return credentialValid ? { kind: 'attempt', outcome: 'failure', reason, credentialValid } : { kind: 'attempt', outcome: 'failure', reason };
}

function mfa(reason: FailureReason): CodeMeaning {
  // every MFA step comes after the password was accepted
  return { kind: 'attempt', outcome: 'mfa', reason, credentialValid: true };
}

/**
 * Codes that are a prompt inside a normal sign-in flow, not an attempt that failed: keep-me-signed-in
 * (50140), password-reset registration (50125), app confirmation (50199), silent SSO without a session
 * (50058), account picker (16000, 16001), device authentication step (50097). The formats doc calls
 * 50140 "not a failure" but does not call it a success, so these records produce no event.
 */
const INTERRUPT_CODES: ReadonlySet<number> = new Set([50140, 50125, 50199, 50058, 16000, 16001, 50097]);

const CODE_TABLE: ReadonlyMap<number, CodeMeaning> = new Map<number, CodeMeaning>([
  [0, SUCCESS],
  [50126, failure('bad_password')],
  [50056, failure('bad_password')],
  [50064, failure('bad_password')],
  [50034, failure('unknown_user')],
  [51004, failure('unknown_user')],
  [50057, failure('disabled')],
  [50055, failure('expired', true)],
  [50144, failure('expired', true)],
  [50074, mfa('mfa_required')],
  [50076, mfa('mfa_required')],
  [50079, mfa('mfa_required')],
  [50072, mfa('mfa_required')],
  // external (custom-control) MFA challenge not satisfied: also a second step after the password
  [50158, mfa('mfa_required')],
  // Conditional Access decides after the password check (formats doc rule of thumb)
  [53003, failure('blocked', true)],
  [530035, failure('blocked')],
  [53000, failure('blocked')],
  [53001, failure('blocked')],
]);

/**
 * Meaning of an AADSTS code. `text` is the record's failure reason / details, which decides the two
 * codes Microsoft overloads: 50053 (Smart Lockout vs. malicious-IP block) and 500121 (denied vs.
 * no answer).
 */
export function meaningOfCode(code: number, text: string): CodeMeaning {
  if (INTERRUPT_CODES.has(code)) return INTERRUPT;
  const known = CODE_TABLE.get(code);
  if (known) return known;
  const t = text.toLowerCase();
  if (code === 50053) return failure(t.includes('malicious') ? 'blocked' : 'locked');
  if (code === 500121) {
    const timeout = t.includes('did not respond') || t.includes('timed out') || t.includes('timeout');
    return mfa(timeout ? 'mfa_timeout' : 'mfa_denied');
  }
  return failure('other');
}

/** O365 `LogonError` symbolic names → AADSTS number (names from the Entra error-code reference). */
const LOGON_ERROR_NAMES: ReadonlyMap<string, number> = new Map<string, number>(
  (
    [
      ['InvalidUserNameOrPassword', 50126],
      ['CredentialAuthenticationError', 50064],
      ['UserAccountNotFound', 50034],
      ['UserAccountNotInDirectory', 51004],
      ['IdsLocked', 50053],
      ['UserDisabled', 50057],
      ['InvalidPasswordExpiredPassword', 50055],
      ['InvalidPasswordExpiredOnPremPassword', 50144],
      ['UserStrongAuthClientAuthNRequiredInterrupt', 50074],
      ['UserStrongAuthClientAuthNRequired', 50076],
      ['UserStrongAuthEnrollmentRequired', 50079],
      ['UserStrongAuthEnrollmentRequiredInterrupt', 50072],
      ['ExternalSecurityChallenge', 50158],
      ['BlockedByConditionalAccess', 53003],
      ['BlockedBySecurityDefaults', 530035],
      ['DeviceNotCompliant', 53000],
      ['DeviceNotDomainJoined', 53001],
      ['KmsiInterrupt', 50140],
      ['PasswordResetRegistrationRequiredInterrupt', 50125],
      ['CmsiInterrupt', 50199],
      ['UserInformationNotProvided', 50058],
      ['InteractionRequired', 16000],
      ['UserAccountSelectionInvalid', 16001],
      ['DeviceAuthenticationRequired', 50097],
    ] as const
  ).map(([name, code]) => [name.toLowerCase(), code]),
);

/** AADSTS number of an O365 `LogonError` name (case-insensitive), or undefined when unknown. */
export function codeOfLogonError(name: string): number | undefined {
  return LOGON_ERROR_NAMES.get(name.trim().toLowerCase());
}

export interface ClientApp {
  protocol: string;
  /** cannot do MFA (basic authentication) */
  legacy: boolean;
}

/** Entra `clientAppUsed` values (lower-case) → protocol. The legacy list is Microsoft's own. */
const CLIENT_APPS: ReadonlyMap<string, ClientApp> = new Map<string, ClientApp>([
  ['browser', { protocol: 'browser', legacy: false }],
  ['mobile apps and desktop clients', { protocol: 'mobile', legacy: false }],
  ['authenticated smtp', { protocol: 'smtp', legacy: true }],
  ['autodiscover', { protocol: 'autodiscover', legacy: true }],
  ['exchange activesync', { protocol: 'activesync', legacy: true }],
  ['exchange online powershell', { protocol: 'powershell', legacy: true }],
  ['exchange web services', { protocol: 'ews', legacy: true }],
  ['imap4', { protocol: 'imap', legacy: true }],
  ['imap', { protocol: 'imap', legacy: true }],
  ['mapi over http', { protocol: 'mapi', legacy: true }],
  ['offline address book', { protocol: 'oab', legacy: true }],
  ['outlook anywhere (rpc over http)', { protocol: 'rpc', legacy: true }],
  ['outlook service', { protocol: 'outlook-service', legacy: true }],
  ['pop3', { protocol: 'pop', legacy: true }],
  ['pop', { protocol: 'pop', legacy: true }],
  ['reporting web services', { protocol: 'reporting', legacy: true }],
  ['other clients', { protocol: 'other', legacy: true }],
]);

/** Protocol of a `clientAppUsed` value, or undefined when the value is absent or unknown. */
export function clientAppInfo(clientAppUsed: string | undefined): ClientApp | undefined {
  if (clientAppUsed === undefined) return undefined;
  return CLIENT_APPS.get(clientAppUsed.trim().toLowerCase());
}
