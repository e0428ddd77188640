/**
 * The enrichment stage: fills geo / ASN / AS org the log does not carry and computes the tags
 * (privateIp, anonymizer, intel) for every event. Everything that depends only on the address is
 * computed once per IP and cached; only the Tor check (time-dependent) and the merge into the
 * event run per event.
 */
import type { Anonymizer, AuthEvent, Geo } from '../core/types.js';
import type { Enricher } from './types.js';
import { BundledDb, type BundledOptions } from './bundled.js';
import { hostingTag, loadHostingList, type HostingList } from './hosting.js';
import { IndicatorSet, loadIndicatorFile } from './indicators.js';
import { loadIp2asn, type Ip2asnDb } from './ip2asn.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';
import { TwoGenerationCache } from './lru.js';
import { openMmdb, type IpInfo, type MmdbDb } from './mmdb.js';
import { classifyAddress } from './private.js';
import { loadTorFile, TorIndex, type TorSightings } from './tor.js';

export interface EnrichmentOptions {
  /** --geo-db: MMDB files, consulted first, in order */
  geoDbs?: string[];
  /** --asn-db: iptoasn.com ip2asn TSV files (plain or gzip), consulted next */
  asnDbs?: string[];
  /** --tor-exits: bulk exit lists or TorDNSEL exit-addresses files */
  torExits?: string[];
  /** --intel: IP/CIDR indicator lists */
  intel?: string[];
  /** use the bundled @ip-location-db data last (default true) */
  bundled?: boolean;
  /** where the bundled data's parsed form is cached (default: user cache dir; false: never) */
  bundledCacheDir?: string | false;
  /** hosting ASN list (default data/hosting-asns.json) */
  hostingFile?: string;
  /** per-IP cache size (default 100 000) */
  cacheSize?: number;
}

export interface EnrichmentSource {
  kind: 'geo-db' | 'asn-db' | 'tor-exits' | 'intel' | 'hosting' | 'bundled';
  file: string;
  records: number;
  /** when the data was built or observed, when known */
  buildDate?: Date;
  detail: string;
}

export interface Enrichment extends Enricher {
  enrich(e: AuthEvent): void;
  /** one line per loaded source: file, records, build date */
  describe(): string[];
  sources(): EnrichmentSource[];
  close(): void;
}

/** Everything about one address that does not depend on the event. */
interface IpFacts {
  privateIp: boolean;
  geo?: Geo;
  asn?: number;
  asOrg?: string;
  /** anonymizer flag from an Anonymous-IP / IPinfo privacy database */
  anonFlag?: Anonymizer;
  intel?: string[];
  tor?: TorSightings;
}

const INVALID: IpFacts = Object.freeze({ privateIp: false });

const RANK: Record<Anonymizer, number> = { hosting: 1, proxy: 2, vpn: 3, tor: 4 };

function stronger(a: Anonymizer | undefined, b: Anonymizer | undefined): Anonymizer | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/** Fills what `into` lacks from `info`; the first source to answer a field wins. */
function merge(into: IpFacts, info: IpInfo | undefined): void {
  if (!info) return;
  if (info.country !== undefined || info.city !== undefined || info.lat !== undefined) {
    const g = (into.geo ??= {});
    const sameCountry = g.country === undefined || info.country === undefined || g.country === info.country;
    if (g.country === undefined && info.country !== undefined) g.country = info.country;
    // a city or point from a source that disagrees on the country would be a wrong place
    if (sameCountry) {
      if (g.city === undefined && info.city !== undefined) g.city = info.city;
      if (g.lat === undefined && info.lat !== undefined && info.lon !== undefined) {
        g.lat = info.lat;
        g.lon = info.lon;
      }
    }
  }
  if (info.asn !== undefined) {
    if (into.asn === undefined) {
      into.asn = info.asn;
      if (info.asOrg !== undefined) into.asOrg = info.asOrg;
    } else if (into.asOrg === undefined && into.asn === info.asn && info.asOrg !== undefined) {
      into.asOrg = info.asOrg;
    }
  }
  into.anonFlag = stronger(into.anonFlag, info.anonymizer);
}

function fmtDate(d: Date | number | undefined): string {
  if (d === undefined) return 'unknown date';
  const t = typeof d === 'number' ? d : d.getTime();
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : 'unknown date';
}

