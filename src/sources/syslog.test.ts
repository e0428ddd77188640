import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerDb } from '../server/db.js';
import { eventsOfRecord } from '../server/ingest.js';
import { Journal, type AppendOutcome, type AppendResult, type Idempotency, type JournalInput, type SourceCheckpoint } from '../server/journal.js';
import { createSyslogSource, type SyslogSource, type SyslogSourceConfig } from './syslog.js';
import { hasOpenssl, makeTestPki, waitFor } from './test-support.js';

const RSYSLOG_LINE = '<38>Nov 24 10:00:00 bastion sshd[123]: Failed password for root from 203.0.113.5 port 50122 ssh2';
const RFC5424_LINE = '<38>1 2026-11-24T10:00:01.000Z bastion sshd 124 - - Failed password for invalid user admin from 203.0.113.6 port 50123 ssh2';
/** rsyslog's RSYSLOG_ForwardFormat template */
const FORWARD_FORMAT_LINE = '<38>2026-11-24T10:00:03.123456+00:00 bastion sshd[125]: Accepted publickey for carol from 203.0.113.10 port 50124 ssh2: ED25519 SHA256:abc';
const WINDOWS_EVENT = {
  TimeCreated: '2026-11-24T10:00:02.000Z',
  Hostname: 'dc1.corp.example',
  SourceName: 'Microsoft-Windows-Security-Auditing',
  Channel: 'Security',
  EventID: 4625,
  TargetUserName: 'alice',
  TargetDomainName: 'corp.example',
  IpAddress: '203.0.113.9',
  LogonType: '3',
  Status: '0xc000006d',
  SubStatus: '0xc000006a',
};

/** A journal that cannot commit (disk full) until `failing` is cleared. */
class FlakyJournal extends Journal {
  failing = true;
  override append<R>(tenant: string, records: readonly JournalInput[], respond: (r: AppendResult) => R, idem?: Idempotency, source?: SourceCheckpoint): AppendOutcome<R> {
    if (this.failing) throw new Error('SQLITE_FULL: database or disk is full');
    return super.append(tenant, records, respond, idem, source);
  }
}

const started: SyslogSource[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

async function listen(journal: Journal, cfg: Partial<SyslogSourceConfig> & Pick<SyslogSourceConfig, 'protocol'>): Promise<SyslogSource> {
  const source = createSyslogSource({ journal, tenant: 'contoso', host: '127.0.0.1', port: 0, flushMs: 20, ...cfg });
  await source.start();
  started.push(source);
  return source;
}

function sendUdp(port: number, messages: string[]): Promise<void> {
  const sock = dgram.createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    let left = messages.length;
    for (const m of messages) {
      sock.send(Buffer.from(m), port, '127.0.0.1', (err) => {
        if (err) reject(err);
        if (--left === 0) sock.close(() => resolve());
      });
    }
  });
}

/** Writes `data` over TCP and resolves once the listener has closed the connection or we ended it. */
function sendTcp(port: number, data: string | Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(data));
    sock.on('error', reject);
    sock.on('close', () => resolve());
    sock.resume();
  });
}

const octet = (msg: string): string => `${Buffer.byteLength(msg)} ${msg}`;

