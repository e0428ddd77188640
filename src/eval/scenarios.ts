/**
 * The simulated worlds `npm run eval` scores the detectors on. Deliberately varied and away from
 * the simulator's defaults (which the detectors are tuned on): other seeds, start dates, sizes,
 * rates and caps. Sized so that the whole evaluation runs in a few minutes on two cores.
 * The simulator steps hour by hour: campaign start and duration are whole hours.
 */
import type { SimOptions } from '../simulate/engine.js';
import type { SimFormat } from '../simulate/model.js';
import { parseScenario } from '../simulate/scenario.js';

export interface EvalScenario {
  name: string;
  description: string;
  options: SimOptions;
  /** the benign-only world: its false-alert rate is the point, it has no campaign */
  benignOnly?: boolean;
}

interface Spec {
  name: string;
  description: string;
  seed: string;
  start: string;
  days: number;
  orgs: number;
  users: [number, number];
  formats?: SimFormat[];
  benign?: Record<string, unknown>;
  campaigns: Record<string, unknown>[];
}

function build(s: Spec): EvalScenario {
  const options: SimOptions = {
    seed: s.seed,
    start: Date.parse(s.start),
    days: s.days,
    orgs: s.orgs,
    usersMin: s.users[0],
    usersMax: s.users[1],
    scenario: parseScenario({ description: s.description, benign: s.benign ?? {}, campaigns: s.campaigns }, `eval scenario ${s.name}`),
    ...(s.formats ? { formats: s.formats } : {}),
  };
  return { name: s.name, description: s.description, options, ...(s.campaigns.length === 0 ? { benignOnly: true } : {}) };
}

const ALL_TRAPS = { legacyUsers: 3, legacyIntervalMinutes: 5, lockoutRate: 1 / 150, expiredServiceAccounts: 4, passwordExpiryMorning: true };

