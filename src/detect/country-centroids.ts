/**
 * Approximate population-weighted centres (lat, lon) of countries by ISO 3166-1 alpha-2 code, used
 * only when a sign-in carries a country but no coordinates. Accurate to a few hundred km, which is
 * why impossible travel needs distances well above that.
 */
export const COUNTRY_CENTROIDS: Record<string, readonly [number, number]> = {
  US: [39.8, -98.6], CA: [45.4, -75.7], MX: [19.4, -99.1], BR: [-15.8, -47.9], AR: [-34.6, -58.4],
  CL: [-33.4, -70.6], CO: [4.7, -74.1], PE: [-12.0, -77.0], VE: [10.5, -66.9], GB: [52.5, -1.5],
  IE: [53.3, -6.3], FR: [47.0, 2.4], DE: [51.0, 10.0], NL: [52.2, 5.3], BE: [50.8, 4.4],
  LU: [49.6, 6.1], CH: [46.9, 7.9], AT: [47.8, 14.3], IT: [42.5, 12.5], ES: [40.4, -3.7],
  PT: [39.4, -8.2], DK: [55.9, 10.2], NO: [60.5, 9.0], SE: [59.3, 16.5], FI: [61.0, 25.0],
  IS: [64.1, -21.9], PL: [52.1, 19.4], CZ: [49.8, 15.5], SK: [48.7, 19.7], HU: [47.4, 19.2],
  RO: [45.0, 25.0], BG: [42.7, 25.3], GR: [38.5, 23.3], TR: [39.9, 32.9], UA: [49.0, 31.4],
  BY: [53.7, 27.9], RU: [55.8, 37.6], LT: [55.2, 23.9], LV: [56.9, 24.6], EE: [59.0, 25.0],
  MD: [47.0, 28.8], RS: [44.0, 20.9], HR: [45.4, 16.0], SI: [46.1, 14.8], BA: [44.0, 17.8],
  AL: [41.2, 20.0], MK: [41.6, 21.7], CY: [35.1, 33.4], MT: [35.9, 14.4], IL: [31.8, 35.0],
  PS: [31.9, 35.2], JO: [31.9, 35.9], LB: [33.9, 35.7], SY: [34.8, 38.9], IQ: [33.3, 44.4],
  IR: [35.7, 51.4], SA: [24.7, 46.7], AE: [24.5, 54.5], QA: [25.3, 51.5], KW: [29.4, 47.9],
  BH: [26.1, 50.6], OM: [23.6, 58.4], YE: [15.4, 44.2], EG: [30.0, 31.2], MA: [33.6, -7.6],
  DZ: [36.7, 3.1], TN: [36.8, 10.2], LY: [32.9, 13.2], NG: [7.5, 5.5], GH: [5.6, -0.2],
  KE: [-1.3, 36.8], ET: [9.0, 38.7], ZA: [-26.2, 28.0], TZ: [-6.8, 39.3], UG: [0.3, 32.6],
  SN: [14.7, -17.4], CI: [5.3, -4.0], CM: [4.0, 11.5], AO: [-8.8, 13.2], ZW: [-17.8, 31.0],
  IN: [22.0, 79.0], PK: [30.0, 70.0], BD: [23.8, 90.4], LK: [6.9, 79.9], NP: [27.7, 85.3],
  AF: [34.5, 69.2], KZ: [48.0, 68.0], UZ: [41.3, 69.3], CN: [32.0, 112.0], HK: [22.3, 114.2],
  TW: [24.0, 121.0], KR: [37.0, 127.5], KP: [39.0, 125.8], JP: [36.0, 138.0], MN: [47.9, 106.9],
  VN: [16.0, 106.0], TH: [14.0, 100.6], MY: [3.1, 101.7], SG: [1.35, 103.8], ID: [-6.2, 106.8],
  PH: [14.6, 121.0], KH: [11.6, 104.9], MM: [19.8, 96.1], AU: [-33.0, 146.0], NZ: [-40.9, 174.9],
  GE: [41.7, 44.8], AM: [40.2, 44.5], AZ: [40.4, 49.9], CU: [23.1, -82.4], DO: [18.5, -69.9],
  PR: [18.2, -66.5], JM: [18.0, -76.8], PA: [9.0, -79.5], CR: [9.9, -84.1], GT: [14.6, -90.5],
  EC: [-0.2, -78.5], BO: [-16.5, -68.1], UY: [-34.9, -56.2], PY: [-25.3, -57.6],
};

/** Coordinates of a sign-in: its own, else its country's centre. */
export function locate(geo: { lat?: number; lon?: number; country?: string } | undefined): readonly [number, number] | undefined {
  if (!geo) return undefined;
  if (typeof geo.lat === 'number' && typeof geo.lon === 'number' && (geo.lat !== 0 || geo.lon !== 0)) return [geo.lat, geo.lon];
  return geo.country ? COUNTRY_CENTROIDS[geo.country.toUpperCase()] : undefined;
}

/** Great-circle distance in km. */
export function distanceKm(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
