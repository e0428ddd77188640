import { describe, expect, it } from 'vitest';
import { ev, T0, DAY } from '../../test/support/events.js';
import type { Indicator } from '../intel/types.js';
import { IntelEnricher, intelLabel } from './intel.js';

const indicators: Indicator[] = [
  { kind: 'ip', value: '198.51.100.7', actors: [{ name: 'Forest Blizzard', attackId: 'G0007' }], source: 'partner.json' },
  { kind: 'cidr', value: '203.0.113.0/24', actors: [], source: 'isac-feed.csv', validFrom: T0, validUntil: T0 + DAY },
  { kind: 'ip', value: '2001:db8::5', actors: [{ name: 'APT29' }, { name: 'APT29' }], source: 'misp-event-12' },
];

describe('IntelEnricher', () => {
  it('labels an event from a listed address with source and actor', () => {
    const x = new IntelEnricher(indicators);
    const e = ev({ time: T0, user: 'a@org.example', srcIp: '198.51.100.7' });
    x.enrich(e);
    expect(e.intel).toEqual(['partner.json: Forest Blizzard']);
    const v6 = ev({ time: T0, user: 'a@org.example', srcIp: '2001:db8::5' });
    x.enrich(v6);
    expect(v6.intel).toEqual(['misp-event-12: APT29']);
  });

  it('networks match inside their validity only, and cached answers respect time', () => {
    const x = new IntelEnricher(indicators);
    const inside = ev({ time: T0 + 3_600_000, user: 'a@org.example', srcIp: '203.0.113.200' });
    const after = ev({ time: T0 + 2 * DAY, user: 'a@org.example', srcIp: '203.0.113.200' });
    const before = ev({ time: T0 - 1, user: 'a@org.example', srcIp: '203.0.113.200' });
    for (const e of [inside, after, before]) x.enrich(e);
    expect(inside.intel).toEqual(['isac-feed.csv']);
    expect(after.intel).toBeUndefined();
    expect(before.intel).toBeUndefined();
  });

  it('keeps labels already on the event and adds each once', () => {
    const x = new IntelEnricher([...indicators, { ...indicators[0]! }]);
    const e = ev({ time: T0, user: 'a@org.example', srcIp: '198.51.100.7', intel: ['blocklist.txt'] });
    x.enrich(e);
    expect(e.intel).toEqual(['blocklist.txt', 'partner.json: Forest Blizzard']);
  });

  it('leaves other, private, missing and garbage addresses alone', () => {
    const x = new IntelEnricher([...indicators, { kind: 'cidr', value: '10.0.0.0/8', actors: [], source: 'x' }]);
    const cases = [
      ev({ time: T0, user: 'a@org.example', srcIp: '192.0.2.1' }),
      ev({ time: T0, user: 'a@org.example', srcIp: '10.1.2.3', privateIp: true }),
      ev({ time: T0, user: 'a@org.example', srcIp: undefined }),
      ev({ time: T0, user: 'a@org.example', srcIp: '1'.repeat(100_000) }),
      ev({ time: T0, user: 'a@org.example', srcIp: '__proto__' }),
    ];
    for (const e of cases) {
      x.enrich(e);
      expect(e.intel).toBeUndefined();
    }
  });

  it('labels are bounded', () => {
    expect(intelLabel({ kind: 'ip', value: '192.0.2.1', actors: [{ name: 'a'.repeat(1000) }], source: 's' }).length).toBe(160);
  });
});
