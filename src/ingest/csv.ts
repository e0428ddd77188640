const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/*
 * CSV is read with a small splitter of our own rather than csv-parse: csv-parse counts the CRLF
 * inside a quoted field as two lines (so every line number after a multi-line Windows export field
 * drifts), and after an oversized quoted field it stops emitting records. Cutting records here
 * gives exact line numbers and a hard size bound.
 */

/**
 * Quote-aware cut of CSV bytes into whole records (RFC 4180: a quote opens a quoted field only at
 * the start of a field, "" inside is a literal quote, line breaks inside quotes belong to the
 * field). A record longer than maxBytes is reported and dropped while it streams past.
 */
export class CsvRecordSplitter {
  private inQuotes = false;
  private quotePending = false;
  private fieldStart = true;
  private line = 1;
  private recLine = 1;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onRecord: (bytes: Buffer, line: number, unclosedQuote: boolean) => void,
    private readonly onTooLong: (line: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let recStart = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i] as number;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (b === QUOTE) continue; // "" is an escaped quote
          this.inQuotes = false; // the previous quote closed the field; read b unquoted
        } else {
          if (b === QUOTE) this.quotePending = true;
          else if (b === LF) this.line++;
          continue;
        }
      }
      if (b === QUOTE) {
        if (this.fieldStart) this.inQuotes = true;
        this.fieldStart = false;
      } else if (b === COMMA) {
        this.fieldStart = true;
      } else if (b === LF) {
        this.finish(chunk, recStart, i, false);
        this.line++;
        this.recLine = this.line;
        recStart = i + 1;
        this.fieldStart = true;
      } else if (b !== CR) {
        this.fieldStart = false;
      }
    }
    if (this.skipping || recStart >= n) return;
    this.carry.push(chunk.subarray(recStart));
    this.carryBytes += n - recStart;
    if (this.carryBytes > this.maxBytes) {
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
    }
  }

  /** the last record when the file does not end with a newline */
  end(): void {
    const unclosed = this.inQuotes && !this.quotePending;
    if (this.skipping || this.carryBytes > 0) this.finish(Buffer.alloc(0), 0, 0, unclosed);
  }

  private finish(chunk: Buffer, start: number, end: number, unclosedQuote: boolean): void {
    const size = this.carryBytes + (end - start);
    if (this.skipping || size > this.maxBytes) {
      this.skipping = false;
      this.carry = [];
      this.carryBytes = 0;
      this.onTooLong(this.recLine);
      return;
    }
    let bytes = chunk.subarray(start, end);
    if (this.carry.length > 0) {
      this.carry.push(bytes);
      bytes = Buffer.concat(this.carry, size);
      this.carry = [];
      this.carryBytes = 0;
    }
    this.onRecord(bytes, this.recLine, unclosedQuote);
  }
}

/** The fields of one CSV record (no trailing line break). Lenient: stray quotes are kept as text. */
export function splitCsvFields(s: string): string[] {
  const fields: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    let value: string;
    if (s.charCodeAt(i) === QUOTE) {
      value = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) {
          // unclosed at the end of input: the rest is the field
          value += s.slice(j);
          i = n;
          break;
        }
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        value += s.slice(j, q);
        i = q + 1;
        break;
      }
      // text between the closing quote and the next comma ("a"b) is kept, as spreadsheets do
      const comma = s.indexOf(',', i);
      const tailEnd = comma < 0 ? n : comma;
      if (tailEnd > i) value += s.slice(i, tailEnd);
      i = tailEnd;
    } else {
      const comma = s.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      value = s.slice(i, end);
      i = end;
    }
    fields.push(value);
    if (i >= n) break;
    i++; // the comma
    if (i === n) {
      fields.push(''); // trailing comma: one more empty field
      break;
    }
  }
  return fields;
}

export interface CsvSink {
  /** value is a null-prototype object, so a "__proto__" column is plain data */
  record(value: Record<string, string>, line: number): void;
  issue(line: number, message: string): void;
  tooLong(line: number): void;
}

/**
 * CSV records as objects keyed by the trimmed header names, each with the line it starts on.
 * Rows with fewer fields than the header lack those columns; extra fields are ignored; blank
 * lines are skipped.
 */
export class CsvFramer {
  private header: string[] | undefined;
  private readonly splitter: CsvRecordSplitter;

  constructor(maxBytes: number, private readonly sink: CsvSink) {
    this.splitter = new CsvRecordSplitter(maxBytes, (b, line, unclosed) => this.onRecord(b, line, unclosed), (line) => sink.tooLong(line));
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
  }

  private onRecord(bytes: Buffer, line: number, unclosedQuote: boolean): void {
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.header === undefined && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return;
    if (unclosedQuote) {
      this.sink.issue(line, 'invalid CSV: a quoted field is not closed at the end of the file');
      return;
    }
    const fields = splitCsvFields(text);
    const header = this.header;
    if (header === undefined) {
      this.header = fields.map((h) => h.trim());
      return;
    }
    const value = Object.create(null) as Record<string, string>;
    const n = Math.min(fields.length, header.length);
    for (let i = 0; i < n; i++) value[header[i] as string] = fields[i] as string;
    this.sink.record(value, line);
  }
}
