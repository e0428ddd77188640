/**
 * Was a campaign attributed to the actor the ground truth names? Names are compared through the
 * actor catalog (data/actors.json): "Strontium", "APT28", "Fancy Bear" and "Forest Blizzard" are one
 * actor, `apt28`. An actor the catalog does not know compares by name and aliases, ignoring case,
 * spaces and dashes. Pure functions: no I/O.
 */
import type { ActorAttribution, Alert } from '../core/types.js';
import { findActor, nameKey, type ActorCatalog } from '../attribute/catalog.js';

export type ActorVerdict = 'correct' | 'wrong' | 'unattributed';

export interface ActorScore {
  /** the actor as the ground truth names it */
  truth: string;
  /** the catalog id it resolves to (absent when the catalog does not know it) */
  truthId?: string;
  verdict: ActorVerdict;
  /** the actor most of the matching alerts carry (its name as attributed), when any carries one */
  attributed?: string;
  /** its highest confidence among those alerts */
  confidence?: number;
  /** attribution's reasons at that confidence: why it named this actor */
  reasons?: string[];
  /** matching alerts carrying that actor / carrying another actor / carrying none */
  alertsWithActor: number;
  alertsOtherActor: number;
  alertsUnattributed: number;
  /** the other actors the matching alerts carry, by how many alerts, most first */
  others: { name: string; alerts: number }[];
}

/** Resolves actor names to one key per actor, through the catalog when it knows the actor. */
export class ActorNames {
  constructor(private readonly catalog?: ActorCatalog) {}

  /** the catalog id of a truth name, when the catalog knows it */
  idOfName(name: string): string | undefined {
    return this.catalog ? findActor(this.catalog, { name })?.id : undefined;
  }

  /** one key per actor: the catalog id, else the name without case or separators */
  keyOf(a: Pick<ActorAttribution, 'name' | 'aliases' | 'attackId'>): string {
    const known = this.catalog ? findActor(this.catalog, { name: a.name, aliases: a.aliases, ...(a.attackId ? { attackId: a.attackId } : {}) }) : undefined;
    return known ? `id:${known.id}` : `name:${nameKey(a.name)}`;
  }

  /** is the attributed actor the one the truth names? */
  same(truthName: string, a: Pick<ActorAttribution, 'name' | 'aliases' | 'attackId'>): boolean {
    const id = this.idOfName(truthName);
    if (id) return this.keyOf(a) === `id:${id}`;
    const want = nameKey(truthName);
    return [a.name, ...a.aliases].some((n) => nameKey(n) === want);
  }
}

interface ActorGroup {
  /** the attribution at its highest confidence among the alerts */
  actor: ActorAttribution;
  alerts: number;
}

/** the actors the alerts carry, most alerts first, and how many carry none */
function tally(matching: readonly Alert[], names: ActorNames): { ranked: ActorGroup[]; unattributed: number } {
  const groups = new Map<string, ActorGroup>();
  let unattributed = 0;
  for (const a of matching) {
    if (!a.actor) {
      unattributed++;
      continue;
    }
    const key = names.keyOf(a.actor);
    const g = groups.get(key);
    if (!g) groups.set(key, { actor: a.actor, alerts: 1 });
    else {
      g.alerts++;
      if (a.actor.confidence > g.actor.confidence) g.actor = a.actor;
    }
  }
  const ranked = [...groups.values()].sort((x, y) => y.alerts - x.alerts || x.actor.name.localeCompare(y.actor.name));
  return { ranked, unattributed };
}

/**
 * The verdict for one campaign from the alerts that matched it. Attribution is per Vigil campaign
 * and written on each of its alerts, so the alerts vote: the actor most matching alerts carry
 * decides (a tie between the right actor and another counts as wrong). Alerts carrying no actor do
 * not vote: a spray's lone compromise or anonymizer alert staying unattributed beside an attributed
 * campaign is not a miss. Unattributed only when no matching alert carries an actor.
 */
export function scoreActor(truthActor: string, matching: readonly Alert[], names: ActorNames): ActorScore {
  const truthId = names.idOfName(truthActor);
  const { ranked, unattributed } = tally(matching, names);
  const base = { truth: truthActor, ...(truthId ? { truthId } : {}) };
  const top = ranked[0];
  if (!top) return { ...base, verdict: 'unattributed', alertsWithActor: 0, alertsOtherActor: 0, alertsUnattributed: unattributed, others: [] };
  // a tie between the right actor and another is no majority for the right one: wrong
  const tied = ranked.filter((g) => g.alerts === top.alerts);
  const winner = tied.find((g) => !names.same(truthActor, g.actor)) ?? top;
  const verdict: ActorVerdict = names.same(truthActor, winner.actor) ? 'correct' : 'wrong';
  return {
    ...base,
    verdict,
    attributed: winner.actor.name,
    confidence: winner.actor.confidence,
    reasons: [...winner.actor.reasons],
    alertsWithActor: winner.alerts,
    alertsOtherActor: ranked.reduce((n, g) => n + (g === winner ? 0 : g.alerts), 0),
    alertsUnattributed: unattributed,
    others: ranked.filter((g) => g !== winner).map((g) => ({ name: g.actor.name, alerts: g.alerts })),
  };
}

/** an actor on a campaign the truth names none for (not a verdict: the truth does not say who it was) */
export interface UnnamedAttribution {
  attributed: string;
  confidence: number;
  alertsWithActor: number;
}

/** the actor most of a campaign's matching alerts carry, for campaigns whose truth names no actor */
export function unnamedAttribution(matching: readonly Alert[], names: ActorNames): UnnamedAttribution | undefined {
  const top = tally(matching, names).ranked[0];
  return top ? { attributed: top.actor.name, confidence: top.actor.confidence, alertsWithActor: top.alerts } : undefined;
}
