/** Deterministic STIX identifiers: UUIDv5 under the STIX namespace, so the same campaign exports the same ids. */
import { createHash } from 'node:crypto';

const STIX_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

export function uuid5(name: string, namespace = STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function stixId(type: string, ...parts: string[]): string {
  return `${type}--${uuid5(`${type}|${parts.join('|')}`)}`;
}

/** RFC 3339 UTC with milliseconds, as STIX requires */
export function stixTime(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}
