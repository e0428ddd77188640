import type { AuthEvent } from '../core/types.js';

/** Adds what the log does not say about a source address. Mutates the event in place; never throws. */
export interface Enricher {
  readonly id: string;
  enrich(event: AuthEvent): void;
}