class EnrichmentImpl implements Enrichment {
  readonly id = 'enrich';
  private readonly cache: TwoGenerationCache<string, IpFacts>;
  private readonly v6 = new Uint32Array(4);

  constructor(
    private readonly geoDbs: MmdbDb[],
    private readonly asnDbs: Ip2asnDb[],
    private readonly tor: TorIndex,
    private readonly intel: IndicatorSet,
    private readonly hosting: HostingList,
    private readonly bundled: BundledDb | undefined,
    cacheSize: number,
  ) {
    this.cache = new TwoGenerationCache(cacheSize);
  }

  /** The per-IP facts, uncached. Exposed for tests comparing cached and uncached answers. */
  lookup(ip: string): IpFacts {
    const v6 = this.v6;
    const v4 = parseIPv4(ip);
    if (v4 < 0 && !parseIPv6(ip, v6)) return INVALID;
    const cls = classifyAddress(ip);
    if (cls === 'invalid') return INVALID;
    const facts: IpFacts = { privateIp: cls !== 'public' };
    if (cls !== 'private') {
      for (const db of this.geoDbs) merge(facts, db.lookup(ip));
      for (const db of this.asnDbs) {
        const row = v4 >= 0 ? db.table.findV4(v4) : db.table.findV6(v6);
        if (row >= 0) merge(facts, db.table.info(v4 >= 0 ? 4 : 6, row));
      }
      // the bundled data covers public space only: a reserved address needs no lazy load
      if (cls === 'public' && this.bundled) merge(facts, this.bundled.lookup(ip, v4, v6));
    }
    if (!this.intel.empty) {
      const labels = this.intel.match(v4, v6);
      if (labels) facts.intel = labels;
    }
    const tor = this.tor.sightings(ip);
    if (tor) facts.tor = tor;
    if (facts.geo) Object.freeze(facts.geo);
    return facts;
  }

  facts(ip: string): IpFacts {
    let f = this.cache.get(ip);
    if (f === undefined) {
      f = this.lookup(ip);
      // garbage text is not worth a cache slot (and could be arbitrarily long)
      if (f !== INVALID) this.cache.set(ip, f);
    }
    return f;
  }

  enrich(e: AuthEvent): void {
    const ip = e.srcIp;
    if (typeof ip !== 'string' || ip === '') return;
    const f = this.facts(ip);
    if (f === INVALID) return;
    if (f.privateIp) e.privateIp = true;
    const g = f.geo;
    if (g) {
      if (!e.geo) {
        e.geo = { ...g };
      } else {
        const eg = e.geo;
        const sameCountry = eg.country === undefined || g.country === undefined || eg.country === g.country;
        if (eg.country === undefined && g.country !== undefined) eg.country = g.country;
        if (sameCountry) {
          if (eg.city === undefined && g.city !== undefined) eg.city = g.city;
          if (eg.lat === undefined && eg.lon === undefined && g.lat !== undefined && g.lon !== undefined) {
            eg.lat = g.lat;
            eg.lon = g.lon;
          }
        }
      }
    }
    if (f.asn !== undefined) {
      if (e.asn === undefined) {
        e.asn = f.asn;
        if (f.asOrg !== undefined && e.asOrg === undefined) e.asOrg = f.asOrg;
      } else if (e.asOrg === undefined && e.asn === f.asn && f.asOrg !== undefined) {
        e.asOrg = f.asOrg;
      }
    }
    let anon = stronger(e.anonymizer, f.anonFlag);
    anon = stronger(anon, hostingTag(this.hosting, e.asn));
    if (f.tor && this.tor.isExitAt(f.tor, e.time)) anon = 'tor';
    if (anon !== undefined) e.anonymizer = anon;
    if (f.intel) {
      if (!e.intel) e.intel = f.intel.slice();
      else for (const l of f.intel) if (!e.intel.includes(l)) e.intel.push(l);
    }
  }

