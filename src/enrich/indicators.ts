/**
 * IP / CIDR indicator lists (`--intel FILE`, repeatable): one IPv4/IPv6 address or CIDR per line,
 * `#` comments, an optional label after the first comma, tab or space (default: the file's base
 * name). A match sets event.intel to the labels of every entry covering the address.
 *
 * Matching groups entries by prefix length: for each length present, the address is masked and
 * looked up in a hash map, so a lookup costs one map probe per distinct prefix length.
 */
import { basename } from 'node:path';
import { VigilError } from '../core/errors.js';
import { contentLines, readText } from './files.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';

const MAX_LABEL = 100;

function maskV4(v: number, len: number): number {
  return len === 0 ? 0 : (v & (0xffffffff << (32 - len))) >>> 0;
}

function keyV6(w: Uint32Array, len: number): string {
  let key = '';
  for (let k = 0; k < 4; k++) {
    const bits = Math.max(0, Math.min(32, len - k * 32));
    const word = bits === 0 ? 0 : bits === 32 ? (w[k] ?? 0) : ((w[k] ?? 0) & (0xffffffff << (32 - bits))) >>> 0;
    key += `${word.toString(16)}:`;
  }
  return key;
}

export interface IndicatorListInfo {
  file: string;
  label: string;
  entries: number;
}

export class IndicatorSet {
  private readonly v4 = new Map<number, Map<number, string[]>>();
  private readonly v6 = new Map<number, Map<string, string[]>>();
  private v4Lens: number[] = [];
  private v6Lens: number[] = [];
  readonly lists: IndicatorListInfo[] = [];
  private readonly scratch = new Uint32Array(4);

  get empty(): boolean {
    return this.v4.size === 0 && this.v6.size === 0;
  }

  private static put<K>(m: Map<number, Map<K, string[]>>, len: number, key: K, label: string): void {
    let byKey = m.get(len);
    if (!byKey) {
      byKey = new Map();
      m.set(len, byKey);
    }
    const labels = byKey.get(key);
    if (!labels) byKey.set(key, [label]);
    else if (!labels.includes(label)) labels.push(label);
  }

  /** Parses one list's text. Throws VigilError naming file:line for a line that is not an indicator. */
  addList(text: string, file: string): IndicatorListInfo {
    const fileLabel = basename(file);
    let entries = 0;
    for (const [line, lineNo] of contentLines(text)) {
      let cut = line.length;
      for (const sep of [',', '\t', ' ']) {
        const i = line.indexOf(sep);
        if (i >= 0 && i < cut) cut = i;
      }
      const target = line.slice(0, cut);
      const label = line.slice(cut + 1).trim().slice(0, MAX_LABEL) || fileLabel;
      const problem = this.addIndicator(target, label);
      if (problem) throw new VigilError('CONFIG', `not an IP or CIDR indicator: ${problem}`, file, lineNo);
      entries++;
    }
    this.v4Lens = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lens = [...this.v6.keys()].sort((a, b) => b - a);
    const info = { file, label: fileLabel, entries };
    this.lists.push(info);
    return info;
  }

  /** Adds "ip" or "ip/len"; returns an error reason or undefined. */
  addIndicator(target: string, label: string): string | undefined {
    const slash = target.indexOf('/');
    const addr = slash >= 0 ? target.slice(0, slash) : target;
    let len = -1;
    if (slash >= 0) {
      const lenText = target.slice(slash + 1);
      if (!/^\d{1,3}$/.test(lenText)) return `bad prefix length ${JSON.stringify(lenText.slice(0, 20))}`;
      len = Number(lenText);
    }
    const v4 = parseIPv4(addr);
    if (v4 >= 0) {
      if (len > 32) return `prefix length ${len} is over 32`;
      const l = len < 0 ? 32 : len;
      // host bits set ("10.1.2.3/8") are common in shared lists: mask them
      IndicatorSet.put(this.v4, l, maskV4(v4, l), label);
      return undefined;
    }
    const w = this.scratch;
    // "::ffff:1.2.3.4" style mapped addresses are matched as the IPv4 they carry
    if (!parseIPv6(addr, w)) return `${JSON.stringify(target.slice(0, 60))} is not an IP address`;
    if (len > 128) return `prefix length ${len} is over 128`;
    const l = len < 0 ? 128 : len;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff && l >= 96) {
      const l4 = l - 96;
      IndicatorSet.put(this.v4, l4, maskV4(w[3] ?? 0, l4), label);
      return undefined;
    }
    IndicatorSet.put(this.v6, l, keyV6(w, l), label);
    return undefined;
  }

  /** Labels of every entry covering the address (v4 uint32, or -1 and the v6 words), or undefined. */
  match(v4: number, v6: Uint32Array): string[] | undefined {
    let out: string[] | undefined;
    const add = (labels: string[] | undefined): void => {
      if (!labels) return;
      out ??= [];
      for (const l of labels) if (!out.includes(l)) out.push(l);
    };
    if (v4 >= 0) {
      for (const len of this.v4Lens) add(this.v4.get(len)?.get(maskV4(v4, len)));
    } else {
      for (const len of this.v6Lens) add(this.v6.get(len)?.get(keyV6(v6, len)));
    }
    return out;
  }
}

export async function loadIndicatorFile(set: IndicatorSet, file: string): Promise<IndicatorListInfo> {
  return set.addList(await readText(file), file);
}
