import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { VigilError } from '../core/errors.js';
import { BatchWriter } from './batch-writer.js';
import { createPeerFilter, LOOPBACK_PEERS } from './peers.js';
import { lineToRecord, sourceParser } from './records.js';
import { SyslogStreamFramer, trimMessage } from './syslog-frame.js';
import type { Source, SourceDeps, SourceStatus } from './types.js';

export interface SyslogTlsConfig {
  /** PEM certificate chain of this listener */
  cert: string | Buffer;
  /** PEM private key (the caller reads it from a file; it is never logged) */
  key: string | Buffer;
  /** PEM CA bundle that client certificates must chain to; required with requireClientCert */
  ca?: string | Buffer;
  /** mutual TLS: refuse a client without a certificate signed by `ca` */
  requireClientCert?: boolean;
}

export interface SyslogSourceConfig extends SourceDeps {
  /** checkpoint/status key; default `syslog:<protocol>:<host>:<port>` */
  name?: string;
  /** tenant of every record this listener receives (unless tenantByPeer names another) */
  tenant: string;
  /** route by the sender's address (first match wins), for one listener shared by several tenants' relays */
  tenantByPeer?: readonly { peers: readonly string[]; tenant: string }[];
  protocol: 'udp' | 'tcp' | 'tls';
  /** default 127.0.0.1 */
  host?: string;
  /** 0 = an ephemeral port (see `port` after start) */
  port: number;
  tls?: SyslogTlsConfig;
  /** parser id ('sshd', 'windows', ...); default: detected per message */
  format?: string;
  /** CIDRs that may send; default loopback only. Others are refused (TCP closed, UDP dropped) and counted. */
  allowedPeers?: readonly string[];
  /** longest message accepted, bytes (default 65536); longer ones are dropped and counted as oversize */
  maxMessageBytes?: number;
  /** concurrent TCP/TLS connections (default 256); more are closed at once and counted */
  maxConnections?: number;
  /** commit held messages at least this often, ms (default 200) */
  flushMs?: number;
  /** commit at once when this many messages are held (default 1000) */
  maxBatch?: number;
  /** messages held while the journal cannot commit (default 50000): then TCP reading pauses, UDP drops */
  maxPending?: number;
  /** and their total size in characters (default 64 Mi) */
  maxPendingChars?: number;
}

export interface SyslogStatus extends SourceStatus {
  kind: 'syslog';
  /** open TCP/TLS connections */
  connections: number;
  /** connections or datagrams from addresses outside allowedPeers */
  refusedPeers: number;
  /** connections closed because maxConnections was reached */
  refusedConnections: number;
  /** messages longer than maxMessageBytes, dropped */
  oversize: number;
  /** UDP messages dropped because the journal could not take them (TCP/TLS reading pauses instead) */
  dropped: number;
  /** TLS handshakes that failed (no or untrusted client certificate, protocol errors) */
  tlsFailures: number;
  /** messages received and not yet committed (lost if the process dies now) */
  pending: number;
}

export interface SyslogSource extends Source {
  /** the bound port once started */
  readonly port: number;
  status(): SyslogStatus;
}

const DEFAULTS = { maxMessageBytes: 65_536, maxConnections: 256, flushMs: 200, maxBatch: 1000, maxPending: 50_000, maxPendingChars: 64 * 1024 * 1024 };
/** Distinct refused addresses named in the log; beyond that they are only counted. */
const MAX_LOGGED_REFUSALS = 100;

/**
 * A syslog listener (RFC 5424 and RFC 3164 messages; UDP one per datagram, TCP/TLS with octet
 * counting or newline framing) that commits messages to the journal in batches. Syslog carries no
 * credentials, so the sender is authenticated by its address (`allowedPeers`, default loopback
 * only) and, for TLS, optionally by a client certificate.
 */