  sources(): EnrichmentSource[] {
    const out: EnrichmentSource[] = [];
    for (const db of this.geoDbs) {
      out.push({
        kind: 'geo-db',
        file: db.file,
        records: db.nodeCount,
        buildDate: db.buildDate,
        detail: `${db.databaseType || 'MMDB'} (${db.kind}), ${db.nodeCount.toLocaleString('en-US')} nodes, built ${fmtDate(db.buildDate)}`,
      });
    }
    for (const db of this.asnDbs) {
      const c = db.table.counts;
      out.push({
        kind: 'asn-db',
        file: db.file,
        records: c.v4 + c.v6,
        detail: `ip2asn TSV, ${c.v4.toLocaleString('en-US')} IPv4 + ${c.v6.toLocaleString('en-US')} IPv6 ranges`,
      });
    }
    for (const s of this.tor.files) {
      const when = s.format === 'bulk' ? `bulk list of ${fmtDate(s.from)}` : `exit-addresses observed ${fmtDate(s.from)} to ${fmtDate(s.to)}`;
      out.push({ kind: 'tor-exits', file: s.file, records: s.addresses, buildDate: new Date(s.to), detail: `${s.addresses.toLocaleString('en-US')} Tor exit addresses (${when})` });
    }
    for (const l of this.intel.lists) {
      out.push({ kind: 'intel', file: l.file, records: l.entries, detail: `${l.entries.toLocaleString('en-US')} IP/CIDR indicators, default label "${l.label}"` });
    }
    out.push({
      kind: 'hosting',
      file: this.hosting.file,
      records: this.hosting.byAsn.size,
      detail: `${this.hosting.byAsn.size} hosting/VPN ASNs (list v${this.hosting.version}, updated ${this.hosting.updated || 'unknown'})`,
    });
    if (this.bundled) {
      const st = this.bundled.status();
      if (!st.available) {
        out.push({ kind: 'bundled', file: '@ip-location-db', records: 0, detail: 'bundled data not installed: no ASN/country unless --asn-db/--geo-db is given' });
      } else {
        const load = st.asnLoad
          ? `${(st.asnLoad.v4 + st.asnLoad.v6).toLocaleString('en-US')} ranges loaded in ${st.asnLoad.ms} ms from ${st.asnLoad.from}`
          : 'loaded on the first public address';
        out.push({
          kind: 'bundled',
          file: `@ip-location-db/asn ${st.asnVersion} + @ip-location-db/geo-whois-asn-country-mmdb ${st.countryVersion}`,
          records: st.asnLoad ? st.asnLoad.v4 + st.asnLoad.v6 : 0,
          buildDate: st.countryBuildDate,
          detail: `${load}; CC BY 4.0 RouteViews, NRO and DB-IP (IP Geolocation by DB-IP, https://db-ip.com)`,
        });
      }
    }
    return out;
  }

  describe(): string[] {
    return this.sources().map((s) => `${s.kind} ${s.file}: ${s.detail}`);
  }

  close(): void {
    this.cache.clear();
  }
}

/**
 * Loads every file named in the options (all of them, in parallel) and returns the stage.
 * A missing or malformed file rejects with VigilError ('INPUT_UNREADABLE' or 'CONFIG') naming the
 * file and, for list files, the line.
 */
export async function createEnrichment(opts: EnrichmentOptions = {}): Promise<Enrichment> {
  const tor = new TorIndex();
  const intel = new IndicatorSet();
  const [geoDbs, asnDbs] = await Promise.all([
    Promise.all((opts.geoDbs ?? []).map((f) => openMmdb(f))),
    Promise.all((opts.asnDbs ?? []).map((f) => loadIp2asn(f))),
  ]);
  // sequential: both mutate one index, and list order decides nothing but keeps reports stable
  for (const f of opts.torExits ?? []) await loadTorFile(tor, f);
  for (const f of opts.intel ?? []) await loadIndicatorFile(intel, f);
  const hosting = loadHostingList(opts.hostingFile);
  const bundledOpts: BundledOptions = {};
  if (opts.bundledCacheDir !== undefined) bundledOpts.cacheDir = opts.bundledCacheDir;
  const bundled = opts.bundled === false ? undefined : new BundledDb(bundledOpts);
  return new EnrichmentImpl(geoDbs, asnDbs, tor, intel, hosting, bundled, opts.cacheSize ?? 100_000);
}

export type { IpFacts };
export { EnrichmentImpl };
