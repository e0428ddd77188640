/**
 * Can each configured source work? Syslog: the port is free to bind and the TLS files load. File
 * tail: the file is readable. Pollers: the configured API and token hosts answer HTTP — nothing is
 * sent but a GET of the origin without credentials, only to hosts vigil.yaml names, through the
 * same egress policy the pollers use.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { dirname } from 'node:path';
import tls from 'node:tls';
import { checkLiteralHost, EgressRefused, guardedLookup } from '../../notify/egress-guard.js';
import type { EgressPolicy } from '../../notify/types.js';
import type { SourceConfig, SyslogSourceConfig } from '../types.js';
import { fail, ok, reason, warn, type CheckOptions, type CheckResult } from './types.js';

export function sourceLabel(s: SourceConfig): string {
  if (s.kind === 'syslog') return `source syslog ${s.protocol}:${s.port} (${s.tenant})`;
  if (s.kind === 'tail') return `source tail ${s.path} (${s.tenant})`;
  return `source ${s.kind} ${s.tenant}`;
}

function bindTcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

function bindUdp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', (e) => {
      socket.close();
      reject(e);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve()));
  });
}

async function checkSyslog(s: SyslogSourceConfig): Promise<CheckResult> {
  const check = sourceLabel(s);
  if (s.tls) {
    try {
      // loads and pairs the certificate and key as the listener would
      tls.createSecureContext({ cert: readFileSync(s.tls.cert), key: readFileSync(s.tls.key), ...(s.tls.ca ? { ca: readFileSync(s.tls.ca) } : {}) });
    } catch (err) {
      return fail(check, `TLS files: ${reason(err)}`, 'check tls.cert / tls.key / tls.ca: PEM files the vigil user can read, the key matching the certificate');
    }
  }
  try {
    await (s.protocol === 'udp' ? bindUdp(s.host, s.port) : bindTcp(s.host, s.port));
    return ok(check, `${s.host}:${s.port} is free to listen on`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      return fail(check, `${s.host}:${s.port} is in use`, 'stop what listens there or choose another port (expected while vigil serve itself is running)');
    }
    if (code === 'EACCES') return fail(check, `${s.host}:${s.port}: permission denied`, 'ports below 1024 need CAP_NET_BIND_SERVICE; or use a port ≥ 1024');
    if (code === 'EADDRNOTAVAIL') return fail(check, `${s.host} is not an address of this host`, 'set host to an address of this machine (or 0.0.0.0)');
    return fail(check, `${s.host}:${s.port}: ${reason(err)}`, 'check host and port');
  }
}

async function checkTail(check: string, path: string): Promise<CheckResult> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return fail(check, 'not a regular file', 'point path at the log file itself');
    await access(path, constants.R_OK);
    return ok(check, `readable, ${st.size} bytes`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') {
      try {
        await access(dirname(path), constants.R_OK | constants.X_OK);
        return warn(check, 'the file does not exist yet; it is followed once created', 'check the path if the log should already be there');
      } catch {
        /* the folder is missing too */
      }
    }
    return fail(check, reason(err), 'check path and that the vigil user can read the file (e.g. group adm for /var/log)');
  }
}

/**
 * Any HTTP answer (even 401/404) means the host is reachable; redirects are not followed. The
 * pollers' egress policy applies: the address DNS gives must be public unless allowPrivate.
 */
export function httpReachable(url: string, policy: EgressPolicy, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    try {
      checkLiteralHost(u.hostname, policy);
    } catch (err) {
      reject(err);
      return;
    }
    const get = u.protocol === 'https:' ? https.get : http.get;
    const req = get(u, { agent: false, timeout: timeoutMs, lookup: guardedLookup(policy), headers: { 'user-agent': 'vigil-doctor' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

/** The hosts a poller talks to, as URLs without path secrets (these come from vigil.yaml, not from logs). */
function pollerEndpoints(s: Exclude<SourceConfig, { kind: 'syslog' | 'tail' }>): string[] {
  switch (s.kind) {
    case 'graph':
    case 'o365':
      return [s.baseUrl, s.loginUrl];
    case 'okta':
      return [s.baseUrl];
    case 'gws':
      return [s.baseUrl, s.tokenUrl];
  }
}

async function checkPoller(s: Exclude<SourceConfig, { kind: 'syslog' | 'tail' }>, policy: EgressPolicy, opts: CheckOptions): Promise<CheckResult> {
  const check = sourceLabel(s);
  const origins = [...new Set(pollerEndpoints(s).map((u) => new URL(u).origin))];
  const answers: string[] = [];
  for (const origin of origins) {
    try {
      const status = await httpReachable(origin, policy, opts.timeoutMs);
      answers.push(`${origin} answers (HTTP ${status})`);
    } catch (err) {
      if (err instanceof EgressRefused) {
        return fail(check, `${origin}: ${reason(err)}`, 'use the public API host, or set egress.allowPrivate: true for an on-premises proxy or test server');
      }
      return fail(check, `${origin}: ${reason(err)}`, 'check DNS, the firewall / proxy for outbound HTTPS from this host, and baseUrl in vigil.yaml');
    }
  }
  return ok(check, `${answers.join(', ')}; credentials are checked on the first poll`);
}

export function checkSource(s: SourceConfig, policy: EgressPolicy, opts: CheckOptions): Promise<CheckResult> {
  if (s.kind === 'syslog') return checkSyslog(s);
  if (s.kind === 'tail') return checkTail(sourceLabel(s), s.path);
  return checkPoller(s, policy, opts);
}
