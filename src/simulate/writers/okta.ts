/** Okta System Log `LogEvent`s, one JSON object per line (what `GET /api/v1/logs` returns). */
import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';
import { browserOf, COUNTRY_NAMES, osOf, type LogWriter } from './types.js';

const OKTA_REASON: Record<string, string> = {
  bad_password: 'INVALID_CREDENTIALS',
  unknown_user: 'INVALID_CREDENTIALS',
  locked: 'LOCKED_OUT',
  expired: 'PASSWORD_EXPIRED',
};

export const oktaWriter: LogWriter = {
  format: 'okta',
  ext: 'jsonl',
  lines(e: SimEvent, ids: Rng): string[] {
    const base = (eventType: string, displayMessage: string, result: string, reason: string | null, severity: string, step: number): string => {
      const geo = { city: e.net.city ?? null, state: null, country: e.net.country ? (COUNTRY_NAMES[e.net.country] ?? e.net.country) : null, postalCode: null, geolocation: null };
      const session = ids.hex(25);
      return JSON.stringify({
        uuid: ids.uuid(),
        published: new Date(e.time).toISOString(),
        eventType,
        version: '0',
        severity,
        legacyEventType: null,
        displayMessage,
        actor: e.user
          ? { id: e.user.id, type: 'User', alternateId: e.login, displayName: e.user.displayName, detailEntry: null }
          : { id: 'unknown', type: 'User', alternateId: e.login, displayName: 'unknown', detailEntry: null },
        client: {
          userAgent: { rawUserAgent: e.userAgent, os: osOf(e.userAgent), browser: browserOf(e.userAgent).toUpperCase() },
          zone: 'null',
          device: e.protocol === 'mobile' ? 'Mobile' : 'Computer',
          id: null,
          ipAddress: e.net.ip,
          geographicalContext: geo,
        },
        outcome: { result, reason },
        target: [],
        transaction: { type: 'WEB', id: ids.hex(27), detail: {} },
        authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null, authenticationStep: step, externalSessionId: session },
        securityContext: { asNumber: e.net.asn ?? null, asOrg: e.net.asOrg ?? null, isp: e.net.asOrg ?? null, domain: null, isProxy: e.net.role === 'tor' ? true : false },
        request: { ipChain: [{ ip: e.net.ip, geographicalContext: geo, version: 'V4', source: null }] },
        debugContext: { debugData: { requestId: ids.hex(24), requestUri: '/api/v1/authn', threatSuspected: 'false', url: '/api/v1/authn?' } },
      });
    };
    if (e.mfa === 'push_denied' || e.mfa === 'push_timeout') {
      // one push sent, then the user rejects it (or it expires)
      return [
        base('system.push.send_factor_verify_push', 'Push notification sent for verification', 'SUCCESS', null, 'INFO', 1),
        e.mfa === 'push_denied'
          ? base('user.mfa.okta_verify.deny_push', 'User rejected Okta push verify', 'FAILURE', 'User rejected Okta push verify', 'WARN', 1)
          : base('user.authentication.auth_via_mfa', 'Authentication of user via MFA', 'FAILURE', 'VERIFICATION_ERROR', 'WARN', 1),
      ];
    }
    if (e.mfa === 'push_accepted') {
      return [
        base('system.push.send_factor_verify_push', 'Push notification sent for verification', 'SUCCESS', null, 'INFO', 1),
        base('user.authentication.auth_via_mfa', 'Authentication of user via MFA', 'SUCCESS', null, 'INFO', 1),
        base('user.session.start', 'User login to Okta', 'SUCCESS', null, 'INFO', 0),
      ];
    }
    if (e.outcome === 'success') return [base('user.session.start', 'User login to Okta', 'SUCCESS', null, 'INFO', 0)];
    return [base('user.session.start', 'User login to Okta', 'FAILURE', OKTA_REASON[e.reason ?? 'bad_password'] ?? 'INVALID_CREDENTIALS', 'WARN', 0)];
  },
};
