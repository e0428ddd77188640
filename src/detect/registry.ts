import type { Detector } from './types.js';
import { bruteForceDetector } from './brute-force.js';
import { guessBurstDetector } from './guess-burst.js';
import { sourceSprayDetector } from './source-spray.js';
import { distributedSprayDetector } from './distributed-spray.js';
import { compromiseDetector } from './compromise.js';
import { mfaFatigueDetector } from './mfa-fatigue.js';
import { legacyAuthDetector } from './legacy-auth.js';
import { anonymizerSigninDetector } from './anonymizer-signin.js';
import { impossibleTravelDetector } from './impossible-travel.js';
import { unfamiliarSigninDetector } from './unfamiliar-signin.js';
import { intelMatchDetector } from './intel-match.js';
import { providerWarningDetector } from './provider-warning.js';

/**
 * Every detector, in the order they see each event. Attack detectors come before the ones that ask
 * "is this success the attacker's?", so an address caught attacking is known by then.
 * Adding a detector: one file in this folder and one line here. A detector that keeps state of its
 * own also implements saveState/loadState (engine snapshots, docs/serve-state.md), and adding or
 * removing one raises ENGINE_SNAPSHOT_VERSION in snapshot.ts.
 */
export function defaultDetectors(): Detector[] {
  return [
    bruteForceDetector(),
    // the rotating spray is judged first: its addresses then do not each raise a one-source spray
    distributedSprayDetector(),
    sourceSprayDetector(),
    guessBurstDetector(),
    intelMatchDetector(),
    mfaFatigueDetector(),
    compromiseDetector(),
    legacyAuthDetector(),
    anonymizerSigninDetector(),
    impossibleTravelDetector(),
    unfamiliarSigninDetector(),
    providerWarningDetector(),
  ];
}
