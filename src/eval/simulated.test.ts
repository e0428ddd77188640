import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, renderText } from './report.js';
import { TINY_SCENARIO } from './scenarios.js';
import { runScenario } from './simulated.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-eval-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('one tiny scenario end to end (simulate → scan → score → report)', () => {
  it('scans every generated event and scores the brute force against the truth', async () => {
    const dir = join(root, 'tiny');
    const r = await runScenario(TINY_SCENARIO, dir);
    expect(existsSync(dir)).toBe(false); // generated logs are removed unless kept
    expect(r.events).toBeGreaterThan(1000);
    expect(r.events).toBeLessThan(20_000);
    // every simulated event is a sign-in the scanner reads (no unknown gws names in this world)
    expect(r.scannedEvents).toBe(r.events);
    expect(r.malformed).toBe(0);
    expect(r.formats).toEqual(['entra', 'okta', 'sshd']);
    const brute = r.score.campaigns.find((c) => c.id === 'tiny-brute')!;
    expect(brute.skipped).toBeUndefined();
    expect(brute.targetedUsers).toBe(1);
    // 600 guesses an hour on one account from one address cannot go unseen
    expect(brute.detected).toBe(true);
    expect(brute.kinds).toContain('brute_force');
    expect(r.score.userDays).toBeGreaterThan(0);
    const report = buildReport([r], []);
    expect(report.overall.campaigns).toEqual({ total: 1, detected: 1, skipped: 0 });
    const text = renderText(report, [r]);
    expect(text).toContain('== tiny');
    expect(text).toMatch(/tiny-brute\s+brute_force\s+yes/);
    // scanned like `vigil scan`: grouped into campaigns and attributed
    expect(r.score.alerts.every((a) => a.campaignId !== undefined)).toBe(true);
    expect(report.overall.actor.attributionRan).toBe(true);
    expect(text).not.toContain('actor attributed:          n/a');
    expect(text).toMatch(/RESULT: (PASS|FAIL)/);
  }, 60_000);
});
