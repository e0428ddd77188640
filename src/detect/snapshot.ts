import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { DetectionEngine, type EngineOptions, type EngineSnapshot } from './engine.js';
import { SnapshotError } from './state/snapshot-error.js';

export { SnapshotError } from './state/snapshot-error.js';

/**
 * Version of what a snapshot holds. Raise it with any change to the state a detector, the context,
 * the alert book or a window keeps (a field, a meaning, a cap): an older snapshot is then refused
 * and the caller replays its input instead, which gives the same state, only slower.
 */
export const ENGINE_SNAPSHOT_VERSION = 1;

const MAGIC = Buffer.from('VIGILDET', 'latin1');
/** magic, version (u32), payload length (u64), SHA-256 of the payload */
const HEADER_BYTES = MAGIC.length + 4 + 8 + 32;

/**
 * The whole detection state of `engine` as bytes: windows, per-account and per-address history,
 * pending failures with their resolution marks, detectors' own maps and the alert book (including
 * alerts changed and not yet drained). Take it between two events; the engine is not changed.
 * Bounded by the engine's own caps: a snapshot is as large as the live state, never larger.
 */
export function snapshotEngine(engine: DetectionEngine): Buffer {
  // one serialize call: an event held in several places (a window, the pending queue, an alert's
  // last evidence) is written once and comes back as one object
  let payload: Buffer;
  try {
    payload = serialize(engine.toSnapshot());
  } catch (err) {
    // an event carrying something that is not plain data (a function, a symbol) cannot be written;
    // V8's message quotes the value, which is not for the log
    throw new SnapshotError(`detection state cannot be written: it holds a value that is not plain data (${err instanceof Error ? err.name : 'error'})`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(ENGINE_SNAPSHOT_VERSION, MAGIC.length);
  header.writeBigUInt64BE(BigInt(payload.length), MAGIC.length + 4);
  createHash('sha256').update(payload).digest().copy(header, MAGIC.length + 12);
  return Buffer.concat([header, payload]);
}

/**
 * A new engine that goes on exactly where the snapshotted one stopped: fed the same events, it
 * raises the same alerts (same ids, same contents) as an engine that never stopped. `opts` are
 * the options the caller would make an engine with; they must match the snapshot's (resolution
 * delay, limits, detectors). Throws SnapshotError for bytes that are damaged, truncated, from
 * another version or for other options; nothing partly restored is returned.
 */
export function restoreEngine(bytes: Uint8Array, opts: EngineOptions = {}): DetectionEngine {
  const state = readSnapshot(bytes);
  try {
    return DetectionEngine.restore(state, opts);
  } catch (err) {
    if (err instanceof SnapshotError) throw new SnapshotError(`detection snapshot does not fit this engine: ${err.message}`);
    throw new SnapshotError(`detection snapshot does not fit this version: ${message(err)}`);
  }
}

/** The state a snapshot holds, checked and decoded but not restored (for inspection and tests). */
export function readSnapshot(bytes: Uint8Array): EngineSnapshot {
  const payload = checkedPayload(bytes);
  let state: unknown;
  try {
    state = deserialize(payload);
  } catch (err) {
    throw new SnapshotError(`detection snapshot cannot be decoded: ${message(err)}`);
  }
  if (!looksLikeEngineSnapshot(state)) throw new SnapshotError('detection snapshot does not hold an engine state');
  return state;
}

/** The version a snapshot was written with, or undefined when the bytes are no snapshot at all. */
export function snapshotVersion(bytes: Uint8Array): number | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  return b.readUInt32BE(MAGIC.length);
}

/** For `DetectLoop` (src/serve/detect-loop.ts): engine to bytes and back with default options. */
export const engineSnapshotCodec = {
  encode: (engine: DetectionEngine): Buffer => snapshotEngine(engine),
  decode: (bytes: Buffer): DetectionEngine => restoreEngine(bytes),
};

function checkedPayload(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES && b.length >= MAGIC.length && b.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SnapshotError(`detection snapshot is truncated: ${b.length} bytes, shorter than its header`);
  }
  const version = snapshotVersion(b);
  if (version === undefined) throw new SnapshotError('not a detection snapshot (no Vigil snapshot header)');
  if (version !== ENGINE_SNAPSHOT_VERSION) {
    throw new SnapshotError(`detection snapshot version ${version} is not the version this Vigil reads (${ENGINE_SNAPSHOT_VERSION})`);
  }
  const length = b.readBigUInt64BE(MAGIC.length + 4);
  if (BigInt(b.length - HEADER_BYTES) !== length) {
    throw new SnapshotError(`detection snapshot is truncated or padded: ${b.length - HEADER_BYTES} bytes of state where ${length} were written`);
  }
  const payload = b.subarray(HEADER_BYTES);
  const digest = createHash('sha256').update(payload).digest();
  if (!digest.equals(b.subarray(MAGIC.length + 12, HEADER_BYTES))) throw new SnapshotError('detection snapshot is damaged (checksum mismatch)');
  return payload;
}

function looksLikeEngineSnapshot(v: unknown): v is EngineSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<EngineSnapshot>;
  return (
    typeof s.resolveDelayMs === 'number' &&
    typeof s.limits === 'object' &&
    Array.isArray(s.detectorIds) &&
    Array.isArray(s.detectorStates) &&
    Array.isArray(s.pending) &&
    s.resolvedPending instanceof Uint8Array &&
    s.pendingByAccount instanceof Map &&
    typeof s.ctx === 'object' &&
    s.ctx !== null
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
