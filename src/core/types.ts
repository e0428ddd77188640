/** One vocabulary for every source: every parser produces AuthEvents, every detector reads them. */

export type Outcome = 'success' | 'failure' | 'mfa';

export type FailureReason =
  | 'bad_password'
  | 'unknown_user'
  | 'locked'
  | 'disabled'
  | 'expired'
  | 'mfa_required'
  | 'mfa_denied'
  | 'mfa_timeout'
  | 'blocked'
  | 'other';

export type Anonymizer = 'tor' | 'vpn' | 'proxy' | 'hosting';

export interface Geo {
  country?: string;
  city?: string;
  lat?: number;
  lon?: number;
}

export interface AuthEvent {
  /** epoch ms, event time */
  time: number;
  /** organization: tenant id or primary domain */
  tenant: string;
  /** normalized lower-case UPN / email / login name */
  user: string;
  /** canonical text form (IPv4 dotted, IPv6 compressed); '' when the record has none */
  srcIp: string;
  /**
   * the client machine's name when the log names it but gives no usable address (Windows
   * WorkstationName / Workstation): spray detection keys on it when srcIp is ''
   */
  srcHost?: string;
  outcome: Outcome;
  reason?: FailureReason;
  /**
   * True when the record proves the primary credential (password) was right even though the sign-in
   * did not complete: expired password, MFA demanded or denied, conditional-access block
   * (Entra 50055/50074/50076/500121/53003, Windows 0xC0000071/0xC0000224, Okta MFA challenges).
   */
  credentialValid?: boolean;
  /** vendor status code as text: '50126', '0xC000006A', 'INVALID_CREDENTIALS' */
  code?: string;
  /** browser, mobile, imap, pop, smtp, ews, activesync, ssh, rdp, network, kerberos, ntlm, ... */
  protocol?: string;
  /** a protocol that cannot do MFA (IMAP/POP/SMTP basic auth, EWS basic, ROPC, ...) */
  legacyAuth?: boolean;
  app?: string;
  userAgent?: string;
  geo?: Geo;
  asn?: number;
  asOrg?: string;
  anonymizer?: Anonymizer;
  /** the IP matched a loaded threat-intel indicator (its list/source name) */
  intel?: string[];
  /** private, loopback, link-local or other non-routable address */
  privateIp?: boolean;
  /** the identity provider itself flagged the sign-in (risk level, suspicious login, ThreatInsight) */
  providerRisk?: string;
  /** format id, e.g. 'entra', 'okta', 'o365', 'gws', 'windows', 'sshd', 'ecs', 'ocsf' */
  source: string;
  /** id of the raw record, for evidence: the vendor's record id, else file:line */
  ref?: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export type AlertKind =
  | 'brute_force'
  | 'password_spray'
  | 'distributed_spray'
  | 'credential_stuffing'
  | 'compromise'
  | 'impossible_travel'
  | 'anonymizer_signin'
  | 'mfa_fatigue'
  | 'legacy_auth'
  | 'unfamiliar_signin'
  | 'intel_match'
  | 'provider_warning';

export interface Evidence {
  attempts: number;
  failures: number;
  successes: number;
  /** references to raw records (bounded sample) */
  refs: string[];
}

export interface ActorAttribution {
  name: string;
  aliases: string[];
  attackId?: string;
  confidence: number;
  reasons: string[];
}

export interface Alert {
  /** stable: same input, same id */
  id: string;
  kind: AlertKind;
  /** MITRE ATT&CK id, e.g. T1110.003 */
  technique: string;
  severity: Severity;
  /** 0..1 */
  confidence: number;
  tenant: string;
  users: string[];
  sourceIps: string[];
  /** epoch ms internally; ISO 8601 in every output */
  firstSeen: number;
  lastSeen: number;
  evidence: Evidence;
  /** one or two sentences a non-expert understands */
  explanation: string;
  /** what the organization should do now, in plain words */
  actions?: string[];
  /** event time at which the detector first raised this alert (time-to-detect) */
  detectedAt?: number;
  campaignId?: string;
  actor?: ActorAttribution;
}
