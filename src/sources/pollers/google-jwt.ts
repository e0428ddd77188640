/**
 * Google service-account credentials: a JWT signed RS256 with the key file's private key,
 * impersonating a Workspace admin (`sub`), exchanged at the key file's token URI for an access
 * token (RFC 7523 jwt-bearer grant). node:crypto does the signing; no Google library needed.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { VigilError } from '../../core/errors.js';
import type { ApiClient } from './http.js';
import { CachedToken, requestToken, type TokenSource } from './oauth.js';
import type { Redactor } from './secrets.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The fields of a service-account JSON key file the poller reads. */
export const serviceAccountKeySchema = z.object({
  type: z.literal('service_account').optional(),
  client_email: z.string().min(3).max(320),
  private_key: z.string().min(64),
  private_key_id: z.string().max(200).optional(),
  token_uri: z.string().url().optional(),
});
export type ServiceAccountKey = z.infer<typeof serviceAccountKeySchema>;

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export interface ServiceAccountJwtOptions {
  key: ServiceAccountKey;
  /** admin account to impersonate (domain-wide delegation) */
  subject: string;
  scope: string;
  tokenUrl: string;
}

/** The signed assertion: header.claims.signature, valid for an hour from `nowMs`. */
export function signServiceAccountJwt(opts: ServiceAccountJwtOptions, privateKey: KeyObject, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (opts.key.private_key_id !== undefined) header['kid'] = opts.key.private_key_id;
  const claims = { iss: opts.key.client_email, sub: opts.subject, scope: opts.scope, aud: opts.tokenUrl, iat, exp: iat + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), privateKey))}`;
}

export function serviceAccountToken(
  client: ApiClient,
  opts: ServiceAccountJwtOptions,
  redactor: Redactor,
  now: () => number,
): TokenSource {
  redactor.add(opts.key.private_key);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(opts.key.private_key);
  } catch {
    // the key text is never part of the message
    throw new VigilError('CONFIG', 'gws: private_key of the service-account key file is not a readable PEM key');
  }
  return new CachedToken(async (signal) => {
    const assertion = signServiceAccountJwt(opts, privateKey, now());
    redactor.addRotating(assertion);
    return requestToken(client, opts.tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, redactor, signal);
  }, now);
}
