import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Indicator } from '../intel/types.js';
import { openStore } from './open.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite.js';
import { makeAlert } from '../../test/support/alerts.js';

let dirs: string[] = [];
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-intel-store-'));
  dirs.push(d);
  return join(d, 'vigil.db');
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const APT28 = { name: 'Forest Blizzard', aliases: ['STRONTIUM'], attackId: 'G0007', stixId: 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c' };
const FROM = Date.UTC(2024, 0, 1);
const UNTIL = Date.UTC(2024, 11, 31);

function ind(value: string, extra: Partial<Indicator> = {}): Indicator {
  return { kind: value.includes('/') ? 'cidr' : 'ip', value, actors: [APT28], source: 'partner.json', ...extra };
}

describe('IntelStore (SQLite)', () => {
  it('keeps every field of an indicator, actor link and validity included, across reopening', () => {
    const file = tempDb();
    const s = openStore(file);
    expect(s.replaceIntel('partner.json', [ind('198.51.100.7', { validFrom: FROM, validUntil: UNTIL, ref: 'indicator--1' }), ind('203.0.113.0/24')], 1_700_000_000_000)).toBe(2);
    s.close();
    const again = openStore(file);
    const all = again.listIntel();
    again.close();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ file: 'partner.json', kind: 'ip', value: '198.51.100.7', source: 'partner.json', validFrom: FROM, validUntil: UNTIL, ref: 'indicator--1', addedAt: 1_700_000_000_000 });
    expect(all[0]!.actors).toEqual([APT28]);
    expect(all[1]).toMatchObject({ kind: 'cidr', value: '203.0.113.0/24' });
    expect(all[1]!.validFrom).toBeUndefined();
    expect(all[0]!.id).not.toBe(all[1]!.id);
  });

  it('adding the same file again replaces its indicators; other files stay; repeats in one file are kept once', () => {
    const s = openStore(tempDb());
    s.replaceIntel('a.json', [ind('198.51.100.1'), ind('198.51.100.2')]);
    s.replaceIntel('b.csv', [ind('192.0.2.9', { actors: [], source: 'b.csv' })]);
    expect(s.replaceIntel('a.json', [ind('198.51.100.2'), ind('198.51.100.3'), ind('198.51.100.3')])).toBe(2);
    const all = s.listIntel();
    s.close();
    expect(all.map((i) => `${i.file} ${i.value}`)).toEqual(['a.json 198.51.100.2', 'a.json 198.51.100.3', 'b.csv 192.0.2.9']);
  });

  it('removes by file name, or by id when no file has that name', () => {
    const s = openStore(tempDb());
    s.replaceIntel('a.json', [ind('198.51.100.1'), ind('198.51.100.2')]);
    s.replaceIntel('b.json', [ind('192.0.2.9')]);
    const id = s.listIntel().find((i) => i.value === '198.51.100.2')!.id;
    expect(s.removeIntel(String(id))).toBe(1);
    expect(s.listIntel().map((i) => i.value)).toEqual(['198.51.100.1', '192.0.2.9']);
    expect(s.removeIntel('b.json')).toBe(1);
    expect(s.removeIntel('nothing.json')).toBe(0);
    expect(s.removeIntel('999999')).toBe(0);
    expect(s.listIntel().map((i) => i.value)).toEqual(['198.51.100.1']);
    s.close();
  });

  it('hostile text is stored as data: quotes, __proto__ names, long values', () => {
    const s = openStore(tempDb());
    const evil = "x'); DROP TABLE intel_indicators; --";
    s.replaceIntel('__proto__', [ind('198.51.100.1', { source: evil, actors: [{ name: '__proto__', aliases: ['constructor'] }] })]);
    s.replaceIntel(evil, [ind('198.51.100.2', { actors: [{ name: 'y'.repeat(10_000) }] })]);
    const all = s.listIntel();
    expect(all.map((i) => i.file).sort()).toEqual(['__proto__', evil].sort());
    const proto = all.find((i) => i.file === '__proto__')!;
    expect(proto.source).toBe(evil);
    expect(proto.actors).toEqual([{ name: '__proto__', aliases: ['constructor'] }]);
    // actor names are bounded in the store
    expect(all.find((i) => i.file === evil)!.actors[0]!.name.length).toBe(200);
    expect(s.removeIntel(evil)).toBe(1);
    s.close();
  });

  it('a damaged row (unknown kind, broken actor JSON) does not break listing', () => {
    const file = tempDb();
    const s = openStore(file);
    s.replaceIntel('a.json', [ind('198.51.100.1')]);
    s.close();
    const db = new Database(file);
    db.prepare("INSERT INTO intel_indicators (file, kind, value, source, actors, added_at) VALUES ('a.json', 'ip', '198.51.100.9', 'x', '{not json', 0)").run();
    db.prepare("INSERT INTO intel_indicators (file, kind, value, source, actors, added_at) VALUES ('a.json', 'weird', '1', 'x', '[]', 0)").run();
    db.prepare("INSERT INTO intel_indicators (file, kind, value, source, actors, added_at) VALUES ('a.json', 'ip', '198.51.100.10', 'x', '[1, {\"name\": 5}, {\"name\": \"APT29\", \"aliases\": [\"NOBELIUM\", 3]}]', 0)").run();
    db.close();
    const again = openStore(file);
    const all = again.listIntel();
    again.close();
    expect(all.map((i) => i.value)).toEqual(['198.51.100.1', '198.51.100.9', '198.51.100.10']);
    expect(all[1]!.actors).toEqual([]);
    expect(all[2]!.actors).toEqual([{ name: 'APT29', aliases: ['NOBELIUM'] }]);
  });

  it('an alert database of schema 1 gains the intel table on opening, alerts kept', () => {
    const file = tempDb();
    const first = openStore(file);
    first.saveAlerts([makeAlert({ id: 'kept' })]);
    first.close();
    // turn it back into a schema-1 database
    const db = new Database(file);
    db.exec('DROP TABLE intel_indicators; DELETE FROM schema_version WHERE version > 1;');
    db.close();
    const s = openStore(file);
    expect(s.replaceIntel('a.json', [ind('198.51.100.1')])).toBe(1);
    expect(s.listAlerts().map((a) => a.id)).toEqual(['kept']);
    s.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SQLITE_SCHEMA_VERSION });
    check.close();
    expect(SQLITE_SCHEMA_VERSION).toBe(2);
  });
});
