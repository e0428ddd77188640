/** One line of `vigil doctor`. */
export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  /** what was checked: "store", "source okta fabrikam.org", "channel soc-mail" */
  check: string;
  /** what was found; never a secret */
  detail: string;
  /** what to do about a warn or fail */
  fix?: string;
}

export interface CheckOptions {
  /** per network check (default 5000 ms) */
  timeoutMs: number;
  /** clock for data ages (tests) */
  now: number;
}

export const ok = (check: string, detail: string): CheckResult => ({ status: 'ok', check, detail });
export const warn = (check: string, detail: string, fix: string): CheckResult => ({ status: 'warn', check, detail, fix });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ status: 'fail', check, detail, fix });

/** An error's own message (no stack); callers redact secrets on the way out. */
export function reason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    const msg = err.message.split('\n')[0] ?? '';
    // errno-like codes (ECONNREFUSED, EAUTH) say what went wrong; Vigil's own codes (STORE) do not
    const errno = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
    return errno !== undefined && !msg.includes(errno) ? `${errno} ${msg}`.trim() : msg || (errno ?? 'failed');
  }
  return String(err);
}
