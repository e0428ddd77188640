import type { AuthEvent } from '../core/types.js';

/**
 * readEvents' generators carry their events as batches (an array per input chunk) under this
 * key, so orderedEvents can await once per batch instead of once per event.
 */
export const EVENT_BATCHES: unique symbol = Symbol('vigil.eventBatches');

export interface EventStream extends AsyncGenerator<AuthEvent> {
  /** the same events, never an empty array; a consumer uses this or the generator, not both */
  [EVENT_BATCHES]?: AsyncGenerator<AuthEvent[]>;
}
