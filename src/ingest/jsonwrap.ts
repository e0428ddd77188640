/**
 * Keys under which exports and API pages carry their records as an array:
 * `value` (Microsoft Graph page), `records` (Azure Event Hub / diagnostic-settings batch),
 * `Records` (same, as some storage exports spell it), `items` (Google Reports API page).
 * Not `events`: a Google Workspace activity record itself holds an `events` array.
 */
export const WRAPPER_KEYS: ReadonlySet<string> = new Set(['value', 'records', 'Records', 'items']);

/**
 * The records inside a parsed JSON value: the elements of an array, the array under a wrapper key
 * (when it is empty or starts with an object), else the value itself.
 */
export function unwrapRecords(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) {
    for (const key of WRAPPER_KEYS) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const inner = (value as Record<string, unknown>)[key];
      if (!Array.isArray(inner)) continue;
      const first: unknown = inner[0];
      if (inner.length === 0 || (typeof first === 'object' && first !== null && !Array.isArray(first))) return inner;
    }
  }
  return [value];
}
