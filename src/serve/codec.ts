import type { EngineCodec } from './detect-loop.js';

/**
 * The engine snapshot codec, when this build has one (src/detect/snapshot.ts). Without it the
 * server still works: a restart replays the journal instead of restoring a snapshot.
 */
export async function loadEngineCodec(): Promise<EngineCodec | undefined> {
  return undefined;
}
