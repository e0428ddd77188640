/** The attack scenario file (--scenario): a list of campaigns, validated, with built-in defaults. */
import { z } from 'zod';
import { VigilError } from '../core/errors.js';

const common = {
  id: z.string().min(1).max(64).optional(),
  /** activity group the ground truth names, e.g. APT28 */
  actor: z.string().max(64).optional(),
  /** hours after the simulation start */
  startHour: z.number().min(0).default(0),
  durationHours: z.number().positive().max(24 * 365),
  userAgent: z.string().max(512).optional(),
};
/** which organizations: a count (picked deterministically), 'all', or names like "org3" */
const orgPick = z.union([z.literal('all'), z.number().int().positive(), z.array(z.string()).min(1)]);

export const campaignSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('distributed_spray'),
    ...common,
    orgs: orgPick.default('all'),
    fractionAccounts: z.number().min(0).max(1).default(0.2),
    /** share of targeted names that do not exist (guessed) */
    guessedFraction: z.number().min(0).max(1).default(0.1),
    poolSize: z.number().int().positive().max(100_000).default(1100),
    torFraction: z.number().min(0).max(1).default(0.8),
    churnPerDay: z.number().int().min(0).default(20),
    attemptsPerAccountHour: z.number().positive().default(4),
    maxPerIpHour: z.number().int().positive().default(3),
    maxPerAccountHour: z.number().int().positive().default(8),
    compromised: z.number().int().min(0).default(1),
  }),
  z.object({
    kind: z.literal('brute_force'),
    ...common,
    org: z.string().optional(),
    user: z.string().optional(),
    attemptsPerHour: z.number().positive().default(335),
    ipsPerHour: z.number().int().positive().default(200),
    useTor: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('spray'),
    ...common,
    org: z.string().optional(),
    fractionAccounts: z.number().min(0).max(1).default(0.6),
    guessedFraction: z.number().min(0).max(1).default(0.2),
    roundMinutes: z.number().positive().default(30),
  }),
  z.object({
    kind: z.literal('credential_stuffing'),
    ...common,
    orgs: orgPick.default(2),
    attemptsPerHour: z.number().positive().default(60),
    unknownFraction: z.number().min(0).max(1).default(0.7),
    ips: z.number().int().positive().default(300),
    successes: z.number().int().min(0).default(1),
  }),
  z.object({
    kind: z.literal('mfa_fatigue'),
    ...common,
    org: z.string().optional(),
    user: z.string().optional(),
    pushes: z.number().int().positive().max(500).default(12),
    intervalMinutes: z.number().positive().default(3),
  }),
  z.object({
    kind: z.literal('phishing'),
    ...common,
    org: z.string().optional(),
    user: z.string().optional(),
    followUps: z.number().int().min(0).default(3),
  }),
  z.object({
    kind: z.literal('legacy_spray'),
    ...common,
    org: z.string().optional(),
    fractionAccounts: z.number().min(0).max(1).default(0.5),
    ips: z.number().int().positive().default(4),
    attemptsPerAccount: z.number().int().positive().default(3),
  }),
]);

export const scenarioSchema = z.object({
  description: z.string().optional(),
  benign: z
    .object({
      legacyIntervalMinutes: z.number().positive().default(10),
      legacyUsers: z.number().int().min(0).default(2),
      activity: z.number().positive().default(1),
      /** chance per user per working day of locking oneself out (10 wrong passwords, then the help desk) */
      lockoutRate: z.number().min(0).max(1).default(1 / 300),
      /** organizations whose service account is stuck on an expired password: a count, or org names */
      expiredServiceAccounts: z.union([z.number().int().min(0), z.array(z.string())]).default(1),
      passwordExpiryMorning: z.boolean().default(true),
    })
    .prefault({}),
  campaigns: z.array(campaignSchema),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type CampaignSpec = z.infer<typeof campaignSchema>;

/** A week-scale default: every kind of attack once, the distributed spray at Strontium's figures. */
export const DEFAULT_SCENARIO_INPUT = {
  description: 'built-in default: one campaign of each kind',
  campaigns: [
    { id: 'strontium-spray', kind: 'distributed_spray', actor: 'APT28', startHour: 10, durationHours: 120, orgs: 'all', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36' },
    { id: 'brute-1', kind: 'brute_force', startHour: 30, durationHours: 6 },
    { id: 'spray-1', kind: 'spray', startHour: 50, durationHours: 8 },
    { id: 'stuffing-1', kind: 'credential_stuffing', startHour: 20, durationHours: 24 },
    { id: 'mfa-fatigue-1', kind: 'mfa_fatigue', startHour: 75, durationHours: 1 },
    { id: 'phish-1', kind: 'phishing', startHour: 90, durationHours: 12 },
    { id: 'legacy-1', kind: 'legacy_spray', startHour: 100, durationHours: 10 },
  ],
};

export function parseScenario(input: unknown, file = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? first.path.join('.') : '';
    throw new VigilError('CONFIG', `${where || 'scenario'}: ${first?.message ?? 'invalid'}`, file);
  }
  return r.data;
}

export const DEFAULT_SCENARIO: Scenario = parseScenario(DEFAULT_SCENARIO_INPUT, 'built-in scenario');
