import { open, stat, type FileHandle } from 'node:fs/promises';
import { VigilError } from '../core/errors.js';
import type { FormatParser } from '../formats/types.js';
import type { DecodedRecord } from '../server/decode.js';
import { ingestRecords } from '../server/ingest.js';
import type { Journal } from '../server/journal.js';
import { lineToRecord, sourceParser } from './records.js';
import { fileIdOf, markAt, markMatches, parsePosition, positionText, sameFile, type FileId } from './tail-position.js';
import { findRotatedFile } from './tail-rotated.js';
import type { Source, SourceDeps, SourceStatus } from './types.js';

export interface FileTailSourceConfig extends SourceDeps {
  /** checkpoint/status key; default `tail:<path>` (keep it stable: it is how a restart finds its position) */
  name?: string;
  tenant: string;
  /** the live log file (`/var/log/auth.log`); rotated siblings are found by inode, never by name */
  path: string;
  /** parser id ('sshd', 'windows', ...); default: detected per line */
  format?: string;
  /** how often the file is checked for new lines and rotation, ms (default 1000) */
  pollMs?: number;
  /** on the very first start (no checkpoint): read the file from its beginning (default) or only new lines */
  startAt?: 'beginning' | 'end';
  /** longest line kept, bytes (default 1 MiB); longer lines are skipped and counted */
  maxLineBytes?: number;
  /** lines per journal transaction (default 1000) */
  maxBatchLines?: number;
}

export interface TailStatus extends SourceStatus {
  kind: 'tail';
  /** the file being read and how far its committed lines reach */
  file?: { path: string; offset: number };
  /** rotations followed (rename + new file) */
  rotations: number;
  /** times the file shrank or was rewritten under us (copytruncate): reading restarted at 0 */
  truncations: number;
  /** restarts that found the old file gone: its lines after the checkpoint could not be read */
  gaps: number;
  /** lines longer than maxLineBytes, skipped */
  oversize: number;
}

export interface FileTailSource extends Source {
  status(): TailStatus;
  /** run one poll now (tests; `vigil doctor`); resolves when it is done */
  pollNow(): Promise<void>;
}

interface OpenFile {
  fh: FileHandle;
  id: FileId;
  /** committed position: just after the last line in the journal */
  offset: number;
  mark: string;
  path: string;
  /** a rotated copy found at restart: read to its end, then the live path */
  rotated: boolean;
}

const LF = 0x0a;
const CHUNK = 256 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Follows a log file like `tail -F` and commits its lines to the journal with the position they
 * end at, in one transaction per batch: a restart resumes exactly after the last committed line.
 */
export function createFileTailSource(config: FileTailSourceConfig): FileTailSource {
  return new FileTail(config);
}

class FileTail implements FileTailSource {
  readonly name: string;
  private readonly parser: FormatParser | undefined;
  private readonly journal: Journal;
  private readonly pollMs: number;
  private readonly maxLineBytes: number;
  private readonly maxBatchLines: number;
  private readonly log: (msg: string) => void;
  private readonly now: () => number;
  private readonly st: TailStatus;
  private current: OpenFile | undefined;
  /** a rotation was seen while the new file was still empty: the writer gets one poll to move over */
  private rotationSeen = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** where the last oversize line began */
  private oversizeAt = -1;

  constructor(private readonly config: FileTailSourceConfig) {
    this.name = config.name ?? `tail:${config.path}`;
    this.parser = sourceParser(config.format);
    this.journal = config.journal;
    this.pollMs = config.pollMs ?? 1000;
    this.maxLineBytes = config.maxLineBytes ?? 1024 * 1024;
    this.maxBatchLines = config.maxBatchLines ?? 1000;
    this.log = config.log ?? (() => {});
    this.now = config.now ?? Date.now;
    if (!(this.pollMs > 0) || !(this.maxLineBytes > 0) || !(this.maxBatchLines > 0)) {
      throw new VigilError('CONFIG', `${this.name}: pollMs, maxLineBytes and maxBatchLines must be positive`);
    }
    this.st = { name: this.name, kind: 'tail', recordsIn: 0, rejected: 0, rotations: 0, truncations: 0, gaps: 0, oversize: 0 };
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.current?.fh.close().catch(() => undefined);
    this.current = undefined;
  }

