import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { openStore } from './open.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite.js';
import { toAsyncStore } from './async.js';

import { alertStoreSuite } from '../../test/support/store-suite.js';
import { makeAlert } from '../../test/support/alerts.js';

// ---- SQLite backend ----

let dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

alertStoreSuite('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  const file = join(dir, 'vigil.db');
  return {
    open: async () => toAsyncStore(openStore(file)),
    reopen: async () => toAsyncStore(openStore(file)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

function storeErrorOf(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
  throw new Error('expected a VigilError');
}

describe('SQLite store files', () => {
  it('refuses a file that is not SQLite, naming it, and leaves it untouched', () => {
    const file = join(tempDir(), 'notes.txt');
    const text = 'these are my notes, not a database\n'.repeat(50);
    writeFileSync(file, text);
    const err = storeErrorOf(() => openStore(file));
    expect(err.code).toBe('STORE');
    expect(err.message).toContain(file);
    expect(err.message).toContain('not an SQLite database');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a short non-SQLite file too', () => {
    const file = join(tempDir(), 'x.db');
    writeFileSync(file, 'hi');
    expect(storeErrorOf(() => openStore(file)).code).toBe('STORE');
    expect(readFileSync(file, 'utf8')).toBe('hi');
  });

  it('refuses a damaged SQLite file with a STORE error naming it', () => {
    const file = join(tempDir(), 'broken.db');
    const s = openStore(file);
    s.saveAlerts([makeAlert({ id: 'a' })]);
    s.close();
    const bytes = readFileSync(file);
    // keep the header, scribble over the schema page
    bytes.fill(0xa5, 100, Math.min(bytes.length, 4096));
    writeFileSync(file, bytes);
    const err = storeErrorOf(() => openStore(file).listAlerts());
    expect(err.code).toBe('STORE');
    expect(err.message).toContain(file);
  });

  it("refuses another program's SQLite database without adding tables to it", () => {
    const file = join(tempDir(), 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)');
    db.close();
    const before = readFileSync(file);
    const err = storeErrorOf(() => openStore(file));
    expect(err.code).toBe('STORE');
    expect(err.message).toContain('not a Vigil alert store');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a directory at the path', () => {
    const dir = tempDir();
    expect(storeErrorOf(() => openStore(dir)).message).toContain('not a regular file');
  });

  it('refuses a store written by a newer schema', () => {
    const file = join(tempDir(), 'future.db');
    openStore(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(999, 0);
    db.close();
    expect(storeErrorOf(() => openStore(file)).message).toContain('newer Vigil');
  });

  it('reports a damaged stored alert by id instead of returning garbage', () => {
    const file = join(tempDir(), 'rows.db');
    const s = openStore(file);
    s.saveAlerts([makeAlert({ id: 'hurt' })]);
    s.close();
    const db = new Database(file);
    db.prepare(`UPDATE alerts SET json = json_set(json, '$.evidence.failures', 'many') WHERE id = ?`).run('hurt');
    db.close();
    const again = openStore(file);
    const err = storeErrorOf(() => again.listAlerts());
    again.close();
    expect(err.code).toBe('STORE');
    expect(err.message).toContain('hurt');
    expect(err.message).toContain('evidence.failures');
  });

  it.skipIf(process.platform === 'win32')('creates missing directories 0700 and the database 0600, in WAL mode', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const file = join(root, 'a', 'b', 'vigil.db');
    openStore(file).close();
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SQLITE_SCHEMA_VERSION });
    db.close();
  });

  it('says PostgreSQL is not available yet', () => {
    const err = storeErrorOf(() => openStore('postgres://vigil@db.example/vigil'));
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(/PostgreSQL .*not available yet/);
  });
});
