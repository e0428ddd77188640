import { createReadStream, type Stats } from 'node:fs';
import { access, constants, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { IngestIssue, InputFile } from './types.js';

export interface ResolvedInputs {
  files: InputFile[];
  issues: IngestIssue[];
}

export interface ResolveOptions {
  /** what '-' reads; process.stdin by default (tests pass their own stream) */
  stdin?: Readable;
}

const READ_CHUNK = 256 * 1024;

export const EVTX_MESSAGE =
  'EVTX is a binary Windows event log: convert it to JSON first (for example `evtx_dump -o jsonl`, ' +
  'or `Get-WinEvent -Path <file> | ConvertTo-Json`), then scan the result';

/** Files inside a directory that are obviously not logs: documentation and licence texts. */
function isIgnoredInDirectory(name: string): boolean {
  if (name.startsWith('.')) return true;
  const lower = name.toLowerCase();
  return (
    lower.endsWith('.md') ||
    lower.startsWith('license') ||
    lower.startsWith('licence') ||
    lower.startsWith('copying') ||
    lower === 'notice' ||
    lower.startsWith('notice.')
  );
}

function isEvtx(name: string): boolean {
  return name.toLowerCase().endsWith('.evtx');
}

function fileInput(name: string, path: string, st: Stats): InputFile {
  return {
    name,
    mtimeMs: st.mtimeMs,
    size: st.isFile() ? st.size : undefined,
    path,
    open: () => createReadStream(path, { highWaterMark: READ_CHUNK }),
  };
}

function stdinInput(stream: Readable): InputFile {
  return { name: '-', open: () => stream };
}

function errorReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns the paths a user named into input files: files as given, directories walked recursively
 * in sorted order, '-' as stdin. A path that cannot be used becomes a fatal issue for that path
 * only; the others are still returned. The same file named twice is read once.
 */
export async function resolveInputs(paths: string[], opts: ResolveOptions = {}): Promise<ResolvedInputs> {
  const files: InputFile[] = [];
  const issues: IngestIssue[] = [];
  const seen = new Set<string>();
  const fatal = (file: string, message: string): void => {
    issues.push({ file, message, fatal: true });
  };

  const addFile = async (name: string, path: string, st: Stats): Promise<void> => {
    const key = await realpath(path).catch(() => resolve(path));
    if (seen.has(key)) return;
    seen.add(key);
    if (isEvtx(name)) {
      fatal(name, EVTX_MESSAGE);
      return;
    }
    try {
      await access(path, constants.R_OK);
    } catch (err) {
      fatal(name, `cannot read: ${errorReason(err)}`);
      return;
    }
    files.push(fileInput(name, path, st));
  };

  // Depth-first, children sorted by code unit so every machine walks in the same order.
  const walk = async (name: string, path: string, visitedDirs: Set<string>): Promise<void> => {
    let entries: string[];
    try {
      const real = await realpath(path);
      if (visitedDirs.has(real)) return; // symlink loop
      visitedDirs.add(real);
      entries = await readdir(path);
    } catch (err) {
      fatal(name, `cannot read directory: ${errorReason(err)}`);
      return;
    }
    entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const entry of entries) {
      if (isIgnoredInDirectory(entry)) continue;
      const childName = join(name, entry);
      const childPath = join(path, entry);
      let st: Stats;
      try {
        st = await stat(childPath);
      } catch (err) {
        fatal(childName, `cannot read: ${errorReason(err)}`);
        continue;
      }
      if (st.isDirectory()) await walk(childName, childPath, visitedDirs);
      else if (st.isFile()) await addFile(childName, childPath, st);
      // sockets, fifos and devices inside a directory are not logs
    }
  };

  let stdinUsed = false;
  for (const given of paths) {
    if (given === '-') {
      if (!stdinUsed) files.push(stdinInput(opts.stdin ?? process.stdin));
      stdinUsed = true;
      continue;
    }
    let st: Stats;
    try {
      st = await stat(given);
    } catch (err) {
      fatal(given, `cannot read: ${errorReason(err)}`);
      continue;
    }
    if (st.isDirectory()) {
      await walk(given, given, new Set());
    } else {
      // a named fifo or /dev/fd/N (shell process substitution) is fine when named explicitly
      await addFile(given, given, st);
    }
  }
  return { files, issues };
}
