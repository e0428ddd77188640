import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { EVTX_MESSAGE } from './inputs.js';
import type { InputFile } from './types.js';

/** How much of the decoded start of a file is inspected for binary content and framing. */
export const HEAD_BYTES = 64 * 1024;

export type OpenedInput =
  /** chunks yields the decoded bytes from the start (head included), BOM removed, as UTF-8 */
  | { kind: 'ok'; head: Buffer; chunks: AsyncIterable<Buffer> }
  | { kind: 'empty' }
  /** the file is not something Vigil can read as a log; message says why */
  | { kind: 'rejected'; message: string };

export interface OpenOptions {
  onProgress?(file: string, bytes: number, totalBytes?: number): void;
}

/** An async chunk source that lets the caller look ahead and push bytes back. */
class ChunkSource {
  private readonly pending: Buffer[] = [];
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  async next(): Promise<Buffer | undefined> {
    const p = this.pending.pop();
    if (p !== undefined) return p;
    for (;;) {
      const r = await this.it.next();
      if (r.done === true) return undefined;
      if (r.value.length > 0) return r.value;
    }
  }

  unshift(b: Buffer): void {
    if (b.length > 0) this.pending.push(b);
  }

  /** at least n bytes (fewer only at end of input), pushed back so they are read again */
  async peek(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const c = await this.next();
      if (c === undefined) break;
      parts.push(c);
      have += c.length;
    }
    const head = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    this.unshift(head);
    return head;
  }

  /** stop the underlying input (closes the file) */
  async close(): Promise<void> {
    this.pending.length = 0;
    await this.it.return?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const c = await this.next();
        if (c === undefined) return;
        yield c;
      }
    } finally {
      await this.it.return?.();
    }
  }
}

async function* countBytes(file: InputFile, opts: OpenOptions): AsyncGenerator<Buffer> {
  const stream = file.open();
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
      bytes += buf.length;
      opts.onProgress?.(file.name, bytes, file.size);
      yield buf;
    }
  } finally {
    // stdin is shared with the process: stop reading it, but do not destroy it
    if (file.name !== '-') stream.destroy();
  }
}

async function* gunzip(src: ChunkSource): AsyncGenerator<Buffer> {
  const input = Readable.from(src);
  const gz = createGunzip();
  // pipeline forwards errors both ways and destroys both streams when one fails
  pipeline(input, gz, () => undefined);
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } finally {
    input.destroy();
    gz.destroy();
  }
}

async function* transcodeUtf16(src: AsyncIterable<Buffer>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of src) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield Buffer.from(rest, 'utf8');
}

function startsWith(buf: Buffer, bytes: readonly number[]): boolean {
  if (buf.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[i] !== bytes[i]) return false;
  return true;
}

const GZIP = [0x1f, 0x8b];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];
const EVTX_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Why a sample of decoded bytes is not text, or undefined when it looks like text: any NUL byte,
 * or more than 10% of bytes that are control characters or invalid UTF-8.
 */
export function binaryReason(sample: Buffer): string | undefined {
  const n = Math.min(sample.length, HEAD_BYTES);
  if (n === 0) return undefined;
  let bad = 0;
  let i = 0;
  while (i < n) {
    const b = sample[i] as number;
    if (b === 0) return 'binary file, not a log';
    if (b < 0x80) {
      // tab, LF, FF, CR and ESC (colour codes) occur in text logs
      if (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 27) bad++;
      else if (b === 0x7f) bad++;
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) {
      bad++;
      i++;
      continue;
    }
    if (i + len > n) break; // sequence cut by the sample's end: not evidence either way
    let ok = true;
    for (let k = 1; k < len; k++) {
      const c = sample[i + k] as number;
      if ((c & 0xc0) !== 0x80) ok = false;
    }
    if (ok) i += len;
    else {
      bad++;
      i++;
    }
  }
  return bad > n * 0.1 ? 'binary file, not a log' : undefined;
}

/**
 * Opens an input as a stream of UTF-8 text bytes: gzip undone (by magic bytes, not name), BOM
 * removed, UTF-16 transcoded, binary content rejected from its first 64 KiB. Nothing is read
 * beyond that head until the caller iterates `chunks`. Read errors surface from `chunks`.
 */
export async function openInput(file: InputFile, opts: OpenOptions = {}): Promise<OpenedInput> {
  const raw = new ChunkSource(countBytes(file, opts));
  const magic = await raw.peek(8);
  let decoded: AsyncIterable<Buffer> = raw;
  if (startsWith(magic, GZIP)) decoded = gunzip(raw);
  else if (startsWith(magic, EVTX_MAGIC)) return reject(raw, EVTX_MESSAGE);
  else if (startsWith(magic, ZIP_MAGIC)) return reject(raw, 'zip archive, not a log: unpack it first');

  let src = new ChunkSource(decoded[Symbol.asyncIterator]());
  let head = await src.peek(4);
  if (startsWith(head, UTF8_BOM)) {
    const first = (await src.next()) as Buffer;
    // the BOM may straddle chunk boundaries only if chunks are tiny: peek(4) joined them
    src.unshift(first.subarray(3));
  } else if (startsWith(head, UTF16LE_BOM) || startsWith(head, UTF16BE_BOM)) {
    const encoding = startsWith(head, UTF16LE_BOM) ? 'utf-16le' : 'utf-16be';
    const first = (await src.next()) as Buffer;
    src.unshift(first.subarray(2));
    src = new ChunkSource(transcodeUtf16(src, encoding)[Symbol.asyncIterator]());
  }
  head = await src.peek(HEAD_BYTES);
  if (head.length === 0) {
    await src.close();
    return { kind: 'empty' };
  }
  const binary = binaryReason(head);
  if (binary !== undefined) return reject(src, binary);
  return { kind: 'ok', head, chunks: src };
}

async function reject(src: ChunkSource, message: string): Promise<OpenedInput> {
  // close the underlying file now rather than when it is garbage-collected
  await src.close();
  return { kind: 'rejected', message };
}