  status(): TailStatus {
    const out: TailStatus = { ...this.st };
    if (this.current) out.file = { path: this.current.path, offset: this.current.offset };
    return out;
  }

  async pollNow(): Promise<void> {
    await this.pollExclusive();
  }

  private schedule(delay: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pollExclusive().finally(() => this.schedule(this.pollMs));
    }, delay);
  }

  /** One poll at a time: the timer and pollNow() never read the same file concurrently. */
  private async pollExclusive(): Promise<void> {
    while (this.running) await this.running;
    const run = this.pollSafely();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async pollSafely(): Promise<void> {
    try {
      await this.poll();
    } catch (err) {
      // fs and SQLite messages name the path at most, no secret; nothing was committed past the error
      this.fail(err instanceof Error ? err.message.slice(0, 300) : 'poll failed');
    }
  }

  private fail(msg: string): void {
    if (this.st.lastError !== msg) this.log(`${this.name}: ${msg}`);
    this.st.lastError = msg;
    this.st.lastErrorAt = this.now();
  }

  private async poll(): Promise<void> {
    if (this.stopping) return;
    if (!this.current && !(await this.openAtCheckpoint())) return;
    const cur = this.current;
    if (!cur) return;
    if (!cur.rotated) await this.checkRewritten(cur);
    await this.readLines(cur, false);
    if (this.stopping) return;

    const live = await statId(this.config.path);
    if (!cur.rotated && (live === undefined || sameFile(live, cur.id))) return;
    // the file we read was renamed away (or is a rotated copy found at restart)
    if (live === undefined) return; // no new file yet: the old one may still grow
    if (!cur.rotated && live.size === 0 && !this.rotationSeen) {
      this.rotationSeen = true;
      return;
    }
    await this.readLines(cur, true);
    if (this.stopping) return;
    await cur.fh.close();
    this.current = undefined;
    this.rotationSeen = false;
    this.st.rotations++;
    this.log(`${this.name}: ${cur.path} was rotated; reading the new ${this.config.path}`);
    const fh = await this.openLive();
    if (!fh) return;
    const id = await fileIdOf(fh);
    this.current = { fh, id, offset: 0, mark: '', path: this.config.path, rotated: false };
    this.commit([], this.current, 0, '');
    await this.readLines(this.current, false);
  }

  /** Open the live file (or the rotated copy the checkpoint points at) at the committed position. */
  private async openAtCheckpoint(): Promise<boolean> {
    const cp = parsePosition(this.journal.sourceCheckpoint(this.name));
    if (cp) {
      const live = await statId(this.config.path);
      if (live === undefined || !sameFile(live, cp)) {
        // rotated while we were down: finish the old file first when it is still there, uncompressed
        const rotatedPath = await findRotatedFile(this.config.path, cp);
        if (rotatedPath !== undefined) {
          const fh = await open(rotatedPath, 'r');
          const id = await fileIdOf(fh);
          if (sameFile(id, cp) && (await markMatches(fh, id.size, cp))) {
            this.current = { fh, id, offset: cp.offset, mark: cp.mark, path: rotatedPath, rotated: true };
            return true;
          }
          await fh.close();
        }
        if (live === undefined) {
          this.fail(`waiting for ${this.config.path}: no such file`);
          return false;
        }
        this.st.gaps++;
        this.log(`${this.name}: the file read before the restart is gone (deleted or compressed); lines written to it after the last checkpoint are lost`);
      }
    }
    const fh = await this.openLive();
    if (!fh) return false;
    const id = await fileIdOf(fh);
    let offset = 0;
    let mark = '';
    if (cp && sameFile(cp, id)) {
      if (await markMatches(fh, id.size, cp)) {
        offset = cp.offset;
        mark = cp.mark;
      } else {
        this.st.truncations++;
        this.log(`${this.name}: ${this.config.path} was truncated or rewritten while stopped; reading it from the start`);
      }
    } else if (!cp && this.config.startAt === 'end') {
      offset = await lastLineStart(fh, id.size);
      mark = await markAt(fh, offset);
    }
    this.current = { fh, id, offset, mark, path: this.config.path, rotated: false };
    if (!cp || !sameFile(cp, id) || offset !== cp.offset) this.commit([], this.current, offset, mark);
    return true;
  }

  private async openLive(): Promise<FileHandle | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(this.config.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.fail(code === 'ENOENT' ? `waiting for ${this.config.path}: no such file` : `${this.config.path}: cannot open (${code ?? 'error'})`);
      return undefined;
    }
    const st = await fh.stat();
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    if (!st.isFile() || (bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])) {
      await fh.close();
      this.fail(`${this.config.path}: not a plain log file (a directory, device or gzip file); point the tail at the live log`);
      return undefined;
    }
    return fh;
  }

  /** copytruncate, or truncated and regrown between polls: start over at 0. */
  private async checkRewritten(cur: OpenFile): Promise<void> {
    if (cur.offset === 0) return;
    const { size } = await fileIdOf(cur.fh);
    if (await markMatches(cur.fh, size, { ...cur.id, offset: cur.offset, mark: cur.mark })) return;
    this.st.truncations++;
    this.log(`${this.name}: ${cur.path} was truncated (copytruncate?); reading it from the start`);
    this.commit([], cur, 0, '');
  }

  /**
   * Read complete lines from the committed offset to the end, committing every maxBatchLines.
   * A last line without its newline stays unread (its offset is not passed), unless `final`: the
   * file was rotated away and will not grow, so that line is complete as it is.
   */
  private async readLines(cur: OpenFile, final: boolean): Promise<void> {
    const buf = Buffer.allocUnsafe(CHUNK);
    let records: DecodedRecord[] = [];
    let parts: Buffer[] = [];
    let held = 0;
    let skipping = false;
    let pos = cur.offset;
    let lineEnd = cur.offset; // just after the last complete line read
    const takeLine = (): void => {
      if (!skipping) {
        let line = Buffer.concat(parts, held).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.trim() !== '') records.push(lineToRecord(line, this.parser));
      }
      parts = [];
      held = 0;
      skipping = false;
    };
    while (!this.stopping) {
      const { bytesRead } = await cur.fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      let i = 0;
      while (i < bytesRead) {
        const nl = chunk.indexOf(LF, i);
        const end = nl < 0 ? bytesRead : nl;
        if (!skipping) {
          if (held + end - i > this.maxLineBytes) {
            skipping = true;
            parts = [];
            held = 0;
            // an unfinished long line is scanned again each poll: count it once
            if (this.oversizeAt !== lineEnd) this.st.oversize++;
            this.oversizeAt = lineEnd;
          } else if (end > i) {
            parts.push(Buffer.from(chunk.subarray(i, end)));
            held += end - i;
          }
        }
        if (nl < 0) break;
        takeLine();
        i = nl + 1;
        lineEnd = pos + i;
        if (records.length >= this.maxBatchLines) {
          await this.commitAt(records, cur, lineEnd);
          records = [];
        }
      }
      pos += bytesRead;
    }
    if (final && !this.stopping && (held > 0 || skipping)) {
      takeLine();
      lineEnd = pos;
    }
    if (records.length > 0 || lineEnd !== cur.offset) await this.commitAt(records, cur, lineEnd);
  }

  private async commitAt(records: DecodedRecord[], cur: OpenFile, offset: number): Promise<void> {
    this.commit(records, cur, offset, await markAt(cur.fh, offset));
  }

  /** Records and the position after them, in one transaction; the in-memory position moves only once it is committed. */
  private commit(records: DecodedRecord[], cur: OpenFile, offset: number, mark: string): void {
    const state = positionText({ dev: cur.id.dev, ino: cur.id.ino, offset, mark });
    const out = ingestRecords(this.journal, this.config.tenant, records, { format: this.parser, source: { name: this.name, state } });
    cur.offset = offset;
    cur.mark = mark;
    if (out.kind !== 'conflict') {
      this.st.recordsIn += out.response.accepted;
      this.st.rejected += out.response.rejected.length;
    }
    this.st.lastSuccessAt = this.now();
  }
}

async function statId(path: string): Promise<(FileId & { size: number }) | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return { dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size) };
  } catch {
    return undefined;
  }
}

/** Offset just after the last newline in the file's last 64 KiB (for startAt: 'end'). */
async function lastLineStart(fh: FileHandle, size: number): Promise<number> {
  const len = Math.min(size, 64 * 1024);
  if (len === 0) return 0;
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, size - len);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(LF);
  return nl < 0 ? (size === len ? 0 : size) : size - len + nl + 1;
}
