import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { DEFAULT_ACTORS_FILE, findActor, loadCatalog, parseCatalog } from './catalog.js';

describe('data/actors.json', () => {
  const catalog = loadCatalog();

  it('has the required groups with their ATT&CK ids, every one citing sources', () => {
    const ids = Object.fromEntries(catalog.actors.map((a) => [a.name, a.attackId]));
    expect(ids).toMatchObject({ APT28: 'G0007', APT29: 'G0016', APT31: 'G0128', APT35: 'G0059', Kimsuky: 'G0094', 'Star Blizzard': 'G1033' });
    expect(catalog.actors.some((a) => a.kind === 'criminal' && a.techniques.includes('T1110.004'))).toBe(true);
    for (const a of catalog.actors) expect(a.sources.length, a.name).toBeGreaterThan(0);
  });

  it('finds an actor by any vendor name, ATT&CK id or STIX id', () => {
    expect(findActor(catalog, { name: 'Forest Blizzard' })?.name).toBe('APT28');
    expect(findActor(catalog, { name: 'fancy-bear' })?.name).toBe('APT28');
    expect(findActor(catalog, { name: 'Midnight Blizzard' })?.attackId).toBe('G0016');
    expect(findActor(catalog, { name: 'SEABORGIUM' })?.name).toBe('Star Blizzard');
    expect(findActor(catalog, { name: 'Violet Typhoon' })?.attackId).toBe('G0128');
    expect(findActor(catalog, { name: 'Mint Sandstorm' })?.attackId).toBe('G0059');
    expect(findActor(catalog, { name: 'Emerald Sleet' })?.name).toBe('Kimsuky');
    expect(findActor(catalog, { name: 'whatever', attackId: 'g0007' })?.name).toBe('APT28');
    expect(findActor(catalog, { name: 'x', stixId: 'intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542' })?.name).toBe('APT29');
    expect(findActor(catalog, { name: 'Nobody Panda' })).toBeUndefined();
  });

  it('rejects a catalog entry with a malformed ATT&CK id, naming the field', () => {
    const raw = JSON.parse(readFileSync(DEFAULT_ACTORS_FILE, 'utf8')) as { actors: Array<Record<string, unknown>> };
    raw.actors[0]!.attackId = 'APT28';
    expect(() => parseCatalog(raw)).toThrow(VigilError);
    expect(() => parseCatalog(raw)).toThrow(/actors\.0\.attackId/);
  });
});
