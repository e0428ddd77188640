import { formOf, type FakeReply, type FakeRequest, type FakeTokens } from './server.js';

/** The Microsoft identity platform v2 token endpoint, client-credentials grant only. */
export function microsoftToken(r: FakeRequest, expect: { clientId: string; clientSecret: string; scope: string }, tokens: FakeTokens): FakeReply {
  const f = formOf(r);
  if (f.get('grant_type') !== 'client_credentials' || f.get('scope') !== expect.scope) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'AADSTS900144: bad grant or scope' } };
  }
  if (f.get('client_id') !== expect.clientId || f.get('client_secret') !== expect.clientSecret) {
    return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } };
  }
  return { status: 200, body: tokens.issue() };
}
