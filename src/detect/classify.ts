import type { AuthEvent } from '../core/types.js';

/**
 * A failure that could be a password guess: the attacker learns nothing more from it than "wrong".
 * Expired passwords and MFA prompts are not guesses (the password was right: see credentialValid),
 * and a public-key refusal is normal SSH client behaviour before a key is accepted.
 */
export function isGuessFailure(e: AuthEvent): boolean {
  if (e.outcome !== 'failure' || e.credentialValid || e.code === 'account_warning') return false;
  switch (e.reason) {
    case 'expired':
    case 'mfa_required':
    case 'mfa_denied':
    case 'mfa_timeout':
      return false;
    case 'other':
      return e.code !== 'publickey';
    default:
      return true;
  }
}

/** The password was right: a completed sign-in, or one stopped only after the password check. */
export function isCredentialSuccess(e: AuthEvent): boolean {
  return e.outcome === 'success' || e.credentialValid === true;
}

let memoTenant = '';
let memoUser = '';
let memoKey = '\u0000';

/**
 * Key of an account inside its organization. The engine and several detectors ask for the key of
 * the same event in turn: the last key built is remembered (a fresh string costs a concatenation,
 * and flattening and hashing at its first Map lookup).
 */
export function accountKey(e: AuthEvent): string {
  return accountKeyOf(e.tenant, e.user);
}

/** accountKey from the organization and the user */
export function accountKeyOf(tenant: string, user: string): string {
  if (tenant !== memoTenant || user !== memoUser) {
    memoTenant = tenant;
    memoUser = user;
    memoKey = `${tenant}\u0000${user}`;
  }
  return memoKey;
}
