import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intelStoreSuite } from '../../test/support/intel-suite.js';
import { makeAlert } from '../../test/support/alerts.js';
import { openAsyncStore } from './open.js';

// SQLite through the promise-based interface (toAsyncStore) runs the shared intelligence suite;
// store.test.ts runs the alert suite the same way.
intelStoreSuite('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-async-'));
  const file = join(dir, 'vigil.db');
  return {
    open: () => openAsyncStore(file),
    reopen: () => openAsyncStore(file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('openAsyncStore (SQLite)', () => {
  it('turns a synchronous failure into a rejected promise and keeps working after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-async-'));
    try {
      const s = await openAsyncStore(join(dir, 'v.db'));
      await expect(s.saveAlerts([makeAlert({ id: 'x', lastSeen: Number.NaN })])).rejects.toThrow(/x.*lastSeen/);
      await s.saveAlerts([makeAlert({ id: 'y' })]);
      expect((await s.listAlerts()).map((a) => a.id)).toEqual(['y']);
      await s.close();
      await expect(s.listAlerts()).rejects.toThrow(/closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses other URL schemes', async () => {
    await expect(openAsyncStore('mysql://db.example/vigil')).rejects.toThrow(/unsupported alert store/);
  });
});
