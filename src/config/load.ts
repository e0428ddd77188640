/**
 * Loading vigil.yaml: YAML parsed with positions kept, validated by the zod schema, every problem
 * reported as `FILE:LINE:COL: key.path: message` — all of them at once, none with a value in it
 * (a value might be a secret written in the wrong place).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { VigilError } from '../core/errors.js';
import { buildConfigSchema } from './schema.js';
import { allowedKeys, nearestKey } from './suggest.js';
import type { VigilConfig } from './types.js';

export type ConfigPath = (string | number)[];

export interface ConfigIssue {
  line: number;
  col: number;
  /** `sources[2].okta.token`; empty for the whole file */
  path: string;
  message: string;
}

/** One error carrying every problem of the file; its message is one `file:line:col: …` line each. */
export class ConfigError extends VigilError {
  constructor(
    readonly issues: ConfigIssue[],
    readonly displayName: string,
  ) {
    super('CONFIG', issues.map((i) => formatIssue(displayName, i)).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatIssue(file: string, i: ConfigIssue): string {
  return `${file}:${i.line}:${i.col}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`;
}

export interface LoadOptions {
  /** environment for `{ env: NAME }` secrets (default process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  /** non-fatal findings, already formatted `file:line:col: …` */
  onWarning?: (message: string) => void;
}

export interface LoadResult {
  config: VigilConfig;
  warnings: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += IDENT.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

type Positions = (path: readonly PropertyKey[]) => { line: number; col: number };

/**
 * The position of the deepest node along `path`: a map entry is located at its key, a list item at
 * the item; a missing key at the map that should hold it.
 */
function positionsOf(doc: Document, counter: LineCounter): Positions {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const key = pair.key as { range?: [number, number, number] };
        if (key.range) offset = key.range[0];
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as { range?: [number, number, number] } | undefined;
        if (!item) break;
        if (item.range) offset = item.range[0];
        node = item;
      } else break;
    }
    const pos = counter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
}

function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return true;
}

/** zod's wording without its "Invalid input:" preambles; never a received value (zod 4 gives none). */
function describe(issue: z.core.$ZodIssue, data: unknown, schema: z.ZodType): { path: PropertyKey[]; message: string }[] {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(schema, path);
    return issue.keys.map((k) => {
      const near = nearestKey(k, allowed);
      return { path: [...path, k], message: `unknown key "${k}"${near !== undefined ? `; did you mean "${near}"?` : ''}` };
    });
  }
  if (issue.code === 'invalid_type' && !hasPath(data, path)) {
    return [{ path, message: `missing: expected ${issue.expected}` }];
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
    const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
    return [{ path: at, message: `expected ${issue.discriminator}: smtp, slack, teams or webhook` }];
  }
  const message = issue.message.replace(/^Invalid (input|option|string|value|type|element): /, '').replace(/^Too (small|big): /, '');
  return [{ path, message }];
}

/** The text before yaml's " at line N, column M:" and its source excerpt (which may hold a secret). */
function yamlMessage(message: string): string {
  const cut = message.search(/ at line \d+, column \d+/);
  return (cut >= 0 ? message.slice(0, cut) : message.split('\n')[0]!).trim();
}

/** Parses and validates vigil.yaml text; `file` locates relative paths and names the errors. */
export function parseConfig(textOfFile: string, file: string, opts: LoadOptions = {}): LoadResult {
  const displayName = file;
  const absFile = resolve(file);
  const baseDir = dirname(absFile);
  const counter = new LineCounter();
  const doc = parseDocument(textOfFile, { keepSourceTokens: true, lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const warnings: string[] = [];
  const warn = (line: number, col: number, message: string): void => {
    const w = formatIssue(displayName, { line, col, path: '', message: `warning: ${message}` });
    warnings.push(w);
    opts.onWarning?.(w);
  };

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): ConfigIssue => {
      const p = e.linePos?.[0] ?? { line: 1, col: 1 };
      return { line: p.line, col: p.col, path: '', message: `YAML: ${yamlMessage(e.message)}` };
    });
    throw new ConfigError(issues, displayName);
  }
  for (const w of doc.warnings) {
    const p = w.linePos?.[0] ?? { line: 1, col: 1 };
    warn(p.line, p.col, `YAML: ${yamlMessage(w.message)}`);
  }

  let data: unknown;
  try {
    // aliases are expanded at most 100 times: a "billion laughs" file stops here
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([{ line: 1, col: 1, path: '', message: `YAML: ${yamlMessage(err instanceof Error ? err.message : 'cannot be read')}` }], displayName);
  }
  if (data === null || data === undefined) {
    throw new ConfigError([{ line: 1, col: 1, path: '', message: 'the file is empty; expected at least server: and store:' }], displayName);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([{ line: 1, col: 1, path: '', message: 'expected a mapping of sections (server:, store:, …)' }], displayName);
  }

  const where = positionsOf(doc, counter);
  const schema = buildConfigSchema({
    env: opts.env ?? process.env,
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(baseDir, p)),
    warn: (path, message) => {
      const pos = where(path);
      warn(pos.line, pos.col, message);
    },
  });
  const result = schema.safeParse(data);
  if (!result.success) {
    const issues: ConfigIssue[] = [];
    for (const issue of result.error.issues) {
      for (const d of describe(issue, data, schema)) {
        const pos = where(d.path);
        issues.push({ line: pos.line, col: pos.col, path: formatPath(d.path), message: d.message });
      }
    }
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ConfigError(issues, displayName);
  }
  return { config: { file: absFile, ...result.data }, warnings };
}

/** Reads, parses and validates a vigil.yaml file, with its warnings. */
export function readConfig(file: string, opts: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    throw new VigilError('CONFIG', `${file}: ${reason}`, undefined);
  }
  return parseConfig(text, file, opts);
}

/** Reads, parses and validates a vigil.yaml file; throws ConfigError listing every problem. */
export function loadConfig(file: string, opts: LoadOptions = {}): VigilConfig {
  return readConfig(file, opts).config;
}
