/**
 * Groups alerts into campaigns by shared attack infrastructure (union-find with explainable links).
 *
 * Rules, each there for a reason:
 * - Only alerts that name attack infrastructure (brute force, sprays, stuffing, MFA fatigue, intel
 *   matches) can bridge two groups. Conclusions and anomalies (compromise, travel, legacy protocol,
 *   anonymizer sign-in, unfamiliar sign-in, provider warnings) join the one group they are most
 *   linked to, or stay alone: a benign alert never glues two campaigns together.
 * - A distributed-spray alert lists every address that failed in its organization during its window,
 *   whoever they belong to; inside that organization it is no independent evidence, so it links only
 *   to alerts of other organizations ("the same addresses attacked org A and org B").
 * - Tor exits, commercial VPN and open proxy addresses are shared by everyone: one shared exit is
 *   worth a third of one shared private address; three are needed for a link.
 * - A shared /24 (/48) counts only when at least two non-anonymizer networks are shared and they are
 *   at least half of the smaller alert's networks (a big campaign touches many networks by chance).
 * - Alerts link only when their time spans overlap, give or take `slackMs`.
 */
import type { Alert, AlertKind } from '../core/types.js';
import { stableId } from '../core/ids.js';
import { networkOf } from './prefix.js';
import { summarize } from './summary.js';
import type { Campaign, CampaignLink, IpFacts, IpInfo } from './types.js';

const BRIDGE_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>([
  'brute_force',
  'password_spray',
  'distributed_spray',
  'credential_stuffing',
  'mfa_fatigue',
  'intel_match',
]);
/** alerts whose address list is everything that failed in the organization, not one actor's */
const AGGREGATE_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(['distributed_spray']);
const SHARED_ANONYMIZERS = new Set(['tor', 'vpn', 'proxy']);
/** an address listed by more alerts than this is everywhere; it stops being evidence */
const MAX_POSTING = 400;
const MAX_LINKS_PER_CAMPAIGN = 200;

export interface CorrelateOptions {
  /** how far apart two alerts' time spans may be and still link (default 3 days) */
  slackMs?: number;
}

interface Entry {
  alert: Alert;
  index: number;
  bridge: boolean;
  aggregate: boolean;
}

interface Overlap {
  specific: number;
  shared: number;
  networks: number;
}

interface Scored {
  score: number;
  reason: string;
}

export interface CorrelateResult {
  campaigns: Campaign[];
  /** the input alerts (latest version of each), with campaignId set */
  alerts: Alert[];
}

/** One-shot correlation of a whole run. */
export function correlate(alerts: Alert[], ipInfo?: IpInfo, opts: CorrelateOptions = {}): CorrelateResult {
  const c = new Correlator(opts);
  c.add(alerts, ipInfo);
  return c.result();
}

/**
 * Incremental correlation: `add` batches as the scan produces them (a grown alert, same id,
 * replaces its earlier version; links only ever accumulate), `result` whenever output is needed.
 */
export class Correlator {
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly parent: number[] = [];
  private readonly ipPost = new Map<string, number[]>();
  private readonly netPost = new Map<string, number[]>();
  private readonly ipSeen: Array<Set<string>> = [];
  private readonly netsOf: Array<Set<string>> = [];
  /** the links that joined two groups (a spanning forest), in the order made */
  private readonly treeLinks: CampaignLink[] = [];
  private readonly info: IpInfo = new Map();
  private readonly slackMs: number;

  constructor(opts: CorrelateOptions = {}) {
    this.slackMs = opts.slackMs ?? 3 * 86_400_000;
  }

