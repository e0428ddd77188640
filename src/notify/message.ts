/** Turns an alert into template fields and rendered messages for one audience. */
import type { Alert, AlertKind } from '../core/types.js';
import { actionsFor } from '../detect/explain.js';
import { render, renderSubject, type TemplateSet, type TemplateVars } from './templates.js';
import type { Audience, Outgoing } from './types.js';

const KIND_TITLE: Record<AlertKind, string> = {
  brute_force: 'Password guessing (brute force)',
  password_spray: 'Password spray',
  distributed_spray: 'Distributed password spray',
  credential_stuffing: 'Credential stuffing',
  compromise: 'Account taken over',
  impossible_travel: 'Impossible travel',
  anonymizer_signin: 'Sign-in through an anonymizer',
  mfa_fatigue: 'MFA prompt flood',
  legacy_auth: 'Legacy-protocol sign-in attempts',
  unfamiliar_signin: 'Unfamiliar sign-in',
  intel_match: 'Sign-in from a known attacker address',
  provider_warning: 'Identity provider warning',
};

/** What happened, told to the person whose account it is. */
function whatHappened(a: Alert): string {
  switch (a.kind) {
    case 'brute_force':
    case 'password_spray':
    case 'distributed_spray':
    case 'credential_stuffing':
    case 'legacy_auth':
      return `Someone tried to guess the password of your account (${a.evidence.attempts} attempts seen).`;
    case 'compromise':
      return 'Someone who is not you very likely signed in to your account with your password.';
    case 'mfa_fatigue':
      return 'Someone who knows your password sent you many sign-in approval requests, hoping you would accept one.';
    case 'impossible_travel':
    case 'unfamiliar_signin':
    case 'anonymizer_signin':
    case 'intel_match':
    case 'provider_warning':
      return 'Your account was signed in to from a place or network that does not look like you.';
  }
}

function gotIn(a: Alert): string {
  if (a.kind === 'compromise') return 'Yes, very likely: a sign-in succeeded.';
  if (a.evidence.successes > 0) {
    return `Possibly: ${a.evidence.successes} sign-in(s) succeeded during this activity. If they were not you, treat the account as taken over.`;
  }
  return 'No: every attempt we saw failed.';
}

/** Steps for the person: change the password, sign out other sessions, stronger MFA, who to call. */
function personSteps(a: Alert, contact: string): string[] {
  const call = `If anything looks wrong, or you are unsure, call ${contact}.`;
  const taken = a.kind === 'compromise' || a.kind === 'mfa_fatigue' || a.evidence.successes > 0;
  const steps = [
    taken
      ? 'Change your password now, to a long one you use nowhere else.'
      : 'If your password is short or used anywhere else, change it now to a long one you use nowhere else.',
    'Sign out of every other session (account security page: "sign out everywhere").',
    'Move to phishing-resistant MFA: a security key or a passkey, not text messages.',
  ];
  if (a.kind === 'mfa_fatigue') steps.unshift('Deny every approval request you did not start yourself.');
  steps.push(call);
  return steps;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

export function alertVars(a: Alert, contact: string, person?: string): TemplateVars {
  const actor = a.actor ? `${a.actor.name} (confidence ${Math.round(a.actor.confidence * 100)}%)` : '';
  return {
    product: 'Vigil',
    alertId: a.id,
    kindTitle: KIND_TITLE[a.kind] ?? String(a.kind),
    severity: a.severity,
    confidence: `${Math.round(a.confidence * 100)}%`,
    tenant: a.tenant,
    firstSeen: iso(a.firstSeen),
    lastSeen: iso(a.lastSeen),
    explanation: a.explanation,
    attempts: String(a.evidence.attempts),
    failures: String(a.evidence.failures),
    successes: String(a.evidence.successes),
    users: a.users.slice(0, 50),
    sourceIps: a.sourceIps.slice(0, 50),
    refs: a.evidence.refs.slice(0, 20),
    actions: a.actions ?? actionsFor(a),
    campaignId: a.campaignId ?? '',
    actor,
    person: person ?? '',
    whatHappened: whatHappened(a),
    gotIn: gotIn(a),
    steps: personSteps(a, contact),
    contact,
  };
}

/** The webhook body: the alert with ISO times, plus the rendered text. */
function payloadOf(a: Alert, audience: Audience, subject: string, text: string, person?: string): unknown {
  const { firstSeen, lastSeen, detectedAt, ...rest } = a;
  return {
    type: 'vigil.alert',
    audience,
    ...(person !== undefined ? { person } : {}),
    subject,
    text,
    alert: {
      ...rest,
      firstSeen: iso(firstSeen),
      lastSeen: iso(lastSeen),
      ...(detectedAt !== undefined ? { detectedAt: iso(detectedAt) } : {}),
    },
  };
}

export function buildMessage(a: Alert, audience: Audience, t: TemplateSet, contact: string, person?: string): Outgoing {
  const vars = alertVars(a, contact, person);
  const subject = renderSubject(t.subject, vars);
  const text = render(t.text, vars, 'text');
  return {
    audience,
    alertIds: [a.id],
    ...(person !== undefined ? { person } : {}),
    subject,
    text,
    html: render(t.html, vars, 'html'),
    slack: render(t.text, vars, 'slack'),
    teams: render(t.text, vars, 'teams'),
    payload: payloadOf(a, audience, subject, text, person),
  };
}

const DIGEST_MAX = 50;

/** Several held messages as one: a list of subjects followed by each message. */
export function buildDigest(held: readonly Outgoing[]): Outgoing {
  const first = held[0]!;
  const shown = held.slice(0, DIGEST_MAX);
  const more = held.length - shown.length;
  const tail = more > 0 ? `\n\n…and ${more} more (see vigil alerts).` : '';
  const subject = `Vigil digest: ${held.length} alerts held back to avoid flooding`;
  const join = (pick: (m: Outgoing) => string, sep: string): string => shown.map(pick).join(sep) + tail;
  return {
    audience: first.audience,
    alertIds: held.flatMap((m) => m.alertIds),
    ...(first.person !== undefined ? { person: first.person } : {}),
    subject,
    text: join((m) => `== ${m.subject} ==\n${m.text}`, '\n\n'),
    html: join((m) => `<section>${m.html}</section>`, '<hr>'),
    slack: join((m) => m.slack, '\n\n———\n\n'),
    teams: join((m) => m.teams, '\n\n---\n\n'),
    payload: { type: 'vigil.digest', count: held.length, items: shown.map((m) => m.payload) },
  };
}
