/** Alerts as Elastic Common Schema documents (event.kind: alert), one per alert, for SIEM ingestion. */
import type { Alert } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import { splitTechnique, techniqueUrl, TECHNIQUES } from './attack-names.js';

const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : 0).toISOString();

export function alertToEcs(a: Alert): Record<string, unknown> {
  const { parent, sub } = splitTechnique(a.technique);
  const parentInfo = TECHNIQUES[parent];
  const subInfo = sub ? TECHNIQUES[sub] : undefined;
  const tactic = (subInfo ?? parentInfo)?.tactic;
  const threat: Record<string, unknown> = {
    framework: 'MITRE ATT&CK',
    technique: { id: [parent], name: [parentInfo?.name ?? parent], reference: [techniqueUrl(parent)] },
  };
  if (sub) (threat.technique as Record<string, unknown>).subtechnique = { id: [sub], name: [subInfo?.name ?? sub], reference: [techniqueUrl(sub)] };
  if (tactic) threat.tactic = { id: [tactic.id], name: [tactic.name], reference: [`https://attack.mitre.org/tactics/${tactic.id}/`] };
  if (a.actor) {
    threat.group = {
      name: a.actor.name,
      alias: a.actor.aliases,
      ...(a.actor.attackId ? { id: a.actor.attackId, reference: `https://attack.mitre.org/groups/${a.actor.attackId}/` } : {}),
    };
  }
  const doc: Record<string, unknown> = {
    '@timestamp': iso(a.detectedAt ?? a.lastSeen),
    message: a.explanation,
    event: {
      kind: 'alert',
      category: ['authentication'],
      type: ['info'],
      id: a.id,
      action: a.kind,
      dataset: 'vigil.alert',
      module: 'vigil',
      severity: SEVERITY_RANK[a.severity],
      risk_score: Math.round(a.confidence * 100),
      start: iso(a.firstSeen),
      end: iso(a.lastSeen),
      ...(a.evidence.successes > 0 ? { outcome: 'success' } : { outcome: 'failure' }),
    },
    rule: { id: a.kind, name: a.kind.replace(/_/g, ' '), ruleset: 'vigil', category: 'credential attack' },
    threat,
    organization: { id: a.tenant },
    related: { ip: a.sourceIps, user: a.users },
    labels: { severity: a.severity },
    vigil: {
      alert_id: a.id,
      ...(a.campaignId ? { campaign_id: a.campaignId } : {}),
      confidence: a.confidence,
      evidence: { attempts: a.evidence.attempts, failures: a.evidence.failures, successes: a.evidence.successes, refs: a.evidence.refs },
      ...(a.actions ? { actions: a.actions } : {}),
      ...(a.actor ? { actor_confidence: a.actor.confidence, actor_reasons: a.actor.reasons } : {}),
    },
  };
  if (a.sourceIps.length === 1) doc.source = { ip: a.sourceIps[0] };
  if (a.users.length === 1) doc.user = { name: a.users[0] };
  return doc;
}
