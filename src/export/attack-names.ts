/** ATT&CK names and tactics of the techniques Vigil's alerts carry (docs: formats-and-standards (f)). */
export interface TechniqueInfo {
  name: string;
  tactic: { id: string; name: string };
}

const CREDENTIAL_ACCESS = { id: 'TA0006', name: 'Credential Access' };
const INITIAL_ACCESS = { id: 'TA0001', name: 'Initial Access' };

export const TECHNIQUES: Record<string, TechniqueInfo> = {
  T1110: { name: 'Brute Force', tactic: CREDENTIAL_ACCESS },
  'T1110.001': { name: 'Password Guessing', tactic: CREDENTIAL_ACCESS },
  'T1110.003': { name: 'Password Spraying', tactic: CREDENTIAL_ACCESS },
  'T1110.004': { name: 'Credential Stuffing', tactic: CREDENTIAL_ACCESS },
  T1078: { name: 'Valid Accounts', tactic: INITIAL_ACCESS },
  'T1078.004': { name: 'Cloud Accounts', tactic: INITIAL_ACCESS },
  T1621: { name: 'Multi-Factor Authentication Request Generation', tactic: CREDENTIAL_ACCESS },
  T1090: { name: 'Proxy', tactic: { id: 'TA0011', name: 'Command and Control' } },
  'T1090.003': { name: 'Multi-hop Proxy', tactic: { id: 'TA0011', name: 'Command and Control' } },
};

export function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

/** parent technique and sub-technique of an id like T1110.003 */
export function splitTechnique(id: string): { parent: string; sub?: string } {
  const dot = id.indexOf('.');
  return dot < 0 ? { parent: id } : { parent: id.slice(0, dot), sub: id };
}
