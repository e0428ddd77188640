import { gunzipSync } from 'node:zlib';

/** Limits on one ingest request. */
export interface IngestLimits {
  /** bytes on the wire and bytes after gunzip, each (413 beyond) */
  maxBodyBytes: number;
  /** records in one request (413 beyond) */
  maxRecords: number;
}

export const DEFAULT_LIMITS: IngestLimits = { maxBodyBytes: 10 * 1024 * 1024, maxRecords: 50_000 };

/** A request the server refuses as a whole, with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The request body, gunzipped when Content-Encoding says gzip, refused with 413 as soon as either
 * the wire bytes or the decoded bytes pass the limit (a small gzip bomb stops at the limit too).
 */
export async function readBody(
  stream: ReadableStream<Uint8Array> | null,
  contentLength: string | undefined,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  if (stream) {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }
  const wire = Buffer.concat(chunks, size);
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return wire;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') throw new HttpError(415, 'Content-Encoding: only gzip is accepted');
  try {
    return gunzipSync(wire, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new HttpError(400, 'body: not valid gzip');
  }
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, `body: larger than ${max} bytes; send smaller batches`);
}
