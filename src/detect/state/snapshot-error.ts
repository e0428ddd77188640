/**
 * A detection snapshot that cannot be restored: damaged, written by an incompatible version, or
 * taken with other limits than the engine it is restored into. The caller falls back to replaying
 * its input; no partly restored engine is ever handed out.
 */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** A size or width the snapshot was taken with must be the one the restoring code uses. */
export function expectSame(what: string, saved: unknown, current: unknown): void {
  if (saved !== current) throw new SnapshotError(`${what} differs: the snapshot has ${String(saved)}, this version ${String(current)}`);
}

/** Element-wise `expectSame` for lists of widths. */
export function expectSameList(what: string, saved: readonly unknown[], current: readonly unknown[]): void {
  expectSame(what, saved.join(','), current.join(','));
}
