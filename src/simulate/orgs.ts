/** Builds the organizations and their people: names, addresses, devices, travel plans. */
import { CgnatPools, randomNet } from './networks.js';
import type { NetInfo, Org, SimFormat, SimUser, Traveller } from './model.js';
import { HOUR, DAY } from './model.js';
import type { Rng } from './rng.js';

const FIRST = ['alex', 'maria', 'james', 'sofia', 'david', 'emma', 'lucas', 'olivia', 'noah', 'amelia', 'liam', 'hannah', 'ben', 'chloe', 'daniel', 'elena', 'felix', 'grace', 'henry', 'isla', 'jonas', 'julia', 'karim', 'lea', 'marc', 'nina', 'omar', 'paula', 'quentin', 'rosa', 'samuel', 'tara', 'ulrich', 'vera', 'william', 'yara', 'zoe', 'adam', 'beth', 'carlos'];
const LAST = ['smith', 'jones', 'miller', 'brown', 'garcia', 'martin', 'schmidt', 'dubois', 'taylor', 'wilson', 'moore', 'clark', 'lewis', 'walker', 'hall', 'young', 'king', 'wright', 'lopez', 'hill', 'green', 'adams', 'baker', 'nelson', 'carter', 'mitchell', 'roberts', 'turner', 'phillips', 'campbell', 'parker', 'evans', 'edwards', 'collins', 'stewart', 'morris', 'murphy', 'cook', 'rogers', 'bernard'];

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0',
  'Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
];
export const MOBILE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36';

const COUNTRY_WEIGHTS: [string, number][] = [['US', 5], ['GB', 2.5], ['DE', 1.5], ['FR', 1]];
const UTC_OFFSET: Record<string, number> = { US: -5, GB: 0, DE: 1, FR: 1 };

/** real long-haul routes; hours are typical block times */
const ROUTES: { from: string; to: string; hours: number }[] = [
  { from: 'US', to: 'GB', hours: 7 }, // Washington IAD → London LHR
  { from: 'GB', to: 'US', hours: 8.5 }, // LHR → IAD
  { from: 'DE', to: 'US', hours: 9 }, // Frankfurt → New York JFK
  { from: 'FR', to: 'US', hours: 8.5 }, // Paris CDG → JFK
  { from: 'US', to: 'FR', hours: 7.5 }, // JFK → CDG
];

export const FORMAT_ROTATION: readonly SimFormat[] = ['entra', 'okta', 'gws', 'o365', 'sshd', 'windows'];

export interface OrgOptions {
  count: number;
  usersMin: number;
  usersMax: number;
  /** forced format, or undefined for a mixed coalition */
  format?: SimFormat;
  /** per-org format list (samples pin them); wins over rotation */
  formats?: SimFormat[];
  start: number;
  days: number;
}

export function buildOrgs(opts: OrgOptions, rng: Rng, cgnat: CgnatPools): Org[] {
  const orgs: Org[] = [];
  const offset = rng.int(0, FORMAT_ROTATION.length - 1);
  for (let i = 0; i < opts.count; i++) {
    const r = rng.fork(`org/${i}`);
    const name = `org${i + 1}`;
    const domain = `${name}.example`;
    const country = r.weighted(COUNTRY_WEIGHTS);
    const format = opts.formats?.[i] ?? opts.format ?? (FORMAT_ROTATION[(i + offset) % FORMAT_ROTATION.length] as SimFormat);
    // log-uniform size: many small organizations, a few large ones
    const size = Math.round(Math.exp(Math.log(opts.usersMin) + r.next() * (Math.log(opts.usersMax) - Math.log(opts.usersMin))));
    const org: Org = {
      index: i,
      name,
      domain,
      tenantId: r.uuid(),
      customerId: `C0${r.hex(7)}`,
      format,
      country,
      utcOffset: UTC_OFFSET[country] ?? 0,
      host: format === 'windows' ? `DC01.corp.${domain}` : `${name}-gw01`,
      netbios: name.toUpperCase(),
      users: [],
      office: randomNet('business', r, country),
      vpn: randomNet('vpn', r),
      server: randomNet('hosting', r, country),
    };
    const seen = new Set<string>();
    for (let u = 0; u < size; u++) org.users.push(buildUser(org, r.fork(`user/${u}`), seen, cgnat));
    assignTraveller(org, r.fork('travel'), opts);
    orgs.push(org);
  }
  return orgs;
}

function buildUser(org: Org, r: Rng, seen: Set<string>, cgnat: CgnatPools): SimUser {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  let local = `${first}.${last}`;
  let login = `${first[0] ?? 'x'}${last}`;
  for (let k = 2; seen.has(local); k++) {
    local = `${first}.${last}${k}`;
    login = `${first[0] ?? 'x'}${last}${k}`;
  }
  seen.add(local);
  const home: NetInfo = randomNet('residential', r, org.country);
  return {
    email: `${local}@${org.domain}`,
    login,
    displayName: `${cap(first)} ${cap(last)}`,
    id: `00u${r.hex(17)}`,
    home,
    mobile: cgnat.pick(org.country, r),
    userAgent: r.pick(USER_AGENTS),
    activity: 0.5 + r.next(),
  };
}

function assignTraveller(org: Org, r: Rng, opts: OrgOptions): void {
  const routes = ROUTES.filter((x) => x.from === org.country);
  if (routes.length === 0 || opts.days < 2 || org.users.length < 3) return;
  const route = r.pick(routes);
  const user = org.users[1 + r.int(0, Math.min(org.users.length - 2, 20))];
  if (!user) return;
  // evening departure, local time, on day 0 or 1 (not the last day)
  const day = r.int(0, Math.max(0, Math.min(1, opts.days - 2)));
  const departAt = opts.start + day * DAY + (19 - org.utcOffset) * HOUR + r.int(0, 90) * 60_000;
  user.travel = {
    from: route.from,
    to: route.to,
    departAt,
    arriveAt: departAt + route.hours * HOUR,
    abroad: randomNet('residential', r, route.to),
    abroadMobile: randomNet('mobile', r, route.to),
  } satisfies Traveller;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
