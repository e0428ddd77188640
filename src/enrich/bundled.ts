/**
 * Default data so a first scan needs no download: country from
 * @ip-location-db/geo-whois-asn-country-mmdb and ASN + AS org from @ip-location-db/asn (CSV,
 * CC BY 4.0: RouteViews, DB-IP, NRO; see docs/enrichment.md for the attribution).
 *
 * Both load lazily, on the first public address, synchronously (enrich() is synchronous). The
 * ~515k CSV rows are parsed once per data version and kept as a compact binary file in the user
 * cache directory, which later scans read in a few milliseconds.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { threadId } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { Reader, type Response } from 'maxmind';
import { adaptRecord, type IpInfo } from './mmdb.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';
import { RangeTable, RangeTableBuilder } from './ranges.js';

export interface BundledPaths {
  asnDir: string;
  asnVersion: string;
  countryMmdb: string;
  countryVersion: string;
}

function packageDir(require: NodeJS.Require, name: string): { dir: string; version: string } | undefined {
  try {
    const pkgJson = require.resolve(`${name}/package.json`);
    const pkg: unknown = JSON.parse(readFileSync(pkgJson, 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
    return { dir: dirname(pkgJson), version };
  } catch {
    return undefined;
  }
}

/** Where the bundled packages are installed, or undefined when they are not. */
export function findBundled(): BundledPaths | undefined {
  const require = createRequire(import.meta.url);
  const asn = packageDir(require, '@ip-location-db/asn');
  const geo = packageDir(require, '@ip-location-db/geo-whois-asn-country-mmdb');
  if (!asn || !geo) return undefined;
  return {
    asnDir: asn.dir,
    asnVersion: asn.version,
    countryMmdb: join(geo.dir, 'geo-whois-asn-country.mmdb'),
    countryVersion: geo.version,
  };
}

/** The org column: bare, or double-quoted with "" escapes. */
function orgField(line: string, from: number, to: number): string {
  if (line.charCodeAt(from) !== 34) return line.slice(from, to);
  let end = to;
  if (end - 1 > from && line.charCodeAt(end - 1) === 34) end--;
  const inner = line.slice(from + 1, end);
  return inner.includes('""') ? inner.replaceAll('""', '"') : inner;
}

function asnDigits(line: string, from: number, to: number): number {
  let v = 0;
  if (to <= from || to - from > 10) return -1;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Parses one @ip-location-db/asn CSV (`start,end,asn,org`) into the builder. Bad rows are counted
 * and skipped: this is packaged data, not user input, and one bad row must not disable the rest.
 */
export function parseAsnCsv(text: string, b: RangeTableBuilder, family: 4 | 6): number {
  const s6 = new Uint32Array(4);
  const e6 = new Uint32Array(4);
  let bad = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 || c1 >= lineEnd ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 || c2 >= lineEnd ? -1 : text.indexOf(',', c2 + 1);
    if (lineEnd > pos) {
      if (c3 < 0 || c3 >= lineEnd) {
        bad++;
      } else {
        const asn = asnDigits(text, c2 + 1, c3);
        const org = orgField(text, c3 + 1, lineEnd);
        if (asn < 0) {
          bad++;
        } else if (family === 4) {
          const s = parseIPv4(text.slice(pos, c1));
          const e = parseIPv4(text.slice(c1 + 1, c2));
          if (s < 0 || e < 0) bad++;
          else b.addV4(s, e, asn, org, undefined);
        } else if (parseIPv6(text.slice(pos, c1), s6) && parseIPv6(text.slice(c1 + 1, c2), e6)) {
          b.addV6(s6, e6, asn, org, undefined);
        } else {
          bad++;
        }
      }
    }
    pos = nl + 1;
  }
  return bad;
}

export interface BundledOptions {
  /** where to keep the parsed table; false = never cache (default: the user cache dir) */
  cacheDir?: string | false;
  /** override package locations (tests) */
  paths?: BundledPaths;
}

