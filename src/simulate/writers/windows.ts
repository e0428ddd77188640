/** Windows Security 4624/4625 as Winlogbeat ships them (ECS document with winlog.event_data), one per line. */
import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';
import type { LogWriter } from './types.js';

/** [Status, SubStatus] per failure reason */
const STATUS: Record<string, [string, string]> = {
  bad_password: ['0xc000006d', '0xc000006a'],
  unknown_user: ['0xc000006d', '0xc0000064'],
  locked: ['0xc0000234', '0x0'],
  expired: ['0xc000006e', '0xc0000071'],
  disabled: ['0xc000006e', '0xc0000072'],
};

export const windowsWriter: LogWriter = {
  format: 'windows',
  ext: 'jsonl',
  lines(e: SimEvent, ids: Rng): string[] {
    const ok = e.outcome === 'success';
    const at = e.login.indexOf('@');
    const name = e.user ? e.user.login : at > 0 ? e.login.slice(0, at) : e.login;
    const logonType = e.protocol === 'rdp' ? '10' : '3';
    const computer = e.org.host;
    const data: Record<string, string> = {
      SubjectUserSid: 'S-1-0-0',
      SubjectUserName: '-',
      SubjectDomainName: '-',
      SubjectLogonId: '0x0',
      TargetUserSid: ok ? `S-1-5-21-${ids.int(1e9, 4e9)}-${ids.int(1e9, 4e9)}-${ids.int(1e9, 4e9)}-${ids.int(1100, 9999)}` : 'S-1-0-0',
      TargetUserName: name,
      TargetDomainName: e.org.netbios,
      LogonType: logonType,
      LogonProcessName: logonType === '10' ? 'User32 ' : 'NtLmSsp ',
      AuthenticationPackageName: logonType === '10' ? 'Negotiate' : 'NTLM',
      WorkstationName: e.net.role === 'internal' ? `WS-${name.toUpperCase().slice(0, 10)}` : '-',
      IpAddress: e.net.ip,
      IpPort: String(e.port),
      ProcessName: '-',
    };
    if (ok) {
      data['TargetLogonId'] = `0x${ids.hex(7)}`;
      data['LmPackageName'] = logonType === '3' ? 'NTLM V2' : '-';
      data['ElevatedToken'] = '%%1843';
    } else {
      const [status, sub] = STATUS[e.reason ?? 'bad_password'] ?? STATUS['bad_password']!;
      data['Status'] = status;
      data['SubStatus'] = sub;
      data['FailureReason'] = e.reason === 'locked' ? '%%2307' : e.reason === 'expired' ? '%%2309' : '%%2313';
    }
    const code = ok ? '4624' : '4625';
    const record = {
      '@timestamp': new Date(e.time).toISOString(),
      agent: { type: 'winlogbeat', version: '8.12.0' },
      ecs: { version: '8.0.0' },
      event: {
        code,
        kind: 'event',
        provider: 'Microsoft-Windows-Security-Auditing',
        action: ok ? 'logged-in' : 'logon-failed',
        category: ['authentication'],
        type: ['start'],
        outcome: ok ? 'success' : 'failure',
        module: 'security',
      },
      host: { name: computer.split('.')[0] ?? computer },
      log: { level: 'information' },
      winlog: {
        channel: 'Security',
        computer_name: computer,
        event_id: code,
        provider_name: 'Microsoft-Windows-Security-Auditing',
        record_id: String(e.seq + 100000),
        keywords: [ok ? 'Audit Success' : 'Audit Failure'],
        event_data: data,
      },
    };
    return [JSON.stringify(record)];
  },
};
