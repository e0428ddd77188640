/** Alerts as OCSF Detection Finding events (class_uid 2004, Findings category), one per alert. */
import type { Alert, Severity } from '../core/types.js';
import { splitTechnique, TECHNIQUES } from './attack-names.js';

export const OCSF_VERSION = '1.1.0';
const CLASS_UID = 2004;
const ACTIVITY_CREATE = 1;
/** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical */
const SEVERITY_ID: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_LABEL: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
/** OCSF observable type_id: 2 IP Address, 4 User Name */
const OBS_IP = 2;
const OBS_USER = 4;
const MAX_OBSERVABLES = 1000;

export function alertToOcsf(a: Alert): Record<string, unknown> {
  const { parent, sub } = splitTechnique(a.technique);
  const info = TECHNIQUES[sub ?? parent] ?? TECHNIQUES[parent];
  const attack: Record<string, unknown> = {
    version: 'v15',
    technique: { uid: parent, name: TECHNIQUES[parent]?.name ?? parent },
    ...(sub ? { sub_technique: { uid: sub, name: TECHNIQUES[sub]?.name ?? sub } } : {}),
    ...(info ? { tactic: { uid: info.tactic.id, name: info.tactic.name } } : {}),
  };
  const observables = [
    ...a.sourceIps.map((ip) => ({ name: 'src_endpoint.ip', type_id: OBS_IP, type: 'IP Address', value: ip })),
    ...a.users.map((u) => ({ name: 'user.name', type_id: OBS_USER, type: 'User Name', value: u })),
  ].slice(0, MAX_OBSERVABLES);
  return {
    class_uid: CLASS_UID,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    time: a.detectedAt ?? a.lastSeen,
    severity_id: SEVERITY_ID[a.severity],
    severity: SEVERITY_LABEL[a.severity],
    status_id: 1,
    status: 'New',
    confidence_score: Math.round(a.confidence * 100),
    // OCSF confidence_id: 1 Low, 2 Medium, 3 High
    confidence_id: a.confidence >= 0.8 ? 3 : a.confidence >= 0.5 ? 2 : 1,
    is_alert: true,
    message: a.explanation,
    metadata: { version: OCSF_VERSION, product: { name: 'Vigil', vendor_name: 'Vigil' }, tenant_uid: a.tenant },
    finding_info: {
      uid: a.id,
      title: a.kind.replace(/_/g, ' '),
      desc: a.explanation,
      types: [a.kind],
      first_seen_time: a.firstSeen,
      last_seen_time: a.lastSeen,
      attacks: [attack],
      ...(a.campaignId ? { related_analytics: [{ uid: a.campaignId, type_id: 99, type: 'Campaign' }] } : {}),
    },
    observables,
    ...(a.actions ? { remediation: { desc: a.actions.join(' ') } } : {}),
    unmapped: {
      evidence: a.evidence,
      ...(a.actor ? { actor: a.actor } : {}),
    },
  };
}
