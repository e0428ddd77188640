import type { Alert } from '../core/types.js';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function span(a: Alert): string {
  const h = (a.lastSeen - a.firstSeen) / 3_600_000;
  if (h < 1) return plural(Math.max(1, Math.round(h * 60)), 'minute');
  if (h < 48) return plural(Math.round(h), 'hour');
  return plural(Math.round(h / 24), 'day');
}

/** What to do now: concrete steps for an organization without a security team. */
export function actionsFor(a: Alert): string[] {
  const who = listSome(a.users, 5);
  switch (a.kind) {
    case 'compromise':
      return [
        `Treat ${who} as taken over: reset the password now and sign out every session (Entra: "Revoke sessions"; Okta: "Clear user sessions"; Google: "Sign out").`,
        'Require phishing-resistant MFA (security key or passkey) for these accounts before they sign in again.',
        'Check what the attacker did after signing in: mail forwarding and inbox rules, new MFA methods, app consents, files shared.',
        'Tell the people concerned, and report it to your national CERT or election-security contact.',
      ];
    case 'mfa_fatigue':
      return [
        `Call ${who}: tell them to deny prompts they did not start; their password is known to someone else.`,
        'Reset the password and switch to number matching or a security key.',
      ];
    case 'brute_force':
    case 'password_spray':
    case 'distributed_spray':
    case 'credential_stuffing':
    case 'legacy_auth':
      return [
        `Make sure ${who} use long unique passwords and MFA; reset any password that might be guessable.`,
        'Block legacy authentication (IMAP, POP, SMTP AUTH, basic auth) which cannot do MFA.',
        a.sourceIps.length > 0 && a.sourceIps.length <= 20
          ? `Block the attacking addresses: ${listSome(a.sourceIps, 5)}.`
          : 'Blocking addresses will not stop a rotating attacker: enforce MFA and lockout instead.',
        'Watch for a successful sign-in from these addresses: that is a compromise.',
      ];
    case 'impossible_travel':
    case 'unfamiliar_signin':
    case 'anonymizer_signin':
    case 'intel_match':
    case 'provider_warning':
      return [
        `Ask ${who} whether they signed in at that time; if not, reset the password and sign out every session.`,
        'Check the account for new MFA methods, mail forwarding rules and app consents.',
      ];
  }
}
