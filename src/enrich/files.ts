/** Reading the enrichment data files a user points at: plain or gzip, with errors that name the file. */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { VigilError } from '../core/errors.js';

function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return err instanceof Error ? err.message : String(err);
}

export function unreadable(file: string, err: unknown): VigilError {
  return new VigilError('INPUT_UNREADABLE', `cannot read: ${describeFsError(err)}`, file);
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function peek(file: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw unreadable(file, err);
  } finally {
    await fh?.close();
  }
}

/** The file's lines, gunzipped when the content is gzip (whatever the extension). */
export async function* readLines(file: string): AsyncGenerator<string> {
  const gz = isGzip(await peek(file));
  const raw = createReadStream(file);
  const input: Readable = gz ? raw.pipe(createGunzip()) : raw;
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure = err;
    input.destroy();
  };
  raw.on('error', onError);
  if (gz) input.on('error', onError);
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } catch (err) {
    failure ??= err;
  } finally {
    rl.close();
    raw.destroy();
  }
  if (failure !== undefined) throw unreadable(file, failure);
}

/** Whole file as text (small lists), gunzipped when gzip. */
export async function readText(file: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  if (isGzip(buf)) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw unreadable(file, err);
    }
  }
  return buf.toString('utf8');
}

export async function mtimeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch (err) {
    throw unreadable(file, err);
  }
}

/** A line of a list file that is neither blank nor a `#` comment, with its 1-based number. */
export function* contentLines(text: string): Generator<[line: string, lineNo: number]> {
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lineNo++;
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    if (line !== '' && !line.startsWith('#')) yield [line, lineNo];
  }
}
