import { createHash } from 'node:crypto';

/** Stable id from its parts: same parts, same id, on every machine. */
export function stableId(prefix: string, ...parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(p));
    h.update('\u0000');
  }
  return `${prefix}-${h.digest('hex').slice(0, 16)}`;
}
