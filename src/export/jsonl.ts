import { z } from 'zod';
import type { Alert, AlertKind, Severity } from '../core/types.js';

/** Every alert kind, at run time (the CLI validates --kind with it, the store's reader with the schema). */
export const ALERT_KINDS = [
  'brute_force',
  'password_spray',
  'distributed_spray',
  'credential_stuffing',
  'compromise',
  'impossible_travel',
  'anonymizer_signin',
  'mfa_fatigue',
  'legacy_auth',
  'unfamiliar_signin',
  'intel_match',
  'provider_warning',
] as const satisfies readonly AlertKind[];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];

// Compile-time guard: adding a kind to core/types.ts without listing it here fails the typecheck.
type MissingKind = Exclude<AlertKind, (typeof ALERT_KINDS)[number]>;
const kindsComplete: [MissingKind] extends [never] ? true : false = true;
void kindsComplete;

/** ISO 8601 UTC with milliseconds, e.g. "2020-09-01T12:00:00.000Z". */
export function isoTime(ms: number, field: string): string {
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) {
    throw new RangeError(`${field}: ${String(ms)} is not a valid time`);
  }
  return d.toISOString();
}

/**
 * An alert as design.md names its fields, in a fixed order, times as ISO strings.
 * Optional fields appear only when they carry something.
 */
export function alertToJson(alert: Alert): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: alert.id,
    kind: alert.kind,
    technique: alert.technique,
    severity: alert.severity,
    confidence: alert.confidence,
    tenant: alert.tenant,
    users: [...alert.users],
    sourceIps: [...alert.sourceIps],
    firstSeen: isoTime(alert.firstSeen, `alert ${alert.id} firstSeen`),
    lastSeen: isoTime(alert.lastSeen, `alert ${alert.id} lastSeen`),
    evidence: {
      attempts: alert.evidence.attempts,
      failures: alert.evidence.failures,
      successes: alert.evidence.successes,
      refs: [...alert.evidence.refs],
    },
    explanation: alert.explanation,
  };
  if (alert.actions !== undefined && alert.actions.length > 0) out['actions'] = [...alert.actions];
  if (alert.detectedAt !== undefined) out['detectedAt'] = isoTime(alert.detectedAt, `alert ${alert.id} detectedAt`);
  if (alert.campaignId !== undefined && alert.campaignId !== '') out['campaignId'] = alert.campaignId;
  if (alert.actor !== undefined) {
    const a = alert.actor;
    const actor: Record<string, unknown> = { name: a.name, aliases: [...a.aliases] };
    if (a.attackId !== undefined) actor['attackId'] = a.attackId;
    actor['confidence'] = a.confidence;
    actor['reasons'] = [...a.reasons];
    out['actor'] = actor;
  }
  return out;
}

const isoMs = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .refine((ms) => Number.isFinite(ms), 'not a valid time');
const count = z.number().int().nonnegative();
const unit = z.number().min(0).max(1);

const alertSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(ALERT_KINDS),
  technique: z.string(),
  severity: z.enum(SEVERITIES),
  confidence: unit,
  tenant: z.string(),
  users: z.array(z.string()),
  sourceIps: z.array(z.string()),
  firstSeen: isoMs,
  lastSeen: isoMs,
  evidence: z.object({ attempts: count, failures: count, successes: count, refs: z.array(z.string()) }),
  explanation: z.string(),
  actions: z.array(z.string()).optional(),
  detectedAt: isoMs.optional(),
  campaignId: z.string().optional(),
  actor: z
    .object({
      name: z.string(),
      aliases: z.array(z.string()),
      attackId: z.string().optional(),
      confidence: unit,
      reasons: z.array(z.string()),
    })
    .optional(),
});

/**
 * The inverse of alertToJson. Throws an Error naming the first bad field ("evidence.failures:
 * expected number") when the value is not an alert; unknown fields are dropped.
 */
export function alertFromJson(value: unknown): Alert {
  const r = alertSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'alert' : issue.path.map(String).join('.');
    throw new Error(`${where}: ${issue?.message ?? 'not an alert'}`);
  }
  const v = r.data;
  // Rebuild field by field so optional fields that are absent stay absent (not `undefined` keys).
  const alert: Alert = {
    id: v.id,
    kind: v.kind,
    technique: v.technique,
    severity: v.severity,
    confidence: v.confidence,
    tenant: v.tenant,
    users: v.users,
    sourceIps: v.sourceIps,
    firstSeen: v.firstSeen,
    lastSeen: v.lastSeen,
    evidence: v.evidence,
    explanation: v.explanation,
  };
  if (v.actions !== undefined) alert.actions = v.actions;
  if (v.detectedAt !== undefined) alert.detectedAt = v.detectedAt;
  if (v.campaignId !== undefined) alert.campaignId = v.campaignId;
  if (v.actor !== undefined) {
    const { attackId, ...rest } = v.actor;
    alert.actor = attackId === undefined ? rest : { ...rest, attackId };
  }
  return alert;
}

/** One alert as a single line of JSON (no newline at the end), for `--json` output and SIEM export. */
export function alertToJsonLine(alert: Alert): string {
  return JSON.stringify(alertToJson(alert));
}
