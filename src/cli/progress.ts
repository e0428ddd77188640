import { basename } from 'node:path';
import { safeText } from './report.js';

export interface Progress {
  /** bytes read so far from `file` (and its size when known) */
  update(file: string, bytes: number, total?: number): void;
  /** `n` more events were parsed */
  event(n?: number): void;
  /** erase the bar; call before printing the report */
  done(): void;
}

const REDRAW_MS = 100;

const silent: Progress = { update() {}, event() {}, done() {} };

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * A one-line progress bar on a terminal's stderr, redrawn in place at most ~10 times a second.
 * When the stream is not a terminal (a pipe, a file, CI) it prints nothing at all, so logs and
 * `2>file` stay clean. `now` is injectable for tests.
 */
export function createProgress(stream: NodeJS.WriteStream, now: () => number = Date.now): Progress {
  if (stream.isTTY !== true) return silent;
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  let file = '';
  let bytes = 0;
  let total: number | undefined;
  let events = 0;

  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < REDRAW_MS) return;
    lastDraw = t;
    const secs = Math.max((t - started) / 1000, 0.001);
    const rate = Math.round(events / secs);
    const size = total !== undefined && total > 0 ? `${formatBytes(bytes)} / ${formatBytes(total)} (${Math.min(100, Math.floor((bytes / total) * 100))}%)` : formatBytes(bytes);
    const tail = `  ${size}  ${events.toLocaleString('en-US')} events, ${rate.toLocaleString('en-US')}/s`;
    const cols = Math.max(20, (stream.columns ?? 80) - 1);
    // the file name gives way first when the line is too long for the terminal
    let name = safeText(basename(file), 200);
    const room = cols - tail.length;
    if (name.length > room) name = room > 4 ? `...${name.slice(name.length - (room - 3))}` : '';
    const line = `${name}${tail}`.slice(0, cols);
    stream.write(`\r${line}\u001b[K`);
    drawn = true;
  };

  return {
    update(f, b, t) {
      if (f !== file) lastDraw = 0; // show a new file at once
      file = f;
      bytes = Number.isFinite(b) && b > 0 ? b : 0;
      total = t;
      draw(false);
    },
    event(n = 1) {
      events += n;
      draw(false);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
