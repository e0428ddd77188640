/**
 * Office 365 Management Activity API records of Entra sign-ins (`AzureActiveDirectoryStsLogon`,
 * RecordType 15; legacy 9), as JSON from the API, as the Purview unified-audit-log CSV export
 * (`AuditData` column holding the JSON record) and as Sentinel `OfficeActivity` CSV rows.
 * See docs/formats/o365.md. The outcome comes from Operation + ErrorNumber/LogonError, never from
 * ResultStatus, which only says the HTTP call worked.
 */
import type { AuthEvent } from '../core/types.js';
import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, num, obj, resolveTenant } from '../core/normalize.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';
import { codeOfLogonError, meaningOfCode, type CodeMeaning } from './entra-codes.js';
import { FieldView, columnsOf, nestedList, own, parseMsTime } from './entra.js';

const LOGON_OPERATIONS = new Set(['userloggedin', 'userloginfailed']);
const LOGON_RECORD_TYPES = new Set(['15', '9', 'azureactivedirectorystslogon', 'azureactivedirectoryaccountlogon']);
const MAX_AUDIT_DATA = 1 << 20;

const K = {
  operation: ['operation', 'operations'],
  time: ['creationtime', 'timegenerated [utc]', 'timegenerated', 'creationdate'],
  user: ['userid', 'userids'],
  ip: ['clientip', 'actoripaddress', 'clientipaddress', 'client_ipaddress'],
  tenant: ['organizationid'],
  errorNumber: ['errornumber', 'errorcode'],
  logonError: ['logonerror'],
  id: ['id', 'recordid'],
} as const;

/** The record's fields; for a UAL CSV row, the parsed AuditData first, then the row's own columns. */
function viewOf(raw: RawRecord): FieldView | undefined {
  if (raw.framing === 'json') {
    const o = obj(raw.value);
    if (!o) throw new RecordError('record: not a JSON object');
    return new FieldView(o);
  }
  if (raw.framing !== 'csv') throw new RecordError('record: O365 audit records are JSON or CSV, not plain text');
  const row = new FieldView(raw.value);
  const audit = row.get('auditdata');
  if (!audit) return row;
  // cheap exit before parsing the JSON of the many non-logon rows of an audit export
  const op = row.str(...K.operation);
  if (op !== undefined && !LOGON_OPERATIONS.has(op.toLowerCase())) return undefined;
  if (typeof audit.value !== 'string' || audit.value.length > MAX_AUDIT_DATA) throw new RecordError(`${audit.name}: not JSON text`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(audit.value);
  } catch {
    throw new RecordError(`${audit.name}: not valid JSON`);
  }
  const inner = obj(parsed);
  if (!inner) throw new RecordError(`${audit.name}: not a JSON object`);
  return new FieldView(inner, raw.value);
}

function isLogon(view: FieldView): boolean {
  const op = view.get(...K.operation);
  if (!op) throw new RecordError('Operation: missing');
  if (typeof op.value !== 'string') throw new RecordError(`${op.name}: not a string`);
  if (!LOGON_OPERATIONS.has(op.value.trim().toLowerCase())) return false;
  const rt = view.str('recordtype');
  return rt === undefined || LOGON_RECORD_TYPES.has(rt.toLowerCase());
}

/** `ExtendedProperties` [{Name, Value}] (an array, or JSON text of one in CSV exports). */
function extendedProperty(view: FieldView, name: string): string | undefined {
  for (const item of nestedList(view.value('extendedproperties')).slice(0, 64)) {
    const entry = obj(item);
    if (own(entry, 'Name') === name) {
      const v = own(entry, 'Value');
      return typeof v === 'string' ? v : undefined;
    }
  }
  return undefined;
}

interface Status {
  meaning: CodeMeaning;
  code?: string;
}

