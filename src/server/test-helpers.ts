/** Okta System Log records for the server tests, shaped like test/fixtures/okta/system-log.jsonl. */
export interface OktaOpts {
  uuid: string;
  user?: string;
  ip?: string;
  result?: 'SUCCESS' | 'FAILURE';
  published?: string;
}

export function oktaRecord(o: OktaOpts): Record<string, unknown> {
  const result = o.result ?? 'FAILURE';
  return {
    uuid: o.uuid,
    published: o.published ?? '2024-03-04T09:15:02.113Z',
    eventType: 'user.session.start',
    actor: { id: '00u1a2b3c4', type: 'User', alternateId: o.user ?? 'alice@example.org' },
    client: { ipAddress: o.ip ?? '198.51.100.7' },
    outcome: result === 'SUCCESS' ? { result, reason: null } : { result, reason: 'INVALID_CREDENTIALS' },
  };
}
