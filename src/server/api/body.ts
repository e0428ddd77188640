import type { Context } from 'hono';
import { HttpError, readBody } from '../body.js';

/** The request body as UTF-8 text, within the API's body limit (413 beyond; gzip accepted). */
export async function bodyText(c: Context, maxBytes: number): Promise<string> {
  const buf = await readBody(c.req.raw.body, c.req.header('content-length'), c.req.header('content-encoding'), maxBytes);
  return buf.toString('utf8');
}

/** The request body as a JSON object (400 otherwise). */
export async function bodyJson(c: Context, maxBytes: number): Promise<Record<string, unknown>> {
  const text = await bodyText(c, maxBytes);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body: not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'body: a JSON object');
  return v as Record<string, unknown>;
}
