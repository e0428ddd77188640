import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../src/store/types.js';
import { ALERT_HOUR as HOUR, ALERT_T0 as T0, makeAlert } from './alerts.js';

/** How the shared suite reaches one backend. */
export interface StoreHarness {
  /** a fresh, empty store */
  open(): AlertStore;
  /** the same storage again, opened anew (after the first was closed) */
  reopen(): AlertStore;
  cleanup(): void;
}

/** The behaviour every AlertStore must have, whatever holds the alerts. */
export function alertStoreSuite(name: string, makeHarness: () => StoreHarness): void {
  describe(`AlertStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: AlertStore;
    beforeEach(() => {
      h = makeHarness();
      store = h.open();
    });
    afterEach(() => {
      store.close();
      h.cleanup();
    });

    it('saving the same alerts twice keeps one copy of each (a re-scan writes the same ids)', () => {
      const alerts = [makeAlert({ id: 'a1' }), makeAlert({ id: 'a2', tenant: 'fabrikam.org' })];
      store.saveAlerts(alerts);
      store.saveAlerts(alerts);
      expect(store.listAlerts().map((a) => a.id).sort()).toEqual(['a1', 'a2']);
    });

    it('an alert saved again with more evidence replaces the old version, users and IPs included', () => {
      store.saveAlerts([makeAlert({ id: 'grow', users: ['alice@contoso.com'], sourceIps: ['203.0.113.7'] })]);
      store.saveAlerts([
        makeAlert({
          id: 'grow',
          severity: 'critical',
          users: ['carol@contoso.com'],
          sourceIps: ['198.51.100.9'],
          lastSeen: T0 + 5 * HOUR,
          evidence: { attempts: 90, failures: 89, successes: 1, refs: ['signins.json:99'] },
        }),
      ]);
      const [a, ...rest] = store.listAlerts();
      expect(rest).toEqual([]);
      expect(a?.severity).toBe('critical');
      expect(a?.evidence.attempts).toBe(90);
      expect(a?.lastSeen).toBe(T0 + 5 * HOUR);
      // the old user and IP no longer find it, the new ones do
      expect(store.listAlerts({ user: 'alice@contoso.com' })).toEqual([]);
      expect(store.listAlerts({ ip: '203.0.113.7' })).toEqual([]);
      expect(store.listAlerts({ user: 'carol@contoso.com' }).map((x) => x.id)).toEqual(['grow']);
      expect(store.listAlerts({ ip: '198.51.100.9' }).map((x) => x.id)).toEqual(['grow']);
    });

    it('gives back every field it was given, optional ones included', () => {
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
      store.saveAlerts([full, bare]);
      const byId = new Map(store.listAlerts().map((a) => [a.id, a]));
      expect(byId.get('full')).toEqual(full);
      expect(byId.get('bare')).toEqual(bare);
      expect(byId.get('bare')).not.toHaveProperty('campaignId');
    });

    it('lists by severity (critical first), then the most recent first', () => {
      store.saveAlerts([
        makeAlert({ id: 'low-new', severity: 'low', lastSeen: T0 + 9 * HOUR }),
        makeAlert({ id: 'high-old', severity: 'high', lastSeen: T0 + 1 * HOUR }),
        makeAlert({ id: 'crit', severity: 'critical', lastSeen: T0 }),
        makeAlert({ id: 'high-new', severity: 'high', lastSeen: T0 + 3 * HOUR }),
        makeAlert({ id: 'medium', severity: 'medium', lastSeen: T0 + 2 * HOUR }),
      ]);
      expect(store.listAlerts().map((a) => a.id)).toEqual(['crit', 'high-new', 'high-old', 'medium', 'low-new']);
    });

    describe('filters', () => {
      beforeEach(() => {
        store.saveAlerts([
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

      it('by tenant', () => {
        expect(store.listAlerts({ tenant: 'fabrikam.org' }).map((a) => a.id)).toEqual(['f-brute', 'f-legacy']);
        expect(store.listAlerts({ tenant: 'nobody.example' })).toEqual([]);
      });
      it('by kind', () => {
        expect(store.listAlerts({ kind: 'compromise' }).map((a) => a.id)).toEqual(['c-comp']);
      });
      it('by minimum severity', () => {
        expect(store.listAlerts({ minSeverity: 'high' }).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(store.listAlerts({ minSeverity: 'low' })).toHaveLength(4);
      });
      it('by user, exactly (no substring match)', () => {
        expect(store.listAlerts({ user: 'alice@contoso.com' }).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(store.listAlerts({ user: 'alice' })).toEqual([]);
        expect(store.listAlerts({ user: 'bob@contoso.com' }).map((a) => a.id)).toEqual(['c-spray']);
      });
      it('by source IP, exactly', () => {
        expect(store.listAlerts({ ip: '2001:db8::7' }).map((a) => a.id)).toEqual(['c-comp']);
        expect(store.listAlerts({ ip: '198.51.100.2' })).toEqual([]);
        expect(store.listAlerts({ ip: '203.0.113.7' }).map((a) => a.id)).toEqual(['c-spray']);
      });
      it('by last seen at or after a time', () => {
        expect(store.listAlerts({ since: T0 + 30 * HOUR }).map((a) => a.id)).toEqual(['c-comp', 'f-brute']);
      });
      it('with a limit, keeping the most severe', () => {
        expect(store.listAlerts({ limit: 2 }).map((a) => a.id)).toEqual(['c-comp', 'c-spray']);
        expect(store.listAlerts({ limit: 0 })).toEqual([]);
      });
      it('several filters together narrow further', () => {
        expect(store.listAlerts({ tenant: 'contoso.com', minSeverity: 'critical', user: 'alice@contoso.com' }).map((a) => a.id)).toEqual([
          'c-comp',
        ]);
        expect(store.listAlerts({ tenant: 'fabrikam.org', user: 'alice@contoso.com' })).toEqual([]);
      });
    });

    it('stores and matches SQL-looking tenant and user values literally', () => {
      const tenant = "x' OR '1'='1";
      const user = 'robert"); DROP TABLE alerts;--@x.org';
      store.saveAlerts([makeAlert({ id: 'inj', tenant, users: [user] }), makeAlert({ id: 'other' })]);
      expect(store.listAlerts({ tenant }).map((a) => a.id)).toEqual(['inj']);
      expect(store.listAlerts({ user }).map((a) => a.id)).toEqual(['inj']);
      expect(store.listAlerts({ tenant: "' OR 1=1 --" })).toEqual([]);
      expect(store.listAlerts().map((a) => a.id).sort()).toEqual(['inj', 'other']);
      expect(store.listAlerts({ user })[0]?.users).toEqual([user]);
    });

    it('keeps alerts across close and reopen', () => {
      store.saveAlerts([makeAlert({ id: 'kept', severity: 'critical', kind: 'compromise' })]);
      store.close();
      store = h.reopen();
      const got = store.listAlerts({ kind: 'compromise' });
      expect(got.map((a) => a.id)).toEqual(['kept']);
      expect(got[0]?.firstSeen).toBe(T0);
    });

    it('a failed save leaves nothing half-written', () => {
      const bad = makeAlert({ id: 'bad', firstSeen: Number.NaN });
      expect(() => store.saveAlerts([makeAlert({ id: 'good' }), bad])).toThrow(/firstSeen/);
      expect(store.listAlerts()).toEqual([]);
      // an alert the store could not read back is refused up front, naming it and the field
      const unreadable = makeAlert({ id: 'conf', confidence: Number.NaN });
      expect(() => store.saveAlerts([makeAlert({ id: 'good' }), unreadable])).toThrow(/conf.*confidence/);
      expect(store.listAlerts()).toEqual([]);
    });
  });
}
