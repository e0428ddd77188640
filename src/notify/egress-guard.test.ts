import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGuarded, guardedLookup, isPublicUnicast } from './egress-guard.js';

describe('isPublicUnicast', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254',
    '0.0.0.0', '255.255.255.255', '224.0.0.1', '192.0.2.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
    '64:ff9b::a00:1', '2002:a00:1::', '2002:7f00:1::',
    // not canonical literals: never trusted as addresses
    '2130706433', '0x7f.1', 'localhost', '',
  ])('refuses %s', (ip) => {
    expect(isPublicUnicast(ip)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows %s',
    (ip) => {
      expect(isPublicUnicast(ip)).toBe(true);
    },
  );
});

describe('connectGuarded', () => {
  let server: net.Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses loopback literals and names resolving to loopback without allowPrivate, before any connection', async () => {
    const before = accepted;
    await expect(connectGuarded('127.0.0.1', port, {}, 2000)).rejects.toThrow(/127\.0\.0\.1 is not a public unicast address/);
    await expect(connectGuarded('[::1]', port, {}, 2000)).rejects.toThrow(/::1 is not a public/);
    await expect(connectGuarded('localhost', port, {}, 2000)).rejects.toThrow(/not a public unicast address/);
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted).toBe(before);
  });

  it('connects to loopback when allowPrivate is set', async () => {
    const s = await connectGuarded('127.0.0.1', port, { allowPrivate: true }, 2000);
    expect(s.remoteAddress).toBe('127.0.0.1');
    s.destroy();
  });
});

describe('guardedLookup', () => {
  it('answers with every address in the all:true form used by happy-eyeballs sockets', async () => {
    const lookup = guardedLookup({ allowPrivate: true });
    const answer = await new Promise<unknown>((resolve, reject) => {
      lookup('localhost', { all: true }, ((err: Error | null, list: unknown) => (err ? reject(err) : resolve(list))) as never);
    });
    expect(Array.isArray(answer)).toBe(true);
    expect((answer as { address: string }[]).some((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
  });
});
