import type { Alert } from '../../src/core/types.js';

export const ALERT_T0 = Date.UTC(2020, 8, 1, 12, 0, 0);
export const ALERT_HOUR = 3_600_000;

/** A plausible stored alert (a spray on contoso.com) with the fields a test cares about overridden. */
export function makeAlert(over: Partial<Alert> & { id: string }): Alert {
  return {
    kind: 'password_spray',
    technique: 'T1110.003',
    severity: 'high',
    confidence: 0.8,
    tenant: 'contoso.com',
    users: ['alice@contoso.com', 'bob@contoso.com'],
    sourceIps: ['203.0.113.7'],
    firstSeen: ALERT_T0,
    lastSeen: ALERT_T0 + ALERT_HOUR,
    evidence: { attempts: 40, failures: 40, successes: 0, refs: ['signins.json:3'] },
    explanation: 'One address tried passwords on 2 accounts.',
    ...over,
  };
}
