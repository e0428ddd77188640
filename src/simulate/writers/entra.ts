/** Microsoft Graph `signIn` resources, one JSON object per line (what `GET /auditLogs/signIns` pages contain). */
import type { SimEvent, SimUser } from '../model.js';
import { Rng } from '../rng.js';
import { browserOf, isoSeconds, osOf, type LogWriter } from './types.js';

/** AADSTS code and failureReason text per outcome (codes from the Entra error-code reference) */
export function entraStatus(e: SimEvent): { errorCode: number; failureReason: string; additionalDetails?: string } {
  if (e.outcome === 'success') return e.mfa === 'push_accepted' ? { errorCode: 0, failureReason: 'Other.', additionalDetails: 'MFA completed in Azure AD' } : { errorCode: 0, failureReason: 'Other.' };
  switch (e.reason) {
    case 'unknown_user':
      return { errorCode: 50034, failureReason: 'The user account does not exist in the directory.' };
    case 'locked':
      return { errorCode: 50053, failureReason: 'Account is locked because user tried to sign in too many times with an incorrect user ID or password.' };
    case 'expired':
      return { errorCode: 50055, failureReason: 'The password is expired.' };
    case 'mfa_denied':
      return { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.', additionalDetails: 'MFA denied; user declined the authentication' };
    case 'mfa_timeout':
      return { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.', additionalDetails: 'MFA denied; user did not respond to mobile app notification' };
    default:
      return { errorCode: 50126, failureReason: 'Error validating credentials due to invalid username or password.' };
  }
}

const objectIds = new WeakMap<SimUser, string>();

/** a user's stable Entra object id, derived from the simulator's user id */
export function objectId(user: SimUser): string {
  let id = objectIds.get(user);
  if (!id) {
    id = new Rng(`entra-object/${user.id}`).uuid();
    objectIds.set(user, id);
  }
  return id;
}

function clientApp(e: SimEvent): string {
  if (e.protocol === 'imap') return 'IMAP4';
  if (e.protocol === 'smtp') return 'Authenticated SMTP';
  if (e.protocol === 'mobile') return 'Mobile Apps and Desktop clients';
  return 'Browser';
}

export const entraWriter: LogWriter = {
  format: 'entra',
  ext: 'jsonl',
  lines(e: SimEvent, ids: Rng): string[] {
    const legacy = e.protocol === 'imap' || e.protocol === 'smtp';
    const status = entraStatus(e);
    const record = {
      id: ids.uuid(),
      createdDateTime: isoSeconds(e.time),
      userDisplayName: e.user?.displayName ?? '',
      userPrincipalName: e.login,
      userId: e.user ? objectId(e.user) : '',
      appId: legacy ? '00000002-0000-0ff1-ce00-000000000000' : '4765445b-32c6-49b0-83e6-1d93765276ca',
      appDisplayName: legacy ? 'Office 365 Exchange Online' : 'OfficeHome',
      ipAddress: e.net.ip,
      clientAppUsed: clientApp(e),
      userAgent: e.userAgent,
      correlationId: ids.uuid(),
      conditionalAccessStatus: 'notApplied',
      isInteractive: !legacy,
      riskDetail: 'none',
      riskLevelAggregated: 'none',
      riskLevelDuringSignIn: 'none',
      riskState: 'none',
      riskEventTypes_v2: [],
      resourceDisplayName: legacy ? 'Office 365 Exchange Online' : 'Office 365 SharePoint Online',
      resourceId: legacy ? '00000002-0000-0ff1-ce00-000000000000' : '00000003-0000-0ff1-ce00-000000000000',
      authenticationRequirement: e.mfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
      authenticationProtocol: legacy ? 'none' : 'oAuth2',
      autonomousSystemNumber: e.net.asn ?? 0,
      status,
      deviceDetail: { deviceId: '', displayName: '', operatingSystem: osOf(e.userAgent), browser: browserOf(e.userAgent), isCompliant: false, isManaged: false, trustType: '' },
      location: { city: e.net.city ?? '', state: '', countryOrRegion: e.net.country ?? '', geoCoordinates: {} },
      appliedConditionalAccessPolicies: [],
    };
    return [JSON.stringify(record)];
  },
};
