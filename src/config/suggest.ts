/** "did you mean …?" for a misspelt key: the keys the schema allows at that place, nearest first. */
import { z } from 'zod';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The JSON-schema nodes reachable at `path` (unions followed into every branch). */
function nodesAt(root: Json, path: readonly PropertyKey[]): Json[] {
  const expand = (n: Json): Json[] => {
    const out: Json[] = [n];
    for (const k of ['anyOf', 'oneOf', 'allOf']) {
      const list = n[k];
      if (Array.isArray(list)) for (const b of list) if (isObj(b)) out.push(...expand(b));
    }
    return out;
  };
  let nodes = expand(root);
  for (const seg of path) {
    const next: Json[] = [];
    for (const n of nodes) {
      if (typeof seg === 'number' && isObj(n.items)) next.push(...expand(n.items));
      const props = n.properties;
      if (typeof seg === 'string' && isObj(props) && isObj(props[seg])) next.push(...expand(props[seg]));
    }
    nodes = next;
  }
  return nodes;
}

export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const keys = new Set<string>();
  for (const n of nodesAt(root, path)) if (isObj(n.properties)) for (const k of Object.keys(n.properties)) keys.add(k);
  return [...keys];
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The allowed key closest to `key`, when it is close enough to be a typo. */
export function nearestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of allowed) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.min(3, Math.floor(key.length / 3))) ? best : undefined;
}
