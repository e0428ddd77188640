import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { crowdsecChecks, crowdsecKinds, expectAlert, GUESSING_KINDS } from './datasets.js';

describe('dataset checks', () => {
  const bf = makeAlert({ id: 'b', kind: 'brute_force', tenant: 'host', users: ['elastic_user_0'], sourceIps: ['24.151.103.17'] });
  const travel = makeAlert({ id: 't', kind: 'impossible_travel', tenant: 'bullseye', users: ['vagrant'], sourceIps: ['1.2.3.4', '9.8.8.8'] });

  it('finds an alert by kind, account (any spelling) and address', () => {
    expect(expectAlert([bf], { kinds: ['brute_force'], users: ['ELASTIC_USER_0@host'], ips: ['::ffff:24.151.103.17'] }).pass).toBe(true);
    expect(expectAlert([bf], { kinds: ['brute_force'], ips: ['24.151.103.18'] }).pass).toBe(false);
    expect(expectAlert([bf], { kinds: ['compromise'], severity: 'critical' }).pass).toBe(false);
    expect(expectAlert([bf], { kinds: ['compromise'] }, false).pass).toBe(true);
  });

  it('maps CrowdSec scenario names to our kinds', () => {
    expect(crowdsecKinds('crowdsecurity/ssh-slow-bf')).toBe(GUESSING_KINDS);
    expect(crowdsecKinds('./scenarios/crowdsecurity/ssh-time-based-bf_user-enum.yaml')).toBe(GUESSING_KINDS);
    expect(crowdsecKinds('crowdsecurity/windows-bf')).toBe(GUESSING_KINDS);
    expect(crowdsecKinds('crowdsecurity/impossible-travel-user')).toEqual(['impossible_travel']);
    expect(crowdsecKinds('crowdsecurity/ssh-cve-2024-6387')).toBeUndefined();
  });

  it('checks a labelled CrowdSec test: addresses or a user as the alert source, zero-alert tests, other-class tests', () => {
    const bySource = crowdsecChecks('ssh-bf', { expected_alerts: 2, alert_scenarios: ['crowdsecurity/ssh-bf', 'crowdsecurity/ssh-bf_user-enum'], alert_sources: ['24.151.103.17'] }, [bf]);
    expect(bySource.map((c) => c.pass)).toEqual([true]);
    const byUser = crowdsecChecks('travel-user', { expected_alerts: 1, alert_scenarios: ['crowdsecurity/impossible-travel-user'], alert_sources: ['vagrant'] }, [travel]);
    expect(byUser.map((c) => c.pass)).toEqual([true]);
    expect(crowdsecChecks('quiet', { expected_alerts: 0 }, [bf])[0]!.pass).toBe(false);
    expect(crowdsecChecks('quiet', { expected_alerts: 0 }, [])[0]!.pass).toBe(true);
    const other = crowdsecChecks('refused', { expected_alerts: 1, alert_scenarios: ['crowdsecurity/ssh-refused-conn'], alert_sources: ['192.168.1.1'] }, [bf]);
    expect(other.map((c) => c.pass)).toEqual([false]);
    expect(crowdsecChecks('parser-only', { expected_alerts: null }, [bf])).toEqual([]);
  });
});
