/** Builds the per-address facts correlation uses, from enriched events (runScan's onEvent hook). */
import type { AuthEvent } from '../core/types.js';
import type { IpInfo } from './types.js';

/** Cap on remembered addresses, so a huge scan cannot exhaust memory through this map. */
const MAX_ADDRESSES = 2_000_000;

export function ipInfoCollector(): { info: IpInfo; onEvent(e: AuthEvent): void } {
  const info: IpInfo = new Map();
  return {
    info,
    onEvent(e: AuthEvent): void {
      if (!e.srcIp || e.privateIp) return;
      const f = info.get(e.srcIp);
      if (f) {
        if (e.anonymizer && !f.anonymizer) f.anonymizer = e.anonymizer;
        if (e.userAgent) f.userAgent = e.userAgent;
        return;
      }
      if (info.size >= MAX_ADDRESSES) return;
      info.set(e.srcIp, { asn: e.asn, anonymizer: e.anonymizer, userAgent: e.userAgent });
    },
  };
}
