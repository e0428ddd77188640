import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileId } from './tail-position.js';

/** Compressed rotations are never read: their inode is not the one we were reading anyway. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|zip|Z)$/;
const MAX_CANDIDATES = 200;

/**
 * Where the file we were reading went after a rotation by rename: a sibling named like it
 * (`auth.log.1`, `auth.log-20261124`, `auth.log.old`) with the same device and inode.
 * Undefined when there is none (deleted, compressed, or moved elsewhere).
 */
export async function findRotatedFile(path: string, id: FileId): Promise<string | undefined> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const candidates = names
    .filter((n) => n !== base && n.startsWith(base) && !COMPRESSED.test(n))
    .sort()
    .slice(0, MAX_CANDIDATES);
  for (const name of candidates) {
    const full = join(dir, name);
    try {
      const st = await stat(full, { bigint: true });
      if (st.isFile() && st.dev.toString() === id.dev && st.ino.toString() === id.ino) return full;
    } catch {
      // removed while we looked
    }
  }
  return undefined;
}
