/** Google Workspace Reports API login activities (`applicationName=login`), one activity per line. */
import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';
import type { LogWriter } from './types.js';

interface Param {
  name: string;
  value?: string;
  boolValue?: boolean;
  intValue?: string;
  multiValue?: string[];
}

export const gwsWriter: LogWriter = {
  format: 'gws',
  ext: 'jsonl',
  lines(e: SimEvent, ids: Rng): string[] {
    // Google only logs sign-ins to accounts that exist
    if (!e.user) return [];
    const loginType = e.protocol === 'imap' || e.protocol === 'smtp' ? 'exchange' : 'google_password';
    const params: Param[] = [{ name: 'login_type', value: loginType }];
    let name: string;
    if (e.mfa === 'push_denied' || e.mfa === 'push_timeout') {
      name = 'login_challenge';
      params.push({ name: 'login_challenge_method', multiValue: ['google_prompt'] }, { name: 'is_second_factor', boolValue: true }, { name: 'login_challenge_status', value: 'Challenge Failed.' });
    } else if (e.outcome === 'success') {
      name = 'login_success';
      params.push({ name: 'login_challenge_method', multiValue: e.mfa === 'push_accepted' ? ['password', 'google_prompt'] : ['password'] });
    } else {
      name = 'login_failure';
      params.push({ name: 'login_challenge_method', multiValue: ['password'] }, { name: 'login_failure_type', value: 'login_failure_invalid_password' });
    }
    params.push({ name: 'is_suspicious', boolValue: false }, { name: 'login_timestamp', intValue: String(e.time * 1000) });
    const record = {
      kind: 'admin#reports#activity',
      id: { time: new Date(e.time).toISOString(), uniqueQualifier: String(ids.int(1, 2 ** 31)) + String(ids.int(0, 2 ** 31)), applicationName: 'login', customerId: e.org.customerId },
      etag: `"${ids.hex(20)}"`,
      actor: { callerType: 'USER', email: e.login, profileId: String(ids.int(1e8, 9e8)) + String(ids.int(1e8, 9e8)) },
      ipAddress: e.net.ip,
      ownerDomain: e.org.domain,
      events: [{ type: 'login', name, parameters: params }],
    };
    return [JSON.stringify(record)];
  },
};