describe('syslog receiver', () => {
  it('takes UDP datagrams from loopback into the journal under the listener tenant, one message each', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'udp' });
    await sendUdp(source.port, [RSYSLOG_LINE, `${RFC5424_LINE}\n`, FORWARD_FORMAT_LINE]);
    await waitFor(() => journal.tenantStats('contoso').records === 3);
    const records = journal.readFrom(0, 10);
    expect(records.map((r) => [r.tenant, r.format, r.raw])).toEqual([
      ['contoso', 'sshd', RSYSLOG_LINE],
      ['contoso', 'sshd', RFC5424_LINE],
      ['contoso', 'sshd', FORWARD_FORMAT_LINE],
    ]);
    // what the detection engine will see: the attacker's address and account from each line
    const events = records.flatMap((r) => eventsOfRecord(r));
    expect(events.map((e) => [e.user, e.srcIp, e.outcome, e.tenant])).toEqual([
      ['root', '203.0.113.5', 'failure', 'contoso'],
      ['admin', '203.0.113.6', 'failure', 'contoso'],
      ['carol', '203.0.113.10', 'success', 'contoso'],
    ]);
    expect(source.status()).toMatchObject({ kind: 'syslog', recordsIn: 3, rejected: 0 });
  });

  it('reads octet-counted and newline-framed messages on one TCP connection, and Windows events sent as JSON', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tcp' });
    const winBehindHeader = `<14>Nov 24 10:00:02 dc1 nxlog: ${JSON.stringify(WINDOWS_EVENT)}`;
    const bareJson = JSON.stringify({ ...WINDOWS_EVENT, TargetUserName: 'bob' });
    const stream = `${octet(RSYSLOG_LINE)}${octet(RFC5424_LINE)}${winBehindHeader}\n${bareJson}\r\n`;
    // split mid-message so framing must hold state across reads
    const sock = net.connect(source.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(stream.slice(0, 37));
    sock.end(stream.slice(37));
    await waitFor(() => journal.tenantStats('contoso').records === 4);
    const records = journal.readFrom(0, 10);
    expect(records.map((r) => r.format)).toEqual(['sshd', 'sshd', 'windows', 'windows']);
    expect(records[0]?.raw).toBe(RSYSLOG_LINE);
    const users = records.flatMap((r) => eventsOfRecord(r)).map((e) => e.user);
    expect(users).toEqual(['root', 'admin', 'alice@corp.example', 'bob@corp.example']);
  });

  it('forces the configured format: with format sshd, a line of another program is kept as an sshd text record', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tcp', format: 'sshd' });
    await sendTcp(source.port, `${RSYSLOG_LINE}\n<86>Nov 24 10:00:05 bastion CRON[99]: pam_unix(cron:session): session opened\n`);
    await waitFor(() => journal.tenantStats('contoso').records === 2);
    expect(journal.readFrom(0, 10).map((r) => r.format)).toEqual(['sshd', 'sshd']);
  });

  it('refuses a peer outside allowedPeers on TCP and UDP, stores nothing from it and counts it', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const logs: string[] = [];
    const tcp = await listen(journal, { protocol: 'tcp', allowedPeers: ['10.0.0.0/8'], log: (m) => logs.push(m) });
    const udp = await listen(journal, { protocol: 'udp', allowedPeers: ['192.0.2.1'] });
    await sendTcp(tcp.port, `${RSYSLOG_LINE}\n`).catch(() => undefined); // the listener resets the connection
    await sendUdp(udp.port, [RSYSLOG_LINE]);
    await waitFor(() => tcp.status().refusedPeers === 1 && udp.status().refusedPeers === 1);
    expect(journal.tenantStats('contoso').records).toBe(0);
    expect(logs.some((l) => l.includes('refused 127.0.0.1'))).toBe(true);
  });

  it('drops messages over maxMessageBytes (either framing, and UDP), counts them, and keeps reading the stream', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const tcp = await listen(journal, { protocol: 'tcp', maxMessageBytes: 200 });
    const udp = await listen(journal, { protocol: 'udp', maxMessageBytes: 200 });
    const long = `${RSYSLOG_LINE} ${'x'.repeat(300)}`;
    await sendTcp(tcp.port, `${long}\n${RSYSLOG_LINE}\n${octet(long)}${octet(RFC5424_LINE)}`);
    await sendUdp(udp.port, [long, RSYSLOG_LINE]);
    await waitFor(() => journal.tenantStats('contoso').records === 3);
    expect(tcp.status().oversize).toBe(2);
    expect(udp.status().oversize).toBe(1);
    expect(journal.readFrom(0, 10).map((r) => r.raw.length).every((n) => n <= 200)).toBe(true);
  });

  it('closes connections beyond maxConnections and counts them', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tcp', maxConnections: 1 });
    const first = net.connect(source.port, '127.0.0.1');
    await waitFor(() => source.status().connections === 1);
    await sendTcp(source.port, `${RSYSLOG_LINE}\n`).catch(() => undefined);
    await waitFor(() => source.status().refusedConnections === 1);
    first.end(`${RFC5424_LINE}\n`);
    await waitFor(() => journal.tenantStats('contoso').records === 1);
    expect(journal.readFrom(0, 1)[0]?.raw).toBe(RFC5424_LINE);
  });

  it('commits in batches rather than per message, and stop() commits what it holds', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tcp', maxBatch: 1000, flushMs: 60_000 });
    const lines = Array.from({ length: 2500 }, (_, i) => RSYSLOG_LINE.replace('[123]', `[${1000 + i}]`));
    await sendTcp(source.port, `${lines.join('\n')}\n`);
    await waitFor(() => source.status().recordsIn + source.status().pending === 2500);
    // two full batches are in; the last 500 wait for the timer (a minute here) or stop()
    expect(journal.tenantStats('contoso').records).toBe(2000);
    await source.stop();
    const records = journal.readFrom(0, 3000);
    expect(records.map((r) => r.raw)).toEqual(lines);
    expect(new Set(records.map((r) => r.batchId)).size).toBe(3);
  });

  it('holds messages while the journal cannot commit: TCP senders are paused and lose nothing, UDP excess is dropped and counted', async () => {
    const journal = new FlakyJournal(openServerDb(':memory:'));
    const errors: string[] = [];
    const tcp = await listen(journal, { protocol: 'tcp', maxPending: 5, log: (m) => errors.push(m) });
    const udp = await listen(journal, { protocol: 'udp', maxPending: 5, tenant: 'fabrikam' });
    const lines = Array.from({ length: 50 }, (_, i) => RSYSLOG_LINE.replace('[123]', `[${2000 + i}]`));
    const sent = sendTcp(tcp.port, `${lines.join('\n')}\n`);
    await waitFor(() => tcp.status().pending === 5 && tcp.status().lastError !== undefined);
    await sendUdp(udp.port, lines.slice(0, 8));
    await waitFor(() => udp.status().pending + udp.status().dropped === 8);
    expect(udp.status().dropped).toBe(3);
    expect(tcp.status().dropped).toBe(0);
    expect(errors.some((e) => e.includes('disk is full'))).toBe(true);
    journal.failing = false; // the disk has room again
    await sent;
    await waitFor(() => tcp.status().recordsIn === 50 && udp.status().recordsIn === 5);
    const fromTcp = journal.readFrom(0, 100).filter((r) => r.tenant === 'contoso');
    expect(fromTcp.map((r) => r.raw)).toEqual(lines);
    expect(tcp.status().pending).toBe(0);
  });

  it('routes a sender to its tenant by address with tenantByPeer', async () => {
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'udp', tenantByPeer: [{ peers: ['127.0.0.0/8'], tenant: 'fabrikam' }] });
    await sendUdp(source.port, [RSYSLOG_LINE]);
    await waitFor(() => journal.tenantStats('fabrikam').records === 1);
    expect(journal.tenantStats('contoso').records).toBe(0);
  });

  it('refuses a bad configuration before listening', () => {
    const journal = new Journal(openServerDb(':memory:'));
    expect(() => createSyslogSource({ journal, tenant: 't', protocol: 'udp', port: 0, allowedPeers: ['10.0.0.0/33'] })).toThrow(/allowedPeers/);
    expect(() => createSyslogSource({ journal, tenant: 't', protocol: 'udp', port: 0, format: 'nope' })).toThrow(/format/);
    expect(() => createSyslogSource({ journal, tenant: 't', protocol: 'tls', port: 0 })).toThrow(/cert and key/);
  });
});

