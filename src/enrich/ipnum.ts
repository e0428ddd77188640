/**
 * Hand-written address parsing for the hot paths (range tables, CIDR lists): no regular
 * expressions, no allocation for IPv4. Both functions return a failure value for anything that is
 * not an address, never throw.
 */

/** Dotted IPv4 → uint32 (as a non-negative number), or -1 when `s` is not a dotted quad. */
export function parseIPv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** uint32 → dotted IPv4 text. */
export function formatIPv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function parseHexGroup(s: string, from: number, to: number): number {
  const n = to - from;
  if (n < 1 || n > 4) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

const groups = new Uint16Array(8);

/**
 * IPv6 text (full, compressed with `::`, or with a dotted IPv4 tail) → four big-endian uint32
 * words written to `out[0..3]`. Returns false when `s` is not an IPv6 address (zone ids and
 * brackets are not accepted: callers pass canonical text).
 */
export function parseIPv6(s: string, out: Uint32Array): boolean {
  const len = s.length;
  if (len < 2 || len > 45) return false;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  let count = 0;
  let gapAt = -1;
  let i = 0;
  if (dbl === 0) {
    gapAt = 0;
    i = 2;
    if (i === len) {
      groups.fill(0);
      out[0] = out[1] = out[2] = out[3] = 0;
      return true;
    }
  }
  while (i < len) {
    let j = i;
    while (j < len && s.charCodeAt(j) !== 58) j++;
    // a dotted IPv4 tail takes the last two groups
    const dot = s.indexOf('.', i);
    if (dot >= 0 && dot < j) {
      if (j !== len || count > 6) return false;
      const v4 = parseIPv4(s.slice(i));
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = len;
      break;
    }
    if (count >= 8) return false;
    const g = parseHexGroup(s, i, j);
    if (g < 0) return false;
    groups[count++] = g;
    if (j === len) {
      i = len;
      break;
    }
    // j is at ':'; '::' marks the gap
    if (j + 1 < len && s.charCodeAt(j + 1) === 58) {
      gapAt = count;
      i = j + 2;
      if (i === len) break;
    } else {
      i = j + 1;
      if (i === len) return false; // trailing single ':'
    }
  }
  if (gapAt >= 0) {
    if (count > 7) return false;
    const tail = count - gapAt;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k] ?? 0;
    for (let k = gapAt; k < 8 - tail; k++) groups[k] = 0;
  } else if (count !== 8) {
    return false;
  }
  for (let w = 0; w < 4; w++) out[w] = (((groups[2 * w] ?? 0) << 16) | (groups[2 * w + 1] ?? 0)) >>> 0;
  return true;
}

/** Lexicographic comparison of two 4-word IPv6 values stored at word offsets `ia` and `ib`. */
export function compareV6(a: Uint32Array, ia: number, b: Uint32Array, ib: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ia + k] ?? 0;
    const y = b[ib + k] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
