/** Threat-intelligence indicators as Vigil keeps them, whatever file they came from. */
export type IndicatorKind = 'ip' | 'cidr' | 'domain' | 'url';

export interface IntelActor {
  name: string;
  aliases?: string[];
  /** MITRE ATT&CK group id, e.g. G0007 */
  attackId?: string;
  /** STIX intrusion-set id */
  stixId?: string;
}

export interface Indicator {
  kind: IndicatorKind;
  /** canonical address, CIDR text, lower-case domain or URL */
  value: string;
  /** who the source attributes the infrastructure to, when it says */
  actors: IntelActor[];
  /** file or feed name */
  source: string;
  /** epoch ms; the indicator is valid from/until these times when set */
  validFrom?: number;
  validUntil?: number;
  /** source's id for the indicator (STIX id, MISP attribute uuid, file:line) */
  ref?: string;
}
