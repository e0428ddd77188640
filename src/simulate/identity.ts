/** How an account name appears in a format's log (what the parser will read back). */
import type { Org, SimUser } from './model.js';

export function usesLocalLogin(org: Org): boolean {
  return org.format === 'sshd' || org.format === 'windows';
}

/** the name as written in the log: e-mail/UPN, or the local login for SSH and Windows */
export function logName(org: Org, login: string, user?: SimUser): string {
  if (user) return usesLocalLogin(org) ? user.login : user.email;
  if (!usesLocalLogin(org)) return login;
  const at = login.indexOf('@');
  return at > 0 ? login.slice(0, at) : login;
}
