/**
 * Are the enrichment data files there, readable, and recent enough? Exit relays change within days,
 * so a Tor list goes stale fast; geolocation and ASN data drift over months.
 */
import { open, stat } from 'node:fs/promises';
import { loadIndicatorFile, IndicatorSet } from '../../enrich/indicators.js';
import { openMmdb } from '../../enrich/mmdb.js';
import { loadTorFile, TorIndex } from '../../enrich/tor.js';
import type { EnrichmentConfig } from '../types.js';
import { fail, ok, reason, warn, type CheckOptions, type CheckResult } from './types.js';

const DAY = 86_400_000;
export const TOR_WARN_DAYS = 7;
/** beyond this the list misses many of today's exits and names many that are gone */
export const TOR_FAIL_DAYS = 30;
export const MMDB_WARN_DAYS = 90;
export const ASN_WARN_DAYS = 90;

const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
const ageDays = (t: number, now: number): number => Math.floor((now - t) / DAY);

function aged(check: string, what: string, date: number, now: number, warnDays: number, failDays: number | undefined, fix: string): CheckResult {
  const age = ageDays(date, now);
  const detail = `${what}, data of ${day(date)} (${age === 1 ? '1 day' : `${age} days`} old)`;
  if (failDays !== undefined && age > failDays) return fail(check, `${detail}: older than ${failDays} days`, fix);
  if (age > warnDays) return warn(check, `${detail}: older than ${warnDays} days`, fix);
  return ok(check, detail);
}

async function readable(file: string): Promise<number> {
  const fh = await open(file, 'r');
  try {
    return (await fh.stat()).mtimeMs;
  } finally {
    await fh.close();
  }
}

export async function checkTorList(file: string, now: number): Promise<CheckResult> {
  const check = `tor list ${file}`;
  const fix = 'download a fresh list daily, e.g. https://check.torproject.org/exit-addresses (cron), into enrichment.torExits';
  try {
    const snap = await loadTorFile(new TorIndex(), file);
    return aged(check, `${snap.addresses} exits`, snap.to, now, TOR_WARN_DAYS, TOR_FAIL_DAYS, fix);
  } catch (err) {
    return fail(check, reason(err), 'check the path in enrichment.torExits and that the vigil user can read it');
  }
}

export async function checkGeoDb(file: string, now: number): Promise<CheckResult> {
  const check = `geo db ${file}`;
  try {
    const db = await openMmdb(file);
    if (db.buildDate === undefined) return warn(check, `${db.databaseType || 'MMDB'}: no build date in its metadata`, 'use a database with a build date (MaxMind, IPinfo, ip-location-db)');
    return aged(check, db.databaseType || 'MMDB', db.buildDate.getTime(), now, MMDB_WARN_DAYS, undefined, 'update the database (MaxMind geoipupdate, or the vendor\'s download) monthly');
  } catch (err) {
    return fail(check, reason(err), 'check the path in enrichment.geoDb and that it is an .mmdb file');
  }
}

export async function checkAsnDb(file: string, now: number): Promise<CheckResult> {
  const check = `asn db ${file}`;
  try {
    // the TSV carries no date: its file time is the download time
    const mtime = await readable(file);
    return aged(check, 'ip2asn TSV', mtime, now, ASN_WARN_DAYS, undefined, 'download a fresh ip2asn file from iptoasn.com');
  } catch (err) {
    return fail(check, reason(err), 'check the path in enrichment.asnDb and that the vigil user can read it');
  }
}

export async function checkIntelFile(file: string): Promise<CheckResult> {
  const check = `intel list ${file}`;
  try {
    const info = await loadIndicatorFile(new IndicatorSet(), file);
    return ok(check, `${info.entries} indicators`);
  } catch (err) {
    return fail(check, reason(err), 'check the path and format of the file in enrichment.intel');
  }
}

export async function checkPlainFile(check: string, file: string, fix: string): Promise<CheckResult> {
  try {
    await stat(file);
    await readable(file);
    return ok(check, 'readable');
  } catch (err) {
    return fail(check, reason(err), fix);
  }
}

export async function checkEnrichment(e: EnrichmentConfig, opts: CheckOptions): Promise<CheckResult[]> {
  return Promise.all([
    ...e.geoDb.map((f) => checkGeoDb(f, opts.now)),
    ...e.asnDb.map((f) => checkAsnDb(f, opts.now)),
    ...e.torExits.map((f) => checkTorList(f, opts.now)),
    ...e.intel.map((f) => checkIntelFile(f)),
    ...(e.hostingFile ? [checkPlainFile(`hosting list ${e.hostingFile}`, e.hostingFile, 'check the path in enrichment.hostingFile')] : []),
  ]);
}
