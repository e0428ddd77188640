/** One error class for everything Vigil reports to a user, with a code for exit status and tests. */
export type VigilErrorCode =
  | 'USAGE'
  | 'INPUT_UNREADABLE'
  | 'INPUT_UNRECOGNIZED'
  | 'INPUT_BINARY'
  | 'RECORD_MALFORMED'
  | 'RECORD_TOO_LARGE'
  | 'CONFIG'
  | 'STORE';

export class VigilError extends Error {
  constructor(
    readonly code: VigilErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'VigilError';
  }

  /** `file:line: reason`, the form every bad-input report uses */
  get location(): string {
    if (this.file === undefined) return this.message;
    return this.line === undefined ? `${this.file}: ${this.message}` : `${this.file}:${this.line}: ${this.message}`;
  }
}

/** A malformed record: the parser throws it, the pipeline counts it and goes on. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}
