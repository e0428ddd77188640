import { engineSnapshotCodec } from '../detect/snapshot.js';
import type { EngineCodec } from './detect-loop.js';

/**
 * The engine snapshot codec (src/detect/snapshot.ts): the detection loop saves the engine with
 * it and restores it at start; a snapshot it refuses (damaged, another version, other limits)
 * makes the loop replay the journal instead.
 */
export async function loadEngineCodec(): Promise<EngineCodec | undefined> {
  return engineSnapshotCodec;
}
