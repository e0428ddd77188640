/**
 * Splits a TCP syslog stream into messages (RFC 6587), deciding per message:
 * - octet counting, "LEN SP <PRI>...": LEN is 1-9 digits without a leading zero and the message
 *   must start with '<' (so a plain line that happens to begin with "3 " is not misread);
 * - otherwise newline framing (non-transparent): the message ends at LF, a trailing CR is dropped.
 * Bytes between messages that are LF, CR, NUL or space are skipped (some senders end octet-counted
 * messages with LF anyway). Memory is bounded: a message longer than `maxMessageBytes` is never
 * held; it is skipped (by its length, or up to its LF) and reported once through `onOversize`.
 */

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const NUL = 0x00;
const LT = 0x3c;
const MAX_LEN_DIGITS = 9;

type State = 'boundary' | 'header' | 'line' | 'discardLine' | 'octets' | 'skipOctets';

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

export class SyslogStreamFramer {
  private state: State = 'boundary';
  /** the bytes read while deciding between octet counting and a line: at most LEN + SP + '<' */
  private header: number[] = [];
  private parts: Buffer[] = [];
  private held = 0;
  /** bytes still to read (octets) or to skip (skipOctets) */
  private remaining = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onMessage: (message: Buffer) => void,
    private readonly onOversize: () => void,
    /** checked before each message: when true, push() stops and hands back the bytes it did not read */
    private readonly isBlocked: () => boolean = () => false,
  ) {}

  /** Bytes held for an unfinished message (what the per-connection buffer costs now). */
  get buffered(): number {
    return this.held + this.header.length;
  }

  /** Read a chunk; returns the unread rest when isBlocked() stopped it before a message (feed it again later). */
  push(chunk: Buffer): Buffer | undefined {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'boundary': {
          if (this.isBlocked()) return chunk.subarray(i);
          const c = chunk[i] ?? 0;
          if (c === LF || c === CR || c === NUL || c === SP) {
            i++;
          } else {
            this.state = c !== 0x30 && isDigit(c) ? 'header' : 'line';
          }
          break;
        }
        case 'header':
          i = this.readHeader(chunk, i);
          break;
        case 'line':
          i = this.readLine(chunk, i);
          break;
        case 'discardLine': {
          const nl = chunk.indexOf(LF, i);
          if (nl < 0) return undefined;
          i = nl + 1;
          this.state = 'boundary';
          break;
        }
        case 'octets':
        case 'skipOctets': {
          const take = Math.min(this.remaining, chunk.length - i);
          if (this.state === 'octets') this.hold(chunk.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            if (this.state === 'octets') this.emit();
            this.state = 'boundary';
          }
          break;
        }
      }
    }
    return undefined;
  }

  /** The connection ended: a last newline-framed message without its LF still counts; a short octet-counted one does not. */
  end(): void {
    if (this.state === 'header') this.replayHeaderAsLine();
    if (this.state === 'line' && this.held > 0) this.emit();
    this.reset();
  }

  private readHeader(chunk: Buffer, i: number): number {
    const c = chunk[i] ?? 0;
    const h = this.header;
    h.push(c);
    const n = h.length;
    const digitsBefore = (k: number): boolean => {
      for (let j = 0; j < k; j++) if (!isDigit(h[j] ?? 0)) return false;
      return true;
    };
    if (isDigit(c) && n <= MAX_LEN_DIGITS && digitsBefore(n)) return i + 1;
    if (c === SP && n >= 2 && digitsBefore(n - 1)) return i + 1;
    if (c === LT && n >= 3 && h[n - 2] === SP && digitsBefore(n - 2)) {
      const len = Number(String.fromCharCode(...h.slice(0, n - 2)));
      this.header = [];
      if (len > this.maxMessageBytes) {
        this.onOversize();
        this.remaining = len - 1;
        this.state = len - 1 > 0 ? 'skipOctets' : 'boundary';
      } else {
        this.hold(Buffer.from([LT]));
        this.remaining = len - 1;
        if (this.remaining === 0) {
          this.emit();
          this.state = 'boundary';
        } else {
          this.state = 'octets';
        }
      }
      return i + 1;
    }
    // not "LEN SP <": the digits begin a plain line (e.g. an ISO time without <PRI>)
    this.replayHeaderAsLine();
    return i + 1;
  }

  private replayHeaderAsLine(): void {
    const bytes = Buffer.from(this.header);
    this.header = [];
    this.state = 'line';
    this.push(bytes);
  }

  private readLine(chunk: Buffer, i: number): number {
    const nl = chunk.indexOf(LF, i);
    const end = nl < 0 ? chunk.length : nl;
    if (this.held + (end - i) > this.maxMessageBytes) {
      this.onOversize();
      this.reset();
      if (nl < 0) {
        this.state = 'discardLine';
        return chunk.length;
      }
      this.state = 'boundary';
      return nl + 1;
    }
    this.hold(chunk.subarray(i, end));
    if (nl < 0) return chunk.length;
    this.emit();
    this.state = 'boundary';
    return nl + 1;
  }

  /** Copies, so a held message never pins a large socket chunk. */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(Buffer.from(bytes));
    this.held += bytes.length;
  }

  private emit(): void {
    const message = trimMessage(this.parts.length === 1 ? (this.parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.parts, this.held));
    this.parts = [];
    this.held = 0;
    if (message.length > 0) this.onMessage(message);
  }

  private reset(): void {
    this.parts = [];
    this.held = 0;
    this.header = [];
    this.remaining = 0;
    this.state = 'boundary';
  }
}

/** Drops trailing CR, LF and NUL (line ends and C-string terminators some senders add). */
export function trimMessage(message: Buffer): Buffer {
  let end = message.length;
  while (end > 0) {
    const c = message[end - 1];
    if (c !== LF && c !== CR && c !== NUL) break;
    end--;
  }
  return end === message.length ? message : message.subarray(0, end);
}