const SPECS: Spec[] = [
  {
    name: 'strontium-3day',
    description: 'Strontium-style distributed spray: ≤ 4 attempts per address-hour, ≤ 5 per account-hour, 3 days, 1,300 mostly-Tor addresses, 40 organizations; 3 accounts fall',
    seed: 'eval-a-strontium',
    start: '2024-03-04T00:00:00Z',
    days: 4,
    orgs: 40,
    users: [10, 300],
    campaigns: [
      {
        id: 'strontium', kind: 'distributed_spray', actor: 'APT28', startHour: 13, durationHours: 72, orgs: 'all',
        fractionAccounts: 0.12, guessedFraction: 0.15, poolSize: 1300, torFraction: 0.85, churnPerDay: 30,
        attemptsPerAccountHour: 2.5, maxPerIpHour: 4, maxPerAccountHour: 5, compromised: 3,
      },
    ],
  },
  {
    name: 'brute-force-mix',
    description: 'four brute forces: 1,500/h from one address (sshd), slow 120/h over Tor (entra), 600/h from two addresses (windows), 335/h rotating 200 addresses (okta)',
    seed: 'eval-b-brute',
    start: '2024-05-13T00:00:00Z',
    days: 2,
    orgs: 6,
    users: [10, 80],
    formats: ['sshd', 'entra', 'windows', 'okta', 'gws', 'o365'],
    campaigns: [
      { id: 'ssh-fast', kind: 'brute_force', org: 'org1', startHour: 3, durationHours: 1, attemptsPerHour: 1500, ipsPerHour: 1 },
      { id: 'entra-tor-slow', kind: 'brute_force', org: 'org2', startHour: 20, durationHours: 3, attemptsPerHour: 120, ipsPerHour: 30, useTor: true },
      { id: 'windows-two', kind: 'brute_force', org: 'org3', startHour: 31, durationHours: 1, attemptsPerHour: 600, ipsPerHour: 2 },
      { id: 'okta-rotating', kind: 'brute_force', org: 'org4', startHour: 14, durationHours: 2 },
    ],
  },
  {
    name: 'spray-stuffing-legacy',
    description: 'single-source sprays (slow 90-min rounds, many guessed names; one on sshd), credential stuffing with 90% nonexistent names from 900 proxies, IMAP spray from one address',
    seed: 'eval-c-spray',
    start: '2024-09-09T00:00:00Z',
    days: 3,
    orgs: 12,
    users: [50, 1500],
    formats: ['entra', 'okta', 'gws', 'o365', 'sshd', 'windows', 'entra', 'okta', 'gws', 'o365', 'sshd', 'windows'],
    campaigns: [
      { id: 'spray-slow', kind: 'spray', org: 'org7', startHour: 8, durationHours: 12, fractionAccounts: 0.25, guessedFraction: 0.4, roundMinutes: 90 },
      { id: 'spray-ssh', kind: 'spray', org: 'org5', startHour: 40, durationHours: 4, fractionAccounts: 0.5, roundMinutes: 15 },
      { id: 'stuffing', kind: 'credential_stuffing', orgs: 3, startHour: 5, durationHours: 30, attemptsPerHour: 25, unknownFraction: 0.9, ips: 900, successes: 2 },
      { id: 'imap-one-source', kind: 'legacy_spray', org: 'org4', startHour: 50, durationHours: 6, fractionAccounts: 0.3, ips: 1, attemptsPerAccount: 2 },
    ],
  },
  {
    name: 'mfa-phish-compromise',
    description: 'MFA fatigue (30 prompts a minute apart; 6 prompts 8 min apart), phishing with 0 and 6 follow-ups, IMAP spray from 12 addresses, a small distributed spray where 2 sprayed accounts fall',
    seed: 'eval-d-mfa',
    start: '2024-11-18T00:00:00Z',
    days: 3,
    orgs: 8,
    users: [20, 600],
    formats: ['entra', 'okta', 'o365', 'gws', 'entra', 'okta', 'windows', 'sshd'],
    campaigns: [
      { id: 'mfa-flood', kind: 'mfa_fatigue', org: 'org1', startHour: 26, durationHours: 1, pushes: 30, intervalMinutes: 1 },
      { id: 'mfa-slow', kind: 'mfa_fatigue', org: 'org2', startHour: 40, durationHours: 1, pushes: 6, intervalMinutes: 8 },
      { id: 'phish-quiet', kind: 'phishing', org: 'org3', startHour: 33, durationHours: 2, followUps: 0 },
      { id: 'phish-busy', kind: 'phishing', org: 'org5', startHour: 15, durationHours: 10, followUps: 6 },
      { id: 'imap-12', kind: 'legacy_spray', org: 'org4', startHour: 9, durationHours: 8, fractionAccounts: 0.9, ips: 12, attemptsPerAccount: 1 },
      {
        id: 'spray-falls', kind: 'distributed_spray', orgs: ['org1', 'org6', 'org8'], startHour: 4, durationHours: 30,
        fractionAccounts: 0.3, poolSize: 250, torFraction: 0.5, maxPerIpHour: 2, maxPerAccountHour: 3, attemptsPerAccountHour: 1.5, compromised: 2,
      },
    ],
  },
  {
    name: 'big-orgs',
    description: 'five organizations of 2,000–5,000 people: a fast spray of 80% of one, a distributed spray of 3% of two (2 fall), a brute force on a domain controller',
    seed: 'eval-e-big',
    start: '2024-06-03T00:00:00Z',
    days: 2,
    orgs: 5,
    users: [2000, 5000],
    formats: ['entra', 'o365', 'okta', 'gws', 'windows'],
    campaigns: [
      { id: 'big-spray', kind: 'spray', org: 'org1', startHour: 15, durationHours: 2, fractionAccounts: 0.8, guessedFraction: 0.05, roundMinutes: 20 },
      // the simulator's distributed-spray defaults are Strontium's published figures (80% Tor, ~4 tries per account-hour, ~20 addresses swapped a day)
      { id: 'thin-spray', kind: 'distributed_spray', actor: 'STRONTIUM', orgs: ['org2', 'org3'], startHour: 2, durationHours: 36, fractionAccounts: 0.03, poolSize: 400, compromised: 2 },
      { id: 'dc-brute', kind: 'brute_force', org: 'org5', startHour: 22, durationHours: 2, attemptsPerHour: 900, ipsPerHour: 3 },
    ],
  },
  {
    name: 'everything-2025',
    description: 'one campaign of every kind at non-default settings, far from the bundled Tor snapshot (January 2025), benign traps on',
    seed: 'eval-g-all',
    start: '2025-01-06T00:00:00Z',
    days: 5,
    orgs: 15,
    users: [10, 1000],
    benign: { legacyUsers: 2, lockoutRate: 1 / 200, expiredServiceAccounts: 2 },
    campaigns: [
      { id: 'all-dspray', kind: 'distributed_spray', actor: 'Midnight Blizzard', startHour: 30, durationHours: 60, orgs: 10, fractionAccounts: 0.06, poolSize: 1500, torFraction: 0.6, maxPerIpHour: 2, maxPerAccountHour: 4, attemptsPerAccountHour: 3, compromised: 2 },
      { id: 'all-brute', kind: 'brute_force', startHour: 61, durationHours: 3, attemptsPerHour: 200, ipsPerHour: 50, useTor: true },
      { id: 'all-spray', kind: 'spray', startHour: 80, durationHours: 6, fractionAccounts: 0.9, guessedFraction: 0, roundMinutes: 45 },
      { id: 'all-stuffing', kind: 'credential_stuffing', orgs: 4, startHour: 2, durationHours: 48, attemptsPerHour: 10, unknownFraction: 0.5, ips: 200, successes: 3 },
      { id: 'all-mfa', kind: 'mfa_fatigue', startHour: 100, durationHours: 1, pushes: 15, intervalMinutes: 2 },
      { id: 'all-phish', kind: 'phishing', startHour: 45, durationHours: 6, followUps: 2 },
      { id: 'all-imap', kind: 'legacy_spray', startHour: 70, durationHours: 5, fractionAccounts: 0.7, ips: 3, attemptsPerAccount: 4 },
    ],
  },
  {
    name: 'benign-only',
    description: 'no attack: 25 organizations for a week with every benign trap turned up (lockouts, expired service accounts, expiry morning, IMAP clients, travellers)',
    seed: 'eval-f-benign',
    start: '2024-10-07T00:00:00Z',
    days: 7,
    orgs: 25,
    users: [10, 2500],
    benign: ALL_TRAPS,
    campaigns: [],
  },
];

export const EVAL_SCENARIOS: EvalScenario[] = SPECS.map(build);

/** a few thousand events, for the end-to-end test of the wiring */
export const TINY_SCENARIO: EvalScenario = build({
  name: 'tiny',
  description: 'one brute force in a small world',
  seed: 'eval-tiny',
  start: '2024-02-26T00:00:00Z',
  days: 1,
  orgs: 3,
  users: [15, 25],
  formats: ['sshd', 'entra', 'okta'],
  campaigns: [{ id: 'tiny-brute', kind: 'brute_force', org: 'org2', startHour: 9, durationHours: 1, attemptsPerHour: 600, ipsPerHour: 1 }],
});
