/** The simulator's internal vocabulary: organizations, people, addresses, and one event type the writers render. */
import type { FailureReason, Outcome } from '../core/types.js';

export const SIM_FORMATS = ['entra', 'o365', 'okta', 'gws', 'windows', 'sshd'] as const;
export type SimFormat = (typeof SIM_FORMATS)[number];

export function isSimFormat(v: string): v is SimFormat {
  return (SIM_FORMATS as readonly string[]).includes(v);
}

/** formats whose logs show a second factor (push prompts) */
export const MFA_FORMATS: readonly SimFormat[] = ['entra', 'o365', 'okta', 'gws'];
/** formats where IMAP/SMTP basic auth shows up */
export const LEGACY_FORMATS: readonly SimFormat[] = ['entra', 'o365', 'gws'];

/** what an address is, as enrichment would see it */
export interface NetInfo {
  ip: string;
  asn?: number;
  asOrg?: string;
  country?: string;
  city?: string;
  role: 'residential' | 'mobile' | 'business' | 'vpn' | 'hosting' | 'tor' | 'internal';
}

export interface Traveller {
  from: string;
  to: string;
  /** epoch ms */
  departAt: number;
  arriveAt: number;
  /** where they sign in from after landing */
  abroad: NetInfo;
  abroadMobile: NetInfo;
}

export interface SimUser {
  /** e-mail / UPN, lower-case */
  email: string;
  /** local login (sshd, Windows sAMAccountName) */
  login: string;
  displayName: string;
  /** stable vendor id (Okta 00u…, Entra object id) */
  id: string;
  home: NetInfo;
  mobile: NetInfo;
  userAgent: string;
  /** relative activity level (0.5–1.5) */
  activity: number;
  travel?: Traveller;
}

export interface Org {
  index: number;
  /** short name, also the file name: 'org3' */
  name: string;
  /** primary domain: 'org3.example' */
  domain: string;
  /** Entra / O365 tenant GUID */
  tenantId: string;
  /** Google customer id / Okta org id */
  customerId: string;
  format: SimFormat;
  country: string;
  /** fixed offset from UTC in hours (daylight saving is ignored) */
  utcOffset: number;
  /** sshd / Windows host name */
  host: string;
  /** Windows NetBIOS domain */
  netbios: string;
  users: SimUser[];
  office: NetInfo;
  vpn: NetInfo;
  /** the org's own server (service accounts run there) */
  server: NetInfo;
}

export type Protocol = 'browser' | 'mobile' | 'imap' | 'smtp' | 'ssh' | 'rdp' | 'network';

/** second-factor step, for formats that log it */
export type MfaStep = 'push_denied' | 'push_timeout' | 'push_accepted';

export interface SimEvent {
  time: number;
  org: Org;
  /** the account as typed: an existing user's email, or a guessed name for unknown_user */
  login: string;
  /** undefined when the name does not exist in the org */
  user?: SimUser;
  net: NetInfo;
  port: number;
  outcome: Outcome;
  reason?: FailureReason;
  mfa?: MfaStep;
  protocol: Protocol;
  userAgent: string;
  /** campaign id, absent for benign events */
  campaign?: string;
  /** global sequence number, assigned when the event leaves the engine */
  seq: number;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

/** Anything that produces events: called once per simulated hour, in order. */
export interface EventSource {
  /** push every event whose *cause* falls in [start, start + 1h); follow-ups may be later */
  step(start: number, emit: (e: SimEvent) => void): void;
}
