import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `vigil serve` end to end on loopback: token, HTTP batches, continuous detection, stored alerts. */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'main.js');

function vigil(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
    child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  return { child, url };
}

describe('vigil serve', () => {
  it('detects a brute force sent over HTTP by one tenant, stores it under that tenant only, and refuses bad tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
    const serverDb = join(dir, 'server.db');
    const db = join(dir, 'alerts.db');
    const a = JSON.parse(vigil(['token', 'create', '--server-db', serverDb, '--tenant', 'org2.example']).out) as { token: string; id: string };
    const b = JSON.parse(vigil(['token', 'create', '--server-db', serverDb, '--tenant', 'other.example']).out) as { token: string; id: string };
    const { child, url } = await startServe(['--server-db', serverDb, '--db', db, '--port', '0']);
    try {
      // the Okta sample holds ordinary life and a spray; add a fast brute force on one account
      const okta = readFileSync(join(root, 'samples', 'logs', 'okta', 'org2.jsonl'), 'utf8').trim().split('\n');
      const base = JSON.parse(okta[0]!) as Record<string, unknown>;
      const t0 = Date.parse('2024-02-27T22:00:00Z');
      const brute = Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({
          ...base,
          uuid: `bf-${i}`,
          published: new Date(t0 + i * 20_000).toISOString(),
          eventType: 'user.session.start',
          actor: { id: '00u1', type: 'User', alternateId: 'adam.hall@org2.example', displayName: 'Adam Hall' },
          client: { ipAddress: '45.155.205.99', userAgent: { rawUserAgent: 'python-requests/2.31' } },
          outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
        }),
      );
      const post = (token: string | undefined, body: string) =>
        fetch(`${url}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
      expect((await post(undefined, brute[0]!)).status).toBe(401);
      expect((await post('not-a-token', brute[0]!)).status).toBe(401);
      vigil(['token', 'revoke', b.id, '--server-db', serverDb]);
      expect((await post(b.token, brute[0]!)).status).toBe(401);
      const r = await post(a.token, [...okta, ...brute].join('\n'));
      expect(r.status).toBe(200);
      const body = (await r.json()) as { accepted: number };
      expect(body.accepted).toBe(okta.length + brute.length);

      let alerts: Array<{ kind: string; tenant: string; users: string[] }> = [];
      for (let i = 0; i < 40 && !alerts.some((x) => x.kind === 'brute_force'); i++) {
        await new Promise((res) => setTimeout(res, 250));
        const out = vigil(['alerts', '--db', db, '--json']).out.trim();
        alerts = out ? out.split('\n').map((l) => JSON.parse(l) as { kind: string; tenant: string; users: string[] }) : [];
      }
      const bf = alerts.find((x) => x.kind === 'brute_force');
      expect(bf?.users).toEqual(['adam.hall@org2.example']);
      expect(new Set(alerts.map((x) => x.tenant))).toEqual(new Set(['org2.example']));
    } finally {
      child.kill('SIGTERM');
    }
  });
});
