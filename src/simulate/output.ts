/** Buffered, synchronous file output: deterministic, few system calls, one buffer per open file. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class FileSinks {
  private readonly buffers = new Map<string, string[]>();
  private readonly sizes = new Map<string, number>();

  constructor(private readonly flushAt = 1 << 16) {}

  write(path: string, line: string): void {
    let buf = this.buffers.get(path);
    if (!buf) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '');
      buf = [];
      this.buffers.set(path, buf);
      this.sizes.set(path, 0);
    }
    buf.push(line);
    const size = (this.sizes.get(path) ?? 0) + line.length + 1;
    if (size >= this.flushAt) this.flush(path);
    else this.sizes.set(path, size);
  }

  private flush(path: string): void {
    const buf = this.buffers.get(path);
    if (!buf || buf.length === 0) return;
    appendFileSync(path, `${buf.join('\n')}\n`);
    buf.length = 0;
    this.sizes.set(path, 0);
  }

  close(): void {
    for (const path of this.buffers.keys()) this.flush(path);
  }
}