describe.skipIf(!hasOpenssl())('syslog over TLS (certificates made with openssl at test time)', () => {
  const pki = hasOpenssl() ? makeTestPki() : undefined;

  function sendTls(port: number, data: string, client?: { cert: string; key: string }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sock = tls.connect({ port, host: '127.0.0.1', ca: pki?.caCert, ...client }, () => sock.end(data));
      sock.on('error', reject);
      sock.on('close', () => resolve());
      sock.resume();
    });
  }

  it('receives over TLS from a client with a certificate of the configured CA, and refuses one without or from another CA', async () => {
    if (!pki) return;
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, {
      protocol: 'tls',
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requireClientCert: true },
    });
    await sendTls(source.port, octet(RSYSLOG_LINE), { cert: pki.clientCert, key: pki.clientKey });
    await waitFor(() => journal.tenantStats('contoso').records === 1);
    await sendTls(source.port, `${RFC5424_LINE}\n`).catch(() => undefined);
    await sendTls(source.port, `${RFC5424_LINE}\n`, { cert: pki.strangerCert, key: pki.strangerKey }).catch(() => undefined);
    await waitFor(() => source.status().tlsFailures === 2);
    expect(journal.readFrom(0, 10).map((r) => [r.tenant, r.format, r.raw])).toEqual([['contoso', 'sshd', RSYSLOG_LINE]]);
  });

  it('refuses a TLS peer outside allowedPeers before the handshake', async () => {
    if (!pki) return;
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tls', allowedPeers: ['10.0.0.0/8'], tls: { cert: pki.serverCert, key: pki.serverKey } });
    await expect(sendTls(source.port, `${RFC5424_LINE}\n`)).rejects.toThrow();
    expect(source.status()).toMatchObject({ refusedPeers: 1, tlsFailures: 0 });
    expect(journal.tenantStats('contoso').records).toBe(0);
  });

  it('receives over TLS without client certificates when mutual TLS is off', async () => {
    if (!pki) return;
    const journal = new Journal(openServerDb(':memory:'));
    const source = await listen(journal, { protocol: 'tls', tls: { cert: pki.serverCert, key: pki.serverKey } });
    await sendTls(source.port, `${RFC5424_LINE}\n`);
    await waitFor(() => journal.tenantStats('contoso').records === 1);
    expect(journal.readFrom(0, 1)[0]?.format).toBe('sshd');
  });
});
