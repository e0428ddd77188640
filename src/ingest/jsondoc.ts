import { WRAPPER_KEYS } from './jsonwrap.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Longest key worth remembering when looking for a wrapper key ("records", "value"...). */
const MAX_KEY = 16;

export interface JsonDocSink {
  record(value: unknown, line: number): void;
  /** a bad element (non-fatal) or a truncated document (fatal) */
  issue(line: number, message: string, fatal: boolean): void;
}

type KeyState = 'expectKey' | 'inKey' | 'afterKey' | 'expectValue' | 'inValue';

/**
 * Streaming splitter for JSON documents: a top-level array of records, an object that wraps its
 * records in an array under a known key ({"value":[...]}, {"records":[...]}), or one or more
 * (pretty-printed, concatenated) top-level objects that are records themselves.
 *
 * It only tracks strings, escapes and nesting depth to find where each record starts and ends,
 * keeps at most maxBytes of one record, and hands each complete record to JSON.parse, which does
 * the real validation. Memory is bounded by the record size, never by the file size.
 */
export class JsonDocScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;

  /** depth at which a '{' or '[' starts a record; -1 while no records are expected */
  private recordDepth = -1;
  /** the current top-level value is an object (a record, or a wrapper of records) */
  private topObject = false;
  private topLine = 1;

  // key tracking inside a top-level object, to recognise wrappers
  private keyState: KeyState = 'inValue';
  private key = '';
  /** saw `"records": [`; the first element decides whether this is really a wrapper */
  private pendingWrapper = false;
  private wrapped = false;

  // the record being captured
  private capturing = false;
  private elemDepth = 0;
  private elemLine = 0;
  private parts: Buffer[] = [];
  private partStart = 0;
  private captured = 0;
  private tooLong = false;

  private junkReported = false;
  private scalarReported = false;

  constructor(
    private readonly maxBytes: number,
    private readonly sink: JsonDocSink,
    private readonly limitText: string,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    this.partStart = 0;
    for (let i = 0; i < n; i++) {
      const b = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.keyState === 'inKey') this.keyState = 'afterKey';
          continue;
        } else if (b === LF) this.line++;
        if (this.keyState === 'inKey' && this.key.length <= MAX_KEY) this.key += String.fromCharCode(b);
        continue;
      }
      switch (b) {
        case LF:
          this.line++;
          break;
        case SPACE:
        case TAB:
        case CR:
          break;
        case LBRACE:
        case LBRACKET:
          this.open(b, chunk, i);
          break;
        case RBRACE:
        case RBRACKET:
          this.close(chunk, i);
          break;
        case COMMA:
          if (this.depth === 0) this.junk(b);
          else if (this.topObject && this.depth === 1) this.keyState = 'expectKey';
          else if (this.pendingWrapper && this.depth === 2) this.pendingWrapper = false;
          break;
        case COLON:
          if (this.topObject && this.depth === 1 && this.keyState === 'afterKey') this.keyState = 'expectValue';
          break;
        case QUOTE:
          this.inString = true;
          this.scalar(b);
          break;
        default:
          this.scalar(b);
      }
    }
    if (this.capturing && !this.tooLong) this.keepPart(chunk, n);
  }

  /** call once after the last chunk */
  end(): void {
    if (this.depth === 0 && !this.inString) return;
    if (this.capturing) {
      this.sink.issue(this.elemLine, 'truncated JSON: this record is not complete at the end of the file', true);
    } else {
      this.sink.issue(this.topLine, 'truncated JSON: the document opened here is not closed at the end of the file', true);
    }
    this.capturing = false;
    this.parts = [];
  }

  private open(b: number, chunk: Buffer, i: number): void {
    if (this.depth === 0) {
      this.junkReported = false;
      this.topLine = this.line;
      this.wrapped = false;
      this.pendingWrapper = false;
      if (b === LBRACKET) {
        this.topObject = false;
        this.recordDepth = 1;
      } else {
        // the object is a record unless it turns out to wrap an array of records
        this.topObject = true;
        this.keyState = 'expectKey';
        this.recordDepth = 0;
        this.startCapture(i);
      }
      this.depth = 1;
      return;
    }
    if (this.pendingWrapper && this.depth === 2) {
      this.pendingWrapper = false;
      if (b === LBRACE) this.commitWrapper();
    }
    if (this.topObject && this.depth === 1 && this.keyState === 'expectValue') {
      this.keyState = 'inValue';
      if (b === LBRACKET && !this.wrapped && WRAPPER_KEYS.has(this.key)) this.pendingWrapper = true;
    }
    if (this.depth === this.recordDepth && !this.capturing) this.startCapture(i);
    this.depth++;
  }

  private close(chunk: Buffer, i: number): void {
    if (this.depth === 0) {
      this.junk(chunk[i] as number);
      return;
    }
    this.depth--;
    if (this.pendingWrapper && this.depth === 1) {
      // `"value": []`: an empty page is a wrapper with no records, not a record
      this.pendingWrapper = false;
      this.commitWrapper();
    }
    if (this.capturing && this.depth === this.elemDepth) this.endCapture(chunk, i + 1);
    if (this.wrapped && this.depth === 1) this.recordDepth = -1; // wrapper array done
    if (this.depth === 0) {
      this.topObject = false;
      this.recordDepth = -1;
    }
  }

  /** a string, number, true/false/null, or stray character */
  private scalar(b: number): void {
    if (this.depth === 0) {
      this.junk(b);
      return;
    }
    if (this.pendingWrapper && this.depth === 2) this.pendingWrapper = false;
    if (this.topObject && this.depth === 1) {
      if (this.keyState === 'expectKey' && b === QUOTE) {
        this.keyState = 'inKey';
        this.key = '';
      } else if (this.keyState === 'expectValue') this.keyState = 'inValue';
      return;
    }
    if (this.depth === this.recordDepth && !this.capturing && !this.scalarReported) {
      this.scalarReported = true;
      this.sink.issue(this.line, 'array elements that are not JSON objects are skipped', false);
    }
  }

  private junk(b: number): void {
    if (this.junkReported) return;
    this.junkReported = true;
    this.sink.issue(this.line, `invalid JSON: unexpected ${JSON.stringify(String.fromCharCode(b))} outside any object`, false);
  }

  private commitWrapper(): void {
    this.wrapped = true;
    this.recordDepth = 2;
    // the wrapper object itself is not a record
    this.capturing = false;
    this.parts = [];
    this.tooLong = false;
  }

  private startCapture(i: number): void {
    this.capturing = true;
    this.elemDepth = this.depth;
    this.elemLine = this.line;
    this.parts = [];
    this.partStart = i;
    this.captured = 0;
    this.tooLong = false;
  }

  private keepPart(chunk: Buffer, end: number): void {
    const len = end - this.partStart;
    this.captured += len;
    if (this.captured > this.maxBytes) {
      this.tooLong = true;
      this.parts = [];
      return;
    }
    if (len > 0) this.parts.push(chunk.subarray(this.partStart, end));
  }

  private endCapture(chunk: Buffer, end: number): void {
    this.capturing = false;
    if (!this.tooLong) this.keepPart(chunk, end);
    const line = this.elemLine;
    if (this.tooLong) {
      this.tooLong = false;
      this.sink.issue(line, `record longer than ${this.limitText}, skipped`, false);
      return;
    }
    const parts = this.parts;
    this.parts = [];
    const text = parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.sink.issue(line, `invalid JSON: ${shortReason(err)}`, false);
      return;
    }
    this.sink.record(value, line);
  }
}

/** JSON.parse's message without the echo of the input it sometimes carries. */
export function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const cut = msg.indexOf(', "');
  const base = cut > 0 ? msg.slice(0, cut) : msg;
  return base.length > 120 ? `${base.slice(0, 117)}...` : base;
}
