import type { Context } from 'hono';
import { HttpError } from '../body.js';

/** Query-string readers: each refuses a bad value with 400 naming the parameter, never echoing much of it. */

const MAX_PARAM = 256;

export function param(c: Context, name: string): string | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_PARAM) throw new HttpError(400, `${name}: longer than ${MAX_PARAM} characters`);
  return v;
}

export function oneOf<T extends string>(c: Context, name: string, allowed: readonly T[]): T | undefined {
  const v = param(c, name);
  if (v === undefined) return undefined;
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) throw new HttpError(400, `${name}: one of ${allowed.join(', ')}`);
  return hit;
}

/** `limit`, 1..max; `fallback` when absent. */
export function limitParam(c: Context, max: number, fallback = Math.min(100, max)): number {
  const v = param(c, 'limit');
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new HttpError(400, `limit: a whole number from 1 to ${max}`);
  return n;
}

export function offsetParam(c: Context): number {
  const v = param(c, 'offset');
  if (v === undefined) return 0;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new HttpError(400, 'offset: a whole number >= 0');
  return n;
}

/** A time as ISO 8601 (with offset or Z) or epoch milliseconds; epoch ms out. */
export function timeParam(c: Context, name: string): number | undefined {
  const v = param(c, name);
  if (v === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new HttpError(400, `${name}: an ISO 8601 time (2024-03-04T09:00:00Z) or epoch milliseconds`);
  return ms;
}

/** Tenant names as tokens bind them (lower case). */
export function tenantParam(c: Context): string | undefined {
  const v = param(c, 'tenant');
  return v === undefined ? undefined : v.toLowerCase();
}

/** Path ids: bounded printable ASCII without separators (alert/campaign ids, token ids, intel refs). */
const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

export function idParam(c: Context, name = 'id'): string {
  const v = c.req.param(name) ?? '';
  // a malformed id cannot name anything: the same 404 as an unknown one
  if (!ID_SHAPE.test(v)) throw new HttpError(404, 'not found');
  return v;
}
