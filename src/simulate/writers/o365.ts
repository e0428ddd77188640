/** Office 365 Management Activity API `AzureActiveDirectoryStsLogon` records (RecordType 15), one per line. */
import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';
import { entraStatus } from './entra.js';
import type { LogWriter } from './types.js';

/** AADSTS symbolic names that O365 puts in LogonError */
const LOGON_ERROR: Record<number, string> = {
  50126: 'InvalidUserNameOrPassword',
  50034: 'UserAccountNotFound',
  50053: 'IdsLocked',
  50055: 'InvalidPasswordExpiredPassword',
  500121: 'UserStrongAuthClientAuthNRequiredInterrupt',
};

export const o365Writer: LogWriter = {
  format: 'o365',
  ext: 'jsonl',
  lines(e: SimEvent, ids: Rng): string[] {
    const status = entraStatus(e);
    const ok = status.errorCode === 0;
    const legacy = e.protocol === 'imap' || e.protocol === 'smtp';
    const puid = `100320${ids.hex(10).toUpperCase()}`;
    const record: Record<string, unknown> = {
      CreationTime: new Date(e.time).toISOString().slice(0, 19),
      Id: ids.uuid(),
      Operation: ok ? 'UserLoggedIn' : 'UserLoginFailed',
      OrganizationId: e.org.tenantId,
      RecordType: 15,
      ResultStatus: ok ? 'Success' : 'Failed',
      UserKey: puid,
      UserType: 0,
      Version: 1,
      Workload: 'AzureActiveDirectory',
      ClientIP: e.net.ip,
      ObjectId: legacy ? '00000002-0000-0ff1-ce00-000000000000' : '00000003-0000-0ff1-ce00-000000000000',
      UserId: e.login,
      AzureActiveDirectoryEventType: 1,
      ExtendedProperties: [
        { Name: 'ResultStatusDetail', Value: ok ? 'Success' : 'UserError' },
        { Name: 'UserAgent', Value: e.userAgent },
        { Name: 'RequestType', Value: legacy ? 'OAuth2:Token' : 'Login:login' },
      ],
      ModifiedProperties: [],
      Actor: [
        { ID: puid, Type: 0 },
        { ID: e.login, Type: 5 },
      ],
      ActorContextId: e.org.tenantId,
      ActorIpAddress: e.net.ip,
      InterSystemsId: ids.uuid(),
      IntraSystemId: ids.uuid(),
      SupportTicketId: '',
      Target: [{ ID: 'Url', Type: 0 }],
      TargetContextId: e.org.tenantId,
      ApplicationId: legacy ? '00000002-0000-0ff1-ce00-000000000000' : '4765445b-32c6-49b0-83e6-1d93765276ca',
      ErrorNumber: String(status.errorCode),
    };
    if (!ok) record['LogonError'] = LOGON_ERROR[status.errorCode] ?? 'InvalidUserNameOrPassword';
    return [JSON.stringify(record)];
  },
};
