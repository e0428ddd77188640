import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openServerDb } from './db.js';
import { TokenStore } from './tokens.js';

function store(): { tokens: TokenStore; db: ReturnType<typeof openServerDb> } {
  const db = openServerDb(':memory:');
  return { tokens: new TokenStore(db), db };
}

describe('API tokens', () => {
  it('are 256-bit secrets bound to one tenant and role, stored only as a SHA-256 hash', () => {
    const { tokens, db } = store();
    const { id, token } = tokens.create('Contoso.org', 'ingest', 'forwarder');
    const m = /^vgl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
    expect(m?.[1]).toBe(id);
    // 43 base64url characters carry 258 bits: the 32 random bytes
    expect(Buffer.from(m?.[2] ?? '', 'base64url')).toHaveLength(32);
    const row = db.prepare('SELECT * FROM api_tokens').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(m?.[2]);
    expect(row.hash).toEqual(createHash('sha256').update(m?.[2] ?? '').digest());
    expect(tokens.verify(token)).toEqual({ tokenId: id, tenant: 'contoso.org', tenants: ['contoso.org'], role: 'ingest' });
  });

  it('refuses malformed, unknown, altered and revoked tokens', () => {
    const { tokens } = store();
    const { id, token } = tokens.create('a.example', 'analyst');
    expect(tokens.verify('')).toBeUndefined();
    expect(tokens.verify('Bearer ' + token)).toBeUndefined();
    expect(tokens.verify('x'.repeat(100_000))).toBeUndefined();
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(tokens.verify(token.slice(0, -1) + last)).toBeUndefined();
    expect(tokens.verify(`vgl_${'0'.repeat(16)}_${token.slice(-43)}`)).toBeUndefined();
    expect(tokens.revoke(id)).toBe(true);
    expect(tokens.revoke(id)).toBe(false);
    expect(tokens.verify(token)).toBeUndefined();
    expect(tokens.list()).toEqual([expect.objectContaining({ tokenId: id, tenant: 'a.example', role: 'analyst', revokedAt: expect.any(Number) })]);
  });

  it('refuses a tenant name with separators or a role that does not exist', () => {
    const { tokens } = store();
    expect(() => tokens.create('a b', 'ingest')).toThrow(/tenant/);
    expect(() => tokens.create('', 'ingest')).toThrow(/tenant/);
    expect(() => tokens.create('a', 'root' as 'admin')).toThrow(/role/);
  });

  it('bind an analyst to several tenants, the primary first; other roles to one', () => {
    const { tokens } = store();
    const { id, token, tenants } = tokens.create('A.example', 'analyst', '', ['b.example', 'A.example', 'C.example']);
    expect(tenants).toEqual(['a.example', 'b.example', 'c.example']);
    expect(tokens.verify(token)).toEqual({ tokenId: id, tenant: 'a.example', tenants: ['a.example', 'b.example', 'c.example'], role: 'analyst' });
    expect(tokens.list()[0]?.tenants).toEqual(['a.example', 'b.example', 'c.example']);
    expect(() => tokens.create('a.example', 'ingest', '', ['b.example'])).toThrow(/only analyst/);
    expect(() => tokens.create('a.example', 'analyst', '', ['b example'])).toThrow(/tenants/);
    expect(tokens.knownTenants()).toEqual(['a.example', 'b.example', 'c.example']);
  });
});
