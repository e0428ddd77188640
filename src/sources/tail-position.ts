import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Which file: device and inode (as decimal text: 64-bit values do not fit a JS number). */
export interface FileId {
  dev: string;
  ino: string;
}

/**
 * A file tail's resume position, committed with the records it read. `offset` is always just after
 * a newline (or 0): a partial last line is read again after a restart rather than stored here.
 * `mark` fingerprints the bytes just before `offset`, so a file that was truncated and grew past
 * the old offset again (copytruncate between two polls), or a reused inode, is not resumed mid-way.
 */
export interface TailPosition extends FileId {
  offset: number;
  mark: string;
}

const MARK_BYTES = 64;

export function sameFile(a: FileId, b: FileId): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export async function fileIdOf(fh: FileHandle): Promise<FileId & { size: number }> {
  const st = await fh.stat({ bigint: true });
  return { dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size) };
}

/** Fingerprint of up to 64 bytes before `offset` ('' at 0). */
export async function markAt(fh: FileHandle, offset: number): Promise<string> {
  if (offset <= 0) return '';
  const len = Math.min(MARK_BYTES, offset);
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, offset - len);
  return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 32);
}

/** True when the file still holds, just before `pos.offset`, the bytes the checkpoint saw there. */
export async function markMatches(fh: FileHandle, size: number, pos: TailPosition): Promise<boolean> {
  if (size < pos.offset) return false;
  return (await markAt(fh, pos.offset)) === pos.mark;
}

/** The checkpoint text read back; undefined when absent or not ours (then the tail starts afresh). */
export function parsePosition(text: string | undefined): TailPosition | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const { dev, ino, offset, mark } = v;
    if (typeof dev !== 'string' || typeof ino !== 'string' || typeof mark !== 'string') return undefined;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
    return { dev, ino, offset, mark };
  } catch {
    return undefined;
  }
}

export function positionText(pos: TailPosition): string {
  return JSON.stringify({ v: 1, dev: pos.dev, ino: pos.ino, offset: pos.offset, mark: pos.mark });
}