export interface BundledStatus {
  available: boolean;
  asnVersion?: string;
  countryVersion?: string;
  countryBuildDate?: Date;
  asnLoaded: boolean;
  /** how the ASN table was obtained and how long it took */
  asnLoad?: { from: 'csv' | 'cache'; ms: number; v4: number; v6: number; badRows: number };
}

export class BundledDb {
  private readonly paths: BundledPaths | undefined;
  private readonly cacheDir: string | false;
  private table: RangeTable | undefined;
  private country: Reader<Response> | undefined;
  private tried = false;
  private readonly state: BundledStatus;

  constructor(opts: BundledOptions = {}) {
    this.paths = opts.paths ?? findBundled();
    this.cacheDir = opts.cacheDir ?? defaultCacheDir();
    this.state = {
      available: this.paths !== undefined,
      asnVersion: this.paths?.asnVersion,
      countryVersion: this.paths?.countryVersion,
      asnLoaded: false,
    };
  }

  status(): BundledStatus {
    return { ...this.state };
  }

  /** Loads both databases now (otherwise the first lookup does). Never throws. */
  load(): void {
    if (this.tried || !this.paths) return;
    this.tried = true;
    const p = this.paths;
    try {
      this.country = new Reader<Response>(readFileSync(p.countryMmdb));
      const be = this.country.metadata.buildEpoch;
      if (be instanceof Date && Number.isFinite(be.getTime())) this.state.countryBuildDate = be;
    } catch {
      this.country = undefined;
    }
    const t0 = performance.now();
    const cacheFile = this.cacheDir ? join(this.cacheDir, `asn-${p.asnVersion.replace(/[^0-9A-Za-z.-]/g, '_')}.bin`) : undefined;
    let from: 'csv' | 'cache' = 'csv';
    let badRows = 0;
    if (cacheFile) this.table = readCache(cacheFile);
    if (this.table) {
      from = 'cache';
    } else {
      try {
        const b = new RangeTableBuilder();
        badRows += parseAsnCsv(readFileSync(join(p.asnDir, 'asn-ipv4.csv'), 'utf8'), b, 4);
        badRows += parseAsnCsv(readFileSync(join(p.asnDir, 'asn-ipv6.csv'), 'utf8'), b, 6);
        this.table = b.build();
        if (cacheFile) writeCache(cacheFile, this.table);
      } catch {
        this.table = undefined;
      }
    }
    if (this.table) {
      const c = this.table.counts;
      this.state.asnLoaded = true;
      this.state.asnLoad = { from, ms: Math.round(performance.now() - t0), v4: c.v4, v6: c.v6, badRows };
    }
  }

  /**
   * Country, ASN and AS org of a public address. `v4` is its uint32 (or -1 for IPv6, then `v6`
   * holds its words).
   */
  lookup(ip: string, v4: number, v6: Uint32Array): IpInfo {
    if (!this.tried) this.load();
    const out: IpInfo = {};
    if (this.table) {
      const row = v4 >= 0 ? this.table.findV4(v4) : this.table.findV6(v6);
      if (row >= 0) {
        const r = this.table.info(v4 >= 0 ? 4 : 6, row);
        if (r.asn !== undefined) out.asn = r.asn;
        if (r.asOrg !== undefined) out.asOrg = r.asOrg;
      }
    }
    if (this.country) {
      try {
        const cc = adaptRecord(this.country.get(ip)).country;
        if (cc) out.country = cc;
      } catch {
        // not an address the reader accepts
      }
    }
    return out;
  }
}

function defaultCacheDir(): string | false {
  try {
    return envPaths('vigil', { suffix: '' }).cache;
  } catch {
    return false;
  }
}

function readCache(file: string): RangeTable | undefined {
  try {
    return RangeTable.deserialize(readFileSync(file));
  } catch {
    return undefined;
  }
}

/** Atomic write (temp file + rename) so a concurrent scan never reads half a file. Best effort. */
function writeCache(file: string, table: RangeTable): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // scan worker threads share the pid: the thread id keeps their temp files apart
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    writeFileSync(tmp, table.serialize(), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // read-only home, full disk: the next scan parses the CSV again
  }
}
