import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AsyncAlertStore } from '../../src/store/types.js';
import { ALERT_HOUR as HOUR, ALERT_T0 as T0, makeAlert } from './alerts.js';

/**
 * How the shared suite reaches one backend. The suite speaks the promise-based interface, so
 * SQLite runs through toAsyncStore (src/store/async.ts) and PostgreSQL as it is.
 */
export interface StoreHarness {
  /** a fresh, empty store */
  open(): Promise<AsyncAlertStore>;
  /** the same storage again, opened anew (after the first was closed) */
  reopen(): Promise<AsyncAlertStore>;
  cleanup(): void | Promise<void>;
}

/** The behaviour every AlertStore must have, whatever holds the alerts. */
export function alertStoreSuite(name: string, makeHarness: () => StoreHarness): void {
  describe(`AlertStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: AsyncAlertStore;
    beforeEach(async () => {
      h = makeHarness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    it('saving the same alerts twice keeps one copy of each (a re-scan writes the same ids)', async () => {
      const alerts = [makeAlert({ id: 'a1' }), makeAlert({ id: 'a2', tenant: 'fabrikam.org' })];
      await store.saveAlerts(alerts);
      await store.saveAlerts(alerts);
      expect((await store.listAlerts()).map((a) => a.id).sort()).toEqual(['a1', 'a2']);
    });

    it('an alert saved again with more evidence replaces the old version, users and IPs included', async () => {
      await store.saveAlerts([makeAlert({ id: 'grow', users: ['alice@contoso.com'], sourceIps: ['203.0.113.7'] })]);
      await store.saveAlerts([
        makeAlert({
          id: 'grow',
          severity: 'critical',
          users: ['carol@contoso.com'],
          sourceIps: ['198.51.100.9'],
          lastSeen: T0 + 5 * HOUR,
          evidence: { attempts: 90, failures: 89, successes: 1, refs: ['signins.json:99'] },
        }),
      ]);
      const [a, ...rest] = await store.listAlerts();
      expect(rest).toEqual([]);
      expect(a?.severity).toBe('critical');
      expect(a?.evidence.attempts).toBe(90);
      expect(a?.lastSeen).toBe(T0 + 5 * HOUR);
      // the old user and IP no longer find it, the new ones do
      expect(await store.listAlerts({ user: 'alice@contoso.com' })).toEqual([]);
      expect(await store.listAlerts({ ip: '203.0.113.7' })).toEqual([]);
      expect((await store.listAlerts({ user: 'carol@contoso.com' })).map((x) => x.id)).toEqual(['grow']);
      expect((await store.listAlerts({ ip: '198.51.100.9' })).map((x) => x.id)).toEqual(['grow']);
    });

    it('gives back every field it was given, optional ones included', async () => {
      const full = makeAlert({
        id: 'full',
        kind: 'compromise',
        severity: 'critical',
        actions: ['Reset the password of alice@contoso.com', 'Revoke her sessions'],
        detectedAt: T0 + 30 * 60_000,
        campaignId: 'camp-1',
        actor: { name: 'APT28', aliases: ['Strontium', 'Fancy Bear'], attackId: 'G0007', confidence: 0.6, reasons: ['ip on list'] },
      });
      const bare = makeAlert({ id: 'bare', severity: 'low' });
      await store.saveAlerts([full, bare]);
      const byId = new Map((await store.listAlerts()).map((a) => [a.id, a]));
      expect(byId.get('full')).toEqual(full);
      expect(byId.get('bare')).toEqual(bare);
      expect(byId.get('bare')).not.toHaveProperty('campaignId');
    });

    it('lists by severity (critical first), then the most recent first', async () => {
      await store.saveAlerts([
        makeAlert({ id: 'low-new', severity: 'low', lastSeen: T0 + 9 * HOUR }),
        makeAlert({ id: 'high-old', severity: 'high', lastSeen: T0 + 1 * HOUR }),
        makeAlert({ id: 'crit', severity: 'critical', lastSeen: T0 }),
        makeAlert({ id: 'high-new', severity: 'high', lastSeen: T0 + 3 * HOUR }),
        makeAlert({ id: 'medium', severity: 'medium', lastSeen: T0 + 2 * HOUR }),
      ]);
      expect((await store.listAlerts()).map((a) => a.id)).toEqual(['crit', 'high-new', 'high-old', 'medium', 'low-new']);
    });

    describe('filters', () => {
      beforeEach(async () => {
        await store.saveAlerts([
          makeAlert({ id: 'c-spray', tenant: 'contoso.com', kind: 'password_spray', severity: 'high', lastSeen: T0 + 2 * HOUR }),
          makeAlert({
            id: 'c-comp',
            tenant: 'contoso.com',
            kind: 'compromise',
            severity: 'critical',
            users: ['alice@contoso.com'],
            sourceIps: ['2001:db8::7'],
            lastSeen: T0 + 30 * HOUR,
          }),
          makeAlert({
            id: 'f-brute',
            tenant: 'fabrikam.org',
            kind: 'brute_force',
            severity: 'medium',
            users: ['dave@fabrikam.org'],
            sourceIps: ['198.51.100.20'],
            lastSeen: T0 + 50 * HOUR,
          }),
          makeAlert({ id: 'f-legacy', tenant: 'fabrikam.org', kind: 'legacy_auth', severity: 'low', users: ['erin@fabrikam.org'], sourceIps: ['198.51.100.21'] }),
        ]);
      });

      it('by tenant', async () => {
        expect((await store.listAlerts({ tenant: 'fabrikam.org' })).map((a) => a.id)).toEqual(['f-brute', 'f-legacy']);
        expect(await store.listAlerts({ tenant: 'nobody.example' })).toEqual([]);
      });
      it('by id, within a tenant (what GET /v1/alerts/:id asks)', async () => {
        expect((await store.listAlerts({ id: 'f-brute' })).map((a) => a.id)).toEqual(['f-brute']);
        expect((await store.listAlerts({ id: 'f-brute', tenant: 'fabrikam.org' })).map((a) => a.id)).toEqual(['f-brute']);
        expect(await store.listAlerts({ id: 'f-brute', tenant: 'contoso.com' })).toEqual([]);
        expect(await store.listAlerts({ id: 'nobody' })).toEqual([]);
      });
      it('by kind', async () => {
        expect((await store.listAlerts({ kind: 'compromise' })).map((a) => a.id)).toEqual(['c-comp']);
      });
      it('by minimum severity', async () => {
        expect((await store.listAlerts({ minSeverity: 'high' })).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(await store.listAlerts({ minSeverity: 'low' })).toHaveLength(4);
      });
      it('by user, exactly (no substring match)', async () => {
        expect((await store.listAlerts({ user: 'alice@contoso.com' })).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(await store.listAlerts({ user: 'alice' })).toEqual([]);
        expect((await store.listAlerts({ user: 'bob@contoso.com' })).map((a) => a.id)).toEqual(['c-spray']);
      });
      it('by source IP, exactly', async () => {
        expect((await store.listAlerts({ ip: '2001:db8::7' })).map((a) => a.id)).toEqual(['c-comp']);
        expect(await store.listAlerts({ ip: '198.51.100.2' })).toEqual([]);
        expect((await store.listAlerts({ ip: '203.0.113.7' })).map((a) => a.id)).toEqual(['c-spray']);
      });
      it('by last seen at or after a time', async () => {
        expect((await store.listAlerts({ since: T0 + 30 * HOUR })).map((a) => a.id)).toEqual(['c-comp', 'f-brute']);
      });
      it('with a limit, keeping the most severe', async () => {
        expect((await store.listAlerts({ limit: 2 })).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(await store.listAlerts({ limit: 0 })).toEqual([]);
      });
      it('several filters together narrow further', async () => {
        expect((await store.listAlerts({ tenant: 'contoso.com', minSeverity: 'critical', user: 'alice@contoso.com' })).map((a) => a.id)).toEqual([
          'c-comp',
        ]);
        expect(await store.listAlerts({ tenant: 'fabrikam.org', user: 'alice@contoso.com' })).toEqual([]);
      });
    });

    it('stores and matches SQL-looking tenant and user values literally', async () => {
      const tenant = "x' OR '1'='1";
      const user = 'robert"); DROP TABLE alerts;--@x.org';
      await store.saveAlerts([makeAlert({ id: 'inj', tenant, users: [user] }), makeAlert({ id: 'other' })]);
      expect((await store.listAlerts({ tenant })).map((a) => a.id)).toEqual(['inj']);
      expect((await store.listAlerts({ user })).map((a) => a.id)).toEqual(['inj']);
      expect(await store.listAlerts({ tenant: "' OR 1=1 --" })).toEqual([]);
      expect((await store.listAlerts()).map((a) => a.id).sort()).toEqual(['inj', 'other']);
      expect((await store.listAlerts({ user }))[0]?.users).toEqual([user]);
    });

    it('keeps alerts across close and reopen', async () => {
      await store.saveAlerts([makeAlert({ id: 'kept', severity: 'critical', kind: 'compromise' })]);
      await store.close();
      store = await h.reopen();
      const got = await store.listAlerts({ kind: 'compromise' });
      expect(got.map((a) => a.id)).toEqual(['kept']);
      expect(got[0]?.firstSeen).toBe(T0);
    });

    it('a failed save leaves nothing half-written', async () => {
      const bad = makeAlert({ id: 'bad', firstSeen: Number.NaN });
      await expect(store.saveAlerts([makeAlert({ id: 'good' }), bad])).rejects.toThrow(/firstSeen/);
      expect(await store.listAlerts()).toEqual([]);
      // an alert the store could not read back is refused up front, naming it and the field
      const unreadable = makeAlert({ id: 'conf', confidence: Number.NaN });
      await expect(store.saveAlerts([makeAlert({ id: 'good' }), unreadable])).rejects.toThrow(/conf.*confidence/);
      expect(await store.listAlerts()).toEqual([]);
    });

    it("an alert id held by one tenant is never overwritten by another tenant's save", async () => {
      const a = makeAlert({ id: 'same-id', tenant: 'contoso.com', users: ['alice@contoso.com'], severity: 'high' });
      await store.saveAlerts([a]);
      const intruder = makeAlert({ id: 'same-id', tenant: 'fabrikam.org', users: ['mallory@fabrikam.org'], severity: 'critical' });
      // refused as a whole, naming the id: the other alert of the batch is not saved either
      await expect(store.saveAlerts([makeAlert({ id: 'b-other', tenant: 'fabrikam.org' }), intruder])).rejects.toThrow(/same-id.*another tenant/);
      expect(await store.listAlerts()).toEqual([a]);
      expect(await store.listAlerts({ tenant: 'fabrikam.org' })).toEqual([]);
      expect(await store.listAlerts({ user: 'mallory@fabrikam.org' })).toEqual([]);
      // the owning tenant still updates its own alert
      await store.saveAlerts([{ ...a, severity: 'critical' }]);
      expect((await store.listAlerts({ tenant: 'contoso.com' }))[0]?.severity).toBe('critical');
    });

    it('the same id twice in one batch keeps the last version', async () => {
      await store.saveAlerts([makeAlert({ id: 'twice', severity: 'low' }), makeAlert({ id: 'twice', severity: 'critical', users: ['carol@contoso.com'] })]);
      const got = await store.listAlerts();
      expect(got.map((x) => [x.id, x.severity])).toEqual([['twice', 'critical']]);
      expect((await store.listAlerts({ user: 'carol@contoso.com' })).map((x) => x.id)).toEqual(['twice']);
      expect(await store.listAlerts({ user: 'alice@contoso.com' })).toEqual([]);
    });

    it('keeps odd but valid text exactly: long names, non-ASCII, a NUL in an id or tenant', async () => {
      const long = `${'x'.repeat(5_000)}@contoso.com`;
      const odd = makeAlert({ id: 'id\u0000nul', tenant: 'tenant\u0000nul', users: [long, 'jürgen@exämple.de'] });
      await store.saveAlerts([odd]);
      expect(await store.listAlerts()).toEqual([odd]);
      expect((await store.listAlerts({ user: long })).map((x) => x.id)).toEqual(['id\u0000nul']);
      expect((await store.listAlerts({ user: 'jürgen@exämple.de' })).map((x) => x.id)).toEqual(['id\u0000nul']);
      expect((await store.listAlerts({ tenant: 'tenant\u0000nul' })).map((x) => x.id)).toEqual(['id\u0000nul']);
    });
  });
}
