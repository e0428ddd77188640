/**
 * Removes a poller's secrets (client secret, SSWS token, private key, and the access tokens and
 * assertions it obtains) from any text before it reaches a log line, an error or the status.
 */
const MIN_SECRET = 6; // shorter strings would redact ordinary words
/** access tokens rotate for as long as the server runs: only the latest few can still appear */
const MAX_ROTATING = 8;

export class Redactor {
  private readonly fixed: string[] = [];
  private readonly rotating: string[] = [];

  constructor(initial: readonly (string | undefined)[] = []) {
    for (const s of initial) this.add(s);
  }

  /** a configured secret, redacted for the poller's lifetime */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET || this.fixed.includes(secret)) return;
    this.fixed.push(secret);
    // a PEM key may surface line by line: redact each long line of it too
    if (secret.includes('\n')) {
      for (const line of secret.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) this.fixed.push(line);
    }
  }

  /** a token obtained at run time; the oldest are forgotten */
  addRotating(secret: string): void {
    if (secret.length < MIN_SECRET || this.rotating.includes(secret)) return;
    this.rotating.push(secret);
    if (this.rotating.length > MAX_ROTATING) this.rotating.shift();
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a whole secret is replaced before a part of it
    for (const s of [...this.fixed, ...this.rotating].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
    return out;
  }
}