export function createSyslogSource(config: SyslogSourceConfig): SyslogSource {
  const host = config.host ?? '127.0.0.1';
  const name = config.name ?? `syslog:${config.protocol}:${host}:${config.port}`;
  const opts = { ...DEFAULTS, ...definedOnly(config) };
  const parser = sourceParser(config.format);
  const allowed = createPeerFilter(config.allowedPeers ?? LOOPBACK_PEERS);
  const routes = (config.tenantByPeer ?? []).map((r) => ({ match: createPeerFilter(r.peers), tenant: r.tenant }));
  const log = config.log ?? (() => {});
  const now = config.now ?? Date.now;
  if (!['udp', 'tcp', 'tls'].includes(config.protocol)) throw new VigilError('CONFIG', `${name}: protocol must be udp, tcp or tls`);
  if (config.protocol === 'tls') checkTls(config.tls);
  for (const [key, value] of Object.entries(opts)) {
    if (!(Number.isInteger(value) && value > 0)) throw new VigilError('CONFIG', `${name}: ${key} must be a positive integer`);
  }

  const status: SyslogStatus = {
    name,
    kind: 'syslog',
    recordsIn: 0,
    rejected: 0,
    connections: 0,
    refusedPeers: 0,
    refusedConnections: 0,
    oversize: 0,
    dropped: 0,
    tlsFailures: 0,
    pending: 0,
  };
  const loggedRefusals = new Set<string>();
  const sockets = new Set<net.Socket>();
  /** connections not read while the journal cannot take more, with what resumes each */
  const paused = new Map<net.Socket, () => void>();
  let tcpServer: net.Server | undefined;
  let udpSocket: dgram.Socket | undefined;
  let boundPort = 0;
  let stopped = false;

  let lastLoggedAt = 0;
  const fail = (msg: string): void => {
    const at = now();
    // a failing journal is retried every flushMs: log a repeat of the same error once a minute
    if (msg !== status.lastError || at - lastLoggedAt >= 60_000) {
      log(`${name}: ${msg}`);
      lastLoggedAt = at;
    }
    status.lastError = msg;
    status.lastErrorAt = at;
  };

  const writer = new BatchWriter({
    journal: config.journal,
    parser,
    flushMs: opts.flushMs,
    maxBatch: opts.maxBatch,
    maxPending: opts.maxPending,
    maxPendingChars: opts.maxPendingChars,
    onCommitted: (accepted, rejected) => {
      status.recordsIn += accepted;
      status.rejected += rejected;
      status.lastSuccessAt = now();
      // the journal took a batch: senders paused while it could not may go on (after this flush)
      if (writer.full || paused.size === 0) return;
      const resumes = [...paused.values()];
      paused.clear();
      setImmediate(() => {
        if (!stopped) for (const resume of resumes) resume();
      });
    },
    // the journal's own message (SQLITE_BUSY, disk full) names no secret; records are kept and retried
    onError: (err) => fail(`journal: ${err instanceof Error ? err.message.slice(0, 200) : 'append failed'}`),
  });

  const refuse = (address: string | undefined): void => {
    status.refusedPeers++;
    const who = address ?? 'unknown address';
    if (loggedRefusals.size < MAX_LOGGED_REFUSALS && !loggedRefusals.has(who)) {
      loggedRefusals.add(who);
      log(`${name}: refused ${who}: not in allowedPeers`);
    }
  };

  const tenantOf = (address: string | undefined): string => routes.find((r) => r.match(address))?.tenant ?? config.tenant;

  /** One message: decoded like a log line and queued; false when the hold is full. */
  const receive = (message: Buffer, tenant: string): boolean => writer.add(tenant, lineToRecord(message.toString('utf8'), parser));

  const onStream = (socket: net.Socket): void => {
    const address = socket.remoteAddress;
    if (!allowed(address)) {
      refuse(address);
      socket.destroy();
      return;
    }
    const tenant = tenantOf(address);
    sockets.add(socket);
    status.connections = sockets.size;
    const framer = new SyslogStreamFramer(
      opts.maxMessageBytes,
      (message) => {
        if (!receive(message, tenant)) status.dropped++;
      },
      () => status.oversize++,
      () => writer.full,
    );
    // the journal is failing and the hold is full: stop reading this sender until a batch commits
    // (the unread rest of its last chunk waits here; the sender's own queue holds what follows).
    // allowHalfOpen keeps a paused socket open after the sender's FIN until that rest is read.
    let backlog: Buffer | undefined;
    let ended = false;
    const finish = (): void => {
      framer.end();
      socket.end();
    };
    const feed = (chunk: Buffer): void => {
      const rest = framer.push(chunk);
      if (rest === undefined || rest.length === 0) return;
      backlog = rest;
      socket.pause();
      paused.set(socket, () => {
        const b = backlog;
        backlog = undefined;
        socket.resume();
        if (b) feed(b);
        if (ended && backlog === undefined) finish();
      });
    };
    socket.on('data', feed);
    socket.on('end', () => {
      ended = true;
      if (backlog === undefined) finish();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      paused.delete(socket);
      status.connections = sockets.size;
    });
  };

  const listenTcp = async (): Promise<void> => {
    let server: net.Server;
    if (config.protocol === 'tls') {
      const t = config.tls as SyslogTlsConfig;
      const tlsServer = tls.createServer(
        {
          cert: t.cert,
          key: t.key,
          ca: t.ca,
          requestCert: t.requireClientCert === true,
          // checked in onSecure: Node would otherwise drop an untrusted certificate without telling us
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
          // we end our side ourselves, after the sender's last bytes are read (see onStream)
          allowHalfOpen: true,
          handshakeTimeout: 30_000,
        },
        (socket) => {
          if (t.requireClientCert && !socket.authorized) {
            status.tlsFailures++;
            socket.destroy();
            return;
          }
          onStream(socket);
        },
      );
      // refuse by address before any TLS work: 'connection' is the raw TCP socket
      tlsServer.prependListener('connection', (raw: net.Socket) => {
        if (!allowed(raw.remoteAddress)) {
          refuse(raw.remoteAddress);
          raw.destroy();
        }
      });
      tlsServer.on('tlsClientError', (_err, s) => {
        if (allowed(s.remoteAddress)) status.tlsFailures++;
        s.destroy();
      });
      server = tlsServer;
    } else {
      server = net.createServer({ allowHalfOpen: true }, onStream);
    }
    server.maxConnections = opts.maxConnections;
    server.on('drop', () => status.refusedConnections++);
    server.on('error', (err) => fail(`listener: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    boundPort = typeof addr === 'object' && addr !== null ? addr.port : config.port;
    tcpServer = server;
  };

  const listenUdp = async (): Promise<void> => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (msg, rinfo) => {
      if (!allowed(rinfo.address)) return refuse(rinfo.address);
      const message = trimMessage(msg);
      if (message.length > opts.maxMessageBytes) {
        status.oversize++;
        return;
      }
      if (message.length > 0 && !receive(message, tenantOf(rinfo.address))) status.dropped++;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(config.port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => fail(`listener: ${err.message}`));
    boundPort = socket.address().port;
    udpSocket = socket;
  };

  return {
    name,
    get port() {
      return boundPort;
    },
    async start() {
      try {
        await (config.protocol === 'udp' ? listenUdp() : listenTcp());
      } catch (err) {
        const msg = err instanceof Error ? err.message : 'cannot listen';
        fail(`listener: ${msg}`);
        throw new VigilError('CONFIG', `${name}: cannot listen on ${host}:${config.port}: ${msg}`);
      }
      log(`${name}: listening on ${host}:${boundPort}`);
    },
    async stop() {
      stopped = true;
      if (udpSocket) {
        const s = udpSocket;
        udpSocket = undefined;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      if (tcpServer) {
        const server = tcpServer;
        tcpServer = undefined;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await closed;
      }
      // what arrived before the sockets closed is committed before stop() resolves
      writer.close();
    },
    status() {
      return { ...status, pending: writer.size };
    },
  };
}

function checkTls(t: SyslogTlsConfig | undefined): void {
  if (!t || !t.cert || !t.key) throw new VigilError('CONFIG', 'syslog tls: cert and key are required');
  // without a CA, Node would accept any client certificate a public CA signed
  if (t.requireClientCert && !t.ca) throw new VigilError('CONFIG', 'syslog tls: requireClientCert needs ca (the CA that signs client certificates)');
}

/** The numeric limits the caller set, so `undefined` does not override a default. */
function definedOnly(c: SyslogSourceConfig): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = c[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}
