import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInputs } from './inputs.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-inputs-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
}

describe('resolveInputs', () => {
  it('walks directories recursively in sorted order, skipping hidden files, docs and licences', async () => {
    const root = join(tmp, 'walk');
    tree(root, {
      'b.log': 'x',
      'a.json': 'x',
      'Z.csv': 'x',
      'sub/c.log': 'x',
      'sub/.git/config': 'x',
      '.hidden.log': 'x',
      'README.md': 'x',
      'SOURCE.md': 'x',
      'LICENSE': 'x',
      'LICENSE.txt': 'x',
      'COPYING': 'x',
    });
    const { files, issues } = await resolveInputs([root]);
    expect(files.map((f) => f.name)).toEqual(['Z.csv', 'a.json', 'b.log', 'sub/c.log'].map((n) => join(root, n)));
    expect(issues).toEqual([]);
    expect(files[0]?.size).toBe(1);
    expect(typeof files[0]?.mtimeMs).toBe('number');
  });

  it('reports a missing path as a fatal issue naming it and still returns the others', async () => {
    const root = join(tmp, 'missing');
    tree(root, { 'ok.log': 'line\n' });
    const gone = join(root, 'nope.log');
    const { files, issues } = await resolveInputs([gone, join(root, 'ok.log')]);
    expect(files.map((f) => f.name)).toEqual([join(root, 'ok.log')]);
    expect(issues).toEqual([{ file: gone, message: 'cannot read: no such file or directory', fatal: true }]);
  });

  it('reports EVTX files, named or found in a directory, as needing conversion', async () => {
    const root = join(tmp, 'evtx');
    tree(root, { 'Security.evtx': 'ElfFile', 'ok.log': 'x' });
    const { files, issues } = await resolveInputs([root]);
    expect(files.map((f) => f.name)).toEqual([join(root, 'ok.log')]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: join(root, 'Security.evtx'), fatal: true });
    expect(issues[0]?.message).toMatch(/^EVTX is a binary Windows event log: convert it to JSON first/);
  });

  it('reads an explicitly named file even with a name skipped in directories', async () => {
    const root = join(tmp, 'named');
    tree(root, { 'notes.md': 'x' });
    const { files } = await resolveInputs([join(root, 'notes.md')]);
    expect(files.map((f) => f.name)).toEqual([join(root, 'notes.md')]);
  });

  it('reads the same file once even when named twice or through a directory', async () => {
    const root = join(tmp, 'dupes');
    tree(root, { 'a.log': 'x' });
    symlinkSync(join(root, 'a.log'), join(tmp, 'a-link.log'));
    const { files } = await resolveInputs([join(root, 'a.log'), root, join(tmp, 'a-link.log')]);
    expect(files.map((f) => f.name)).toEqual([join(root, 'a.log')]);
  });

  it('survives a symlink loop', async () => {
    const root = join(tmp, 'loop');
    tree(root, { 'a.log': 'x' });
    symlinkSync(root, join(root, 'self'));
    const { files } = await resolveInputs([root]);
    expect(files.map((f) => f.name)).toEqual([join(root, 'a.log')]);
  });

  it('maps "-" to stdin once', async () => {
    const stdin = Readable.from([Buffer.from('hello\n')]);
    const { files } = await resolveInputs(['-', '-'], { stdin });
    expect(files).toHaveLength(1);
    expect(files[0]?.name).toBe('-');
    expect(files[0]?.open()).toBe(stdin);
    expect(files[0]?.mtimeMs).toBeUndefined();
  });
});