function statusOf(view: FieldView, failedOperation: boolean): Status {
  const numField = view.get(...K.errorNumber);
  let code: number | undefined;
  if (numField) {
    const n = num(numField.value);
    if (n === undefined || !Number.isInteger(n) || n < 0) throw new RecordError(`${numField.name}: not an error code`);
    code = n;
  }
  const logonError = view.get(...K.logonError);
  const errorName = typeof logonError?.value === 'string' ? logonError.value.trim() : undefined;
  if (code === undefined && errorName !== undefined) code = codeOfLogonError(errorName);

  if (code !== undefined) {
    // a failed operation that reports code 0 is still a failure: the operation is the verdict
    if (code === 0 && failedOperation) return { meaning: { kind: 'attempt', outcome: 'failure', reason: 'other' }, code: '0' };
    return { meaning: meaningOfCode(code, errorName ?? ''), code: String(code) };
  }
  if (errorName !== undefined) {
    // a LogonError name not in our table: something failed; keep the name as the code
    return { meaning: { kind: 'attempt', outcome: 'failure', reason: 'other' }, code: clip(errorName, 64) };
  }
  return failedOperation
    ? { meaning: { kind: 'attempt', outcome: 'failure', reason: 'other' } }
    : { meaning: { kind: 'attempt', outcome: 'success' } };
}

function parseO365(raw: RawRecord, ctx: ParseContext): AuthEvent[] {
  const view = viewOf(raw);
  if (!view || !isLogon(view)) return [];

  const timeField = view.get(...K.time);
  if (!timeField) throw new RecordError('CreationTime: missing');
  const time = parseMsTime(timeField.value, timeField.name);

  const userField = view.get(...K.user);
  if (!userField) throw new RecordError('UserId: missing');
  if (typeof userField.value !== 'string') throw new RecordError(`${userField.name}: not a string`);
  const user = normalizeUser(userField.value);
  if (user === '') throw new RecordError(`${userField.name}: empty`);

  const failedOperation = view.str(...K.operation)?.toLowerCase() === 'userloginfailed';
  const status = statusOf(view, failedOperation);
  if (status.meaning.kind === 'interrupt') return [];
  const { outcome, reason, credentialValid } = status.meaning;

  const tenant = view.str(...K.tenant);
  const event: AuthEvent = {
    time,
    tenant: resolveTenant(tenant !== undefined && tenant.length <= 128 ? tenant : undefined, user, ctx.defaultTenant),
    user,
    srcIp: canonicalIp(view.str(...K.ip)),
    outcome,
    source: 'o365',
    ref: clip(view.str(...K.id), 128) || `${ctx.file}:${ctx.line}`,
  };
  if (reason !== undefined) event.reason = reason;
  if (credentialValid) event.credentialValid = true;
  if (status.code !== undefined) event.code = status.code;

  const ua = clip(extendedProperty(view, 'UserAgent') ?? view.str('useragent'), 512);
  if (ua) {
    event.userAgent = ua;
    // BAV2ROPC is the user agent Exchange Online's basic-auth proxy reports for password (ROPC) logons
    if (ua.toUpperCase().includes('BAV2ROPC')) {
      event.protocol = 'ropc';
      event.legacyAuth = true;
    }
  }
  const app = clip(view.str('applicationid'), 128);
  if (app) event.app = app;
  return [event];
}

function detectJson(value: unknown): number {
  const o = obj(value);
  if (!o) return 0;
  const has = (k: string): boolean => own(o, k) !== undefined;
  if (has('RecordType') && has('Operation') && has('CreationTime')) return 0.95;
  if (has('Workload') && has('Operation') && (has('CreationTime') || has('Id'))) return 0.85;
  if (has('Operation') && has('UserId') && has('ClientIP')) return 0.5;
  return 0;
}

function detectCsv(row: Record<string, string>): number {
  const cols = columnsOf(row);
  const hasOp = cols.has('operation') || cols.has('operations');
  if (cols.has('auditdata') && (hasOp || cols.has('creationdate'))) return 0.95;
  if (hasOp && (cols.has('officeworkload') || new FieldView(row).str('type') === 'OfficeActivity')) return 0.9;
  if (hasOp && cols.has('userid') && cols.has('clientip')) return 0.6;
  return 0;
}

export const o365Parser: FormatParser = {
  id: 'o365',
  name: 'Office 365 Management Activity (AzureActiveDirectoryStsLogon)',
  framings: ['json', 'csv'],
  detect: (record: RawRecord): number =>
    record.framing === 'json' ? detectJson(record.value) : record.framing === 'csv' ? detectCsv(record.value) : 0,
  parse: parseO365,
};
