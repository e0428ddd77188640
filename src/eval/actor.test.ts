import { describe, expect, it } from 'vitest';
import type { ActorAttribution, Alert } from '../core/types.js';
import { makeAlert } from '../../test/support/alerts.js';
import { loadCatalog } from '../attribute/catalog.js';
import { ActorNames, scoreActor, unnamedAttribution } from './actor.js';

const names = new ActorNames(loadCatalog());

const actor = (name: string, confidence = 0.3, aliases: string[] = []): ActorAttribution => ({ name, aliases, confidence, reasons: [`behaviour resembles ${name}'s profile`] });
let n = 0;
const carrying = (a?: ActorAttribution): Alert => makeAlert({ id: `a${++n}`, ...(a ? { actor: a } : {}) });

describe('scoreActor', () => {
  it('accepts any alias of the catalog entry the truth names', () => {
    // the truth says Strontium, attribution says APT28 with no aliases at all: one actor in the catalog
    const s = scoreActor('Strontium', [carrying(actor('APT28', 0.24))], names);
    expect(s).toMatchObject({ verdict: 'correct', truthId: 'apt28', attributed: 'APT28', confidence: 0.24, alertsWithActor: 1 });
    expect(scoreActor('Fancy Bear', [carrying(actor('Forest Blizzard'))], names).verdict).toBe('correct');
    expect(scoreActor('forest-blizzard', [carrying({ ...actor('Sofacy'), attackId: 'G0007' })], names).verdict).toBe('correct');
  });

  it('calls another catalog actor wrong and keeps its reasons to show why', () => {
    const s = scoreActor('Midnight Blizzard', [carrying(actor('APT28', 0.27))], names);
    expect(s).toMatchObject({ verdict: 'wrong', truthId: 'apt29', attributed: 'APT28', confidence: 0.27 });
    expect(s.reasons).toEqual(["behaviour resembles APT28's profile"]);
  });

  it('is unattributed when no matching alert carries an actor', () => {
    expect(scoreActor('APT28', [carrying(), carrying()], names)).toMatchObject({ verdict: 'unattributed', alertsUnattributed: 2, alertsWithActor: 0 });
    expect(scoreActor('APT28', [], names).verdict).toBe('unattributed');
  });

  it('lets the actor most matching alerts carry decide; alerts without one do not vote', () => {
    const s = scoreActor('APT28', [carrying(actor('APT28', 0.2)), carrying(actor('APT28', 0.25)), carrying(actor('APT29')), carrying(), carrying(), carrying()], names);
    expect(s).toMatchObject({ verdict: 'correct', alertsWithActor: 2, alertsOtherActor: 1, alertsUnattributed: 3, confidence: 0.25, others: [{ name: 'APT29', alerts: 1 }] });
    const outvoted = scoreActor('APT28', [carrying(actor('APT28')), carrying(actor('APT29')), carrying(actor('Cozy Bear'))], names);
    expect(outvoted).toMatchObject({ verdict: 'wrong', attributed: 'APT29', alertsWithActor: 2 });
  });

  it('counts a tie between the right actor and another as wrong', () => {
    expect(scoreActor('APT28', [carrying(actor('APT28')), carrying(actor('APT31'))], names)).toMatchObject({ verdict: 'wrong', attributed: 'APT31' });
  });

  it('compares actors the catalog does not know by name and aliases, ignoring case and separators', () => {
    expect(scoreActor('UNC 9999', [carrying(actor('Storm-9999', 0.6, ['unc9999']))], names).verdict).toBe('correct');
    expect(scoreActor('UNC 9999', [carrying(actor('Storm-1234', 0.6))], names).verdict).toBe('wrong');
    // without a catalog only the spelled names count
    expect(scoreActor('Strontium', [carrying(actor('APT28'))], new ActorNames()).verdict).toBe('wrong');
    expect(scoreActor('Strontium', [carrying(actor('APT28', 0.3, ['STRONTIUM']))], new ActorNames()).verdict).toBe('correct');
  });
});

describe('unnamedAttribution', () => {
  it('reports the actor alerts carry on a campaign the truth names no actor for', () => {
    expect(unnamedAttribution([carrying(), carrying(actor('Criminal credential-stuffing botnet', 0.19))], names)).toEqual({ attributed: 'Criminal credential-stuffing botnet', confidence: 0.19, alertsWithActor: 1 });
    expect(unnamedAttribution([carrying()], names)).toBeUndefined();
  });
});
