import type { SimEvent } from '../model.js';
import type { Rng } from '../rng.js';

/** Renders simulator events as one format's records (one string per output line). */
export interface LogWriter {
  readonly format: string;
  /** file extension of the org's output file */
  readonly ext: 'jsonl' | 'log';
  /** [] when this source would not log the event at all (Google does not log unknown accounts) */
  lines(e: SimEvent, ids: Rng): string[];
}

export const COUNTRY_NAMES: Record<string, string> = {
  US: 'United States',
  GB: 'United Kingdom',
  DE: 'Germany',
  FR: 'France',
  FI: 'Finland',
  RO: 'Romania',
};

/** "2024-02-27T09:00:00Z" (whole seconds, as most APIs print) */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function browserOf(ua: string): string {
  if (ua.includes('Edg/')) return 'Edge';
  if (ua.includes('Firefox/')) return 'Firefox';
  if (ua.includes('Chrome/')) return 'Chrome';
  if (ua.includes('Safari/')) return 'Safari';
  return 'Unknown';
}

export function osOf(ua: string): string {
  if (ua.includes('iPhone')) return 'iOS';
  if (ua.includes('Android')) return 'Android';
  if (ua.includes('Windows')) return 'Windows 10';
  if (ua.includes('Mac OS X')) return 'MacOs';
  if (ua.includes('Linux')) return 'Linux';
  return 'Unknown';
}
