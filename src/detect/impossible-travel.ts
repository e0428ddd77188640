import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR, hidesLocation } from './context.js';
import { distanceKm, locate } from './country-centroids.js';
import { listSome } from './explain.js';
import { compromiseReason } from './compromise.js';
import { explanationTemplate } from './explanation.js';

export const IMPOSSIBLE_TRAVEL = {
  /** faster than an airliner, door to door */
  maxSpeedKmh: 900,
  /** below this, geolocation error and country centres make speed meaningless */
  minDistanceKm: 800,
  gapMs: 24 * HOUR,
};

const explainTravel = explanationTemplate(
  'impossible_travel',
  (a, p: { from: string; to: string; km: number; hours: number }) =>
    `${listSome(a.users)} signed in from ${p.from} and then from ${p.to}, ${Math.round(p.km)} km apart, ` +
    `${Math.round(p.hours * 60)} minutes later: nobody travels that fast. One of the two may be someone else.`,
);

/**
 * Two successful sign-ins of one account from places no traveller could connect in the time between
 * them (T1078). Shared egress addresses (office, VPN, carrier) and anonymizers are skipped: their
 * location says nothing about where the person is.
 */
export function impossibleTravelDetector(): Detector {
  return {
    id: 'impossible_travel',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (e.outcome !== 'success' || !e.user || !e.srcIp || e.privateIp || hidesLocation(e)) return;
      const hist = ctx.account(e.tenant, e.user);
      const prev = hist?.lastSuccess;
      if (!prev || prev.shared || prev.locationHidden || prev.ip === e.srcIp || hist.ips.includes(e.srcIp)) return;
      if (ctx.isSharedEgress(e.srcIp)) return;
      const here = locate(e.geo);
      const there = locate({ lat: prev.lat, lon: prev.lon, country: prev.country });
      if (!here || !there) return;
      const km = distanceKm(here, there);
      if (km < IMPOSSIBLE_TRAVEL.minDistanceKm) return;
      const hours = Math.max(e.time - prev.time, 60_000) / HOUR;
      const speed = km / hours;
      if (speed <= IMPOSSIBLE_TRAVEL.maxSpeedKmh) return;
      if (compromiseReason(e, ctx)) return;
      const from = prev.country ?? 'one place';
      const to = e.geo?.country ?? 'another';
      ctx.alerts.upsert(
        {
          kind: 'impossible_travel',
          technique: 'T1078.004',
          tenant: e.tenant,
          key: e.user,
          severity: 'medium',
          confidence: speed > 5 * IMPOSSIBLE_TRAVEL.maxSpeedKmh ? 0.7 : 0.5,
          gapMs: IMPOSSIBLE_TRAVEL.gapMs,
          explain: explainTravel({ from, to, km, hours }),
        },
        prev.time,
        e.time,
        [e],
      );
    },
  };
}