  add(alerts: Alert[], ipInfo?: IpInfo): void {
    if (ipInfo) for (const [ip, f] of ipInfo) this.info.set(ip, f);
    const touched: Entry[] = [];
    for (const a of alerts) {
      let e = this.byId.get(a.id);
      if (e) e.alert = a;
      else {
        e = { alert: a, index: this.entries.length, bridge: BRIDGE_KINDS.has(a.kind), aggregate: AGGREGATE_KINDS.has(a.kind) };
        this.entries.push(e);
        this.byId.set(a.id, e);
        this.parent.push(e.index);
        this.ipSeen.push(new Set());
        this.netsOf.push(new Set());
      }
      this.index(e);
      if (e.bridge) touched.push(e);
    }
    for (const e of touched) this.linkBridges(e);
  }

  /** campaigns and the alerts carrying their campaign ids */
  result(): CorrelateResult {
    const { groups, leafLinks } = this.groups();
    const groupOf = new Map<string, number>();
    groups.forEach((members, g) => {
      for (const i of members) groupOf.set(this.entries[i]!.alert.id, g);
    });
    const linksOf: CampaignLink[][] = groups.map(() => []);
    for (const l of [...this.treeLinks, ...leafLinks]) {
      const bucket = linksOf[groupOf.get(l.from) ?? -1];
      if (bucket && bucket.length < MAX_LINKS_PER_CAMPAIGN) bucket.push(l);
    }
    const campaigns: Campaign[] = [];
    const campaignOf = new Map<string, string>();
    groups.forEach((members, g) => {
      const alerts = members.map((i) => this.entries[i]!.alert);
      const earliest = [...alerts].sort((a, b) => a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : 1))[0]!;
      const id = stableId('cp', earliest.id);
      campaigns.push(summarize(id, alerts, linksOf[g]!, this.info));
      for (const a of alerts) campaignOf.set(a.id, id);
    });
    campaigns.sort((a, b) => a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : 1));
    const alerts = this.entries.map((e) => ({ ...e.alert, campaignId: campaignOf.get(e.alert.id) }));
    return { campaigns, alerts };
  }

  private facts(ip: string): IpFacts | undefined {
    return this.info.get(ip);
  }

  private sharedExit(ip: string): boolean {
    const a = this.facts(ip)?.anonymizer;
    return a !== undefined && SHARED_ANONYMIZERS.has(a);
  }

  private index(e: Entry): void {
    const seen = this.ipSeen[e.index]!;
    const nets = this.netsOf[e.index]!;
    for (const ip of e.alert.sourceIps) {
      if (seen.has(ip)) continue;
      seen.add(ip);
      push(this.ipPost, ip, e.index);
      if (this.sharedExit(ip)) continue;
      const net = networkOf(ip);
      if (net && !nets.has(net)) {
        nets.add(net);
        push(this.netPost, net, e.index);
      }
    }
  }

  /** what alert `i` shares with every other alert, through the address and network postings */
  private overlaps(i: number, accept: (j: number) => boolean): Map<number, Overlap> {
    const out = new Map<number, Overlap>();
    const get = (j: number): Overlap => {
      let o = out.get(j);
      if (!o) {
        o = { specific: 0, shared: 0, networks: 0 };
        out.set(j, o);
      }
      return o;
    };
    for (const ip of this.ipSeen[i]!) {
      const post = this.ipPost.get(ip);
      if (!post || post.length > MAX_POSTING) continue;
      const exit = this.sharedExit(ip);
      for (const j of post) {
        if (j === i || !accept(j)) continue;
        const o = get(j);
        if (exit) o.shared++;
        else o.specific++;
      }
    }
    for (const net of this.netsOf[i]!) {
      const post = this.netPost.get(net);
      if (!post || post.length > MAX_POSTING) continue;
      for (const j of post) if (j !== i && accept(j)) get(j).networks++;
    }
    return out;
  }

  /** the link between two alerts, if the evidence is enough; undefined otherwise */
  private score(i: number, j: number, o: Overlap): Scored | undefined {
    const a = this.entries[i]!;
    const b = this.entries[j]!;
    const sameTenant = a.alert.tenant === b.alert.tenant;
    if (sameTenant && (a.aggregate || b.aggregate)) return undefined;
    if (a.alert.firstSeen - this.slackMs > b.alert.lastSeen || b.alert.firstSeen - this.slackMs > a.alert.lastSeen) return undefined;
    const where = sameTenant ? `in ${a.alert.tenant}` : `against ${a.alert.tenant} and ${b.alert.tenant}`;
    const addrScore = o.specific + o.shared / 3;
    if (addrScore >= 1) {
      const exits = o.shared > 0 ? ` (${o.shared} of them Tor/VPN/proxy exits)` : '';
      return { score: addrScore, reason: `${o.specific + o.shared} same source address${o.specific + o.shared === 1 ? '' : 'es'}${exits} ${where}, overlapping in time` };
    }
    const smaller = Math.min(this.netsOf[i]!.size, this.netsOf[j]!.size);
    if (o.networks >= 2 && o.networks * 2 >= smaller) {
      return { score: o.networks / 4, reason: `${o.networks} same /24 or /48 networks ${where}, overlapping in time` };
    }
    return undefined;
  }

  private linkBridges(e: Entry): void {
    const over = this.overlaps(e.index, (j) => this.entries[j]!.bridge);
    for (const [j, o] of over) {
      const s = this.score(e.index, j, o);
      if (s) this.union(e.index, j, s.reason);
    }
  }

  /** bridge groups, then each other alert joined to its best-linked group or left on its own */
  private groups(): { groups: number[][]; leafLinks: CampaignLink[] } {
    const groups = new Map<number, number[]>();
    const leafLinks: CampaignLink[] = [];
    const attachedTo = new Map<number, number>();
    const loose: number[] = [];
    for (const e of this.entries) {
      if (e.bridge) continue;
      let best: { j: number; s: Scored } | undefined;
      for (const [j, o] of this.overlaps(e.index, (k) => this.entries[k]!.bridge)) {
        const s = this.score(e.index, j, o);
        if (s && (!best || s.score > best.s.score || (s.score === best.s.score && j < best.j))) best = { j, s };
      }
      if (best) {
        attachedTo.set(e.index, this.find(best.j));
        leafLinks.push({ from: e.alert.id, to: this.entries[best.j]!.alert.id, reason: best.s.reason });
      } else loose.push(e.index);
    }
    // alerts attached to nothing group only with each other, inside one organization
    const looseParent = new Map<number, number>(loose.map((i) => [i, i]));
    const lfind = (i: number): number => {
      let r = i;
      while (looseParent.get(r) !== r) r = looseParent.get(r)!;
      return r;
    };
    const looseSet = new Set(loose);
    for (const i of loose) {
      for (const [j, o] of this.overlaps(i, (k) => looseSet.has(k) && this.entries[k]!.alert.tenant === this.entries[i]!.alert.tenant)) {
        const s = this.score(i, j, o);
        if (!s) continue;
        const ri = lfind(i);
        const rj = lfind(j);
        if (ri !== rj) {
          looseParent.set(Math.max(ri, rj), Math.min(ri, rj));
          leafLinks.push({ from: this.entries[i]!.alert.id, to: this.entries[j]!.alert.id, reason: s.reason });
        }
      }
    }
    for (const e of this.entries) {
      const root = e.bridge ? this.find(e.index) : (attachedTo.get(e.index) ?? -1 - lfind(e.index));
      const g = groups.get(root);
      if (g) g.push(e.index);
      else groups.set(root, [e.index]);
    }
    return { groups: [...groups.values()], leafLinks };
  }

  private find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }

  private union(i: number, j: number, reason: string): void {
    const ri = this.find(i);
    const rj = this.find(j);
    if (ri === rj) return;
    this.parent[Math.max(ri, rj)] = Math.min(ri, rj);
    this.treeLinks.push({ from: this.entries[i]!.alert.id, to: this.entries[j]!.alert.id, reason });
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const l = m.get(k);
  if (l) {
    if (l.length <= MAX_POSTING) l.push(v);
  } else m.set(k, [v]);
}
