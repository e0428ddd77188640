/**
 * Secrets in vigil.yaml are never written inline: a secret field holds a reference — `{ env: NAME }`,
 * `{ file: /path }` or the string `"${NAME}"` — resolved once at load time into a `Secret`, whose
 * every printable form is `[secret]`. Only code that needs the value (an HTTP client, a database
 * driver) calls `reveal()`.
 */
import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';

const MASK = '[secret]';
/** a service-account key file is a few KiB; anything much bigger is the wrong file */
const MAX_SECRET_FILE_BYTES = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const ENV_FORM = /^\$\{([A-Za-z_][A-Za-z0-9_]{0,127})\}$/;

export class Secret {
  readonly #value: string;

  /** `origin` says where the value came from ("env OKTA_TOKEN", "file /etc/vigil/okta"), never the value */
  constructor(
    value: string,
    readonly origin: string,
  ) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

/** Where a secret comes from, as written in vigil.yaml. */
export type SecretRef = { env: string } | { file: string };

export interface SecretContext {
  env: Readonly<Record<string, string | undefined>>;
  /** turns a path from the config into an absolute one (relative to the config file) */
  resolvePath: (p: string) => string;
}

export type SecretResult = { ok: true; secret: Secret; warning?: string } | { ok: false; message: string };

/** `${NAME}` → { env: NAME }; any other string is an inline secret and so undefined. */
export function envForm(text: string): SecretRef | undefined {
  const m = ENV_FORM.exec(text.trim());
  return m ? { env: m[1]! } : undefined;
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

function fsReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return typeof code === 'string' ? code : 'cannot be read';
}

/** Reads the secret a reference names. Messages name the variable or file, never a value. */
export function resolveSecret(ref: SecretRef, ctx: SecretContext): SecretResult {
  if ('env' in ref) {
    const value = ctx.env[ref.env];
    if (value === undefined) return { ok: false, message: `environment variable ${ref.env} is not set` };
    const v = value.trim();
    if (v === '') return { ok: false, message: `environment variable ${ref.env} is empty` };
    return { ok: true, secret: new Secret(v, `env ${ref.env}`) };
  }
  const file = ctx.resolvePath(ref.file);
  let mode: number;
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return { ok: false, message: `secret file ${file}: not a regular file` };
    mode = st.mode;
    size = st.size;
  } catch (err) {
    return { ok: false, message: `secret file ${file}: ${fsReason(err)}` };
  }
  // POSIX permission bits only mean something off Windows
  if (process.platform !== 'win32' && (mode & 0o004) !== 0) {
    return { ok: false, message: `secret file ${file} is readable by every user of this host; run: chmod 600 ${file}` };
  }
  if (size > MAX_SECRET_FILE_BYTES) return { ok: false, message: `secret file ${file}: larger than ${MAX_SECRET_FILE_BYTES} bytes` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    return { ok: false, message: `secret file ${file}: ${fsReason(err)}` };
  }
  if (text === '') return { ok: false, message: `secret file ${file} is empty` };
  const warning =
    process.platform !== 'win32' && (mode & 0o002) !== 0 ? `secret file ${file} is writable by every user of this host; run: chmod 600 ${file}` : undefined;
  return { ok: true, secret: new Secret(text, `file ${file}`), ...(warning ? { warning } : {}) };
}

/** Every Secret inside a value (for redacting error text with their values). */
export function secretsIn(value: unknown, found: Secret[] = [], seen = new Set<unknown>()): Secret[] {
  if (value instanceof Secret) {
    found.push(value);
    return found;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) secretsIn(v, found, seen);
  return found;
}

/** Replaces every secret value (and its URL-encoded form) in a text by [secret]. */
export function redactWith(secrets: readonly Secret[]): (text: string) => string {
  const values = new Set<string>();
  for (const s of secrets) {
    const v = s.reveal();
    // very short values would blank out ordinary words; a 4-character secret is not one worth hiding this way
    if (v.length < 4) continue;
    values.add(v);
    values.add(encodeURIComponent(v));
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) out = out.split(v).join(MASK);
    return out;
  };
}
