/**
 * Splits a byte stream into lines (LF or CRLF) without decoding anything but complete lines.
 *
 * A line longer than maxBytes is reported through onTooLong and dropped while it streams past:
 * its bytes are never accumulated, so a 10 MB line costs no more memory than a short one.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  /** 1-based number of the line being accumulated */
  private lineNo = 1;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (text: string, line: number) => void,
    private readonly onTooLong: (line: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    const n = chunk.length;
    while (start < n) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.keep(chunk, start, n);
        return;
      }
      this.finish(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** flush a last line that has no trailing newline */
  end(): void {
    if (this.carryBytes > 0 || this.skipping) this.finish(Buffer.alloc(0), 0, 0);
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) return;
    const len = end - start;
    if (this.carryBytes + len > this.maxBytes) {
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    this.carry.push(chunk.subarray(start, end));
    this.carryBytes += len;
  }

  private finish(chunk: Buffer, start: number, nl: number): void {
    const line = this.lineNo++;
    if (this.skipping || this.carryBytes + (nl - start) > this.maxBytes) {
      this.skipping = false;
      this.carry = [];
      this.carryBytes = 0;
      this.onTooLong(line);
      return;
    }
    let buf: Buffer;
    let s: number;
    let e: number;
    if (this.carry.length === 0) {
      buf = chunk;
      s = start;
      e = nl;
    } else {
      this.carry.push(chunk.subarray(start, nl));
      buf = Buffer.concat(this.carry, this.carryBytes + (nl - start));
      s = 0;
      e = buf.length;
      this.carry = [];
      this.carryBytes = 0;
    }
    if (e > s && buf[e - 1] === 13) e--;
    this.onLine(buf.toString('utf8', s, e), line);
  }
}

/** True when a line holds nothing but spaces and tabs (and a stray CR). */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
