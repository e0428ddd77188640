/** Shared by the simulator's tests: small worlds and event collection. */
import { Simulation, type SimOptions } from './engine.js';
import type { SimEvent, SimFormat } from './model.js';
import { parseScenario } from './scenario.js';

export function smallOptions(over: Partial<SimOptions> & { campaigns?: unknown[]; benign?: Record<string, unknown> } = {}): SimOptions {
  const { campaigns, benign, ...rest } = over;
  return {
    seed: 'test-seed',
    start: Date.parse('2024-02-26T00:00:00Z'),
    days: 2,
    orgs: 3,
    usersMin: 20,
    usersMax: 40,
    scenario: parseScenario({ benign: benign ?? {}, campaigns: campaigns ?? [] }),
    ...rest,
  };
}

export function collect(opts: SimOptions): { sim: Simulation; events: SimEvent[] } {
  const sim = new Simulation(opts);
  return { sim, events: [...sim.events()] };
}

export function forced(format: SimFormat, over: Parameters<typeof smallOptions>[0] = {}): SimOptions {
  return smallOptions({ format, ...over });
}
