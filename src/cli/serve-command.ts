import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TokenStore, openServerDb, isRole, ROLES, type ServerDb } from '../server/index.js';
import { AuditLog } from '../server/api/audit-log.js';
import type { NotifierConfig } from '../notify/types.js';
import { startService, type ServiceOptions } from '../serve/service.js';
import { serviceOptionsFromConfig } from '../serve/from-config.js';
import { loadConfig } from '../config/load.js';
import { defaultDbPath } from './paths.js';
import { VigilError } from '../core/errors.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

interface ServeFlags {
  config?: string;
  serverDb?: string;
  db?: string;
  host?: string;
  port?: number;
  torExits?: string[];
  notify?: string;
  batch?: number;
  snapshotSeconds?: number;
  detection: 'worker' | 'inline';
}

/** The service options: vigil.yaml when given, then the flags on top of it. */
function serveOptions(flags: ServeFlags): ServiceOptions {
  const base: ServiceOptions = flags.config
    ? serviceOptionsFromConfig(loadConfig(flags.config, { onWarning: (w) => process.stderr.write(`vigil serve: ${w}\n`) }))
    : { serverDb: flags.serverDb ?? '', store: flags.db ?? defaultDbPath(), host: '127.0.0.1', port: 8787, batch: 5000 };
  if (!flags.config && flags.serverDb === undefined) throw new VigilError('USAGE', 'give --config vigil.yaml or --server-db FILE');
  const opts: ServiceOptions = { ...base, detection: flags.detection };
  if (flags.serverDb !== undefined) opts.serverDb = flags.serverDb;
  if (flags.db !== undefined) opts.store = flags.db;
  if (flags.host !== undefined) opts.host = flags.host;
  if (flags.port !== undefined) opts.port = flags.port;
  if (flags.batch !== undefined) opts.batch = flags.batch;
  if (flags.snapshotSeconds !== undefined) opts.snapshotEveryMs = flags.snapshotSeconds * 1000;
  if (flags.torExits) opts.enrichment = { ...opts.enrichment, torExits: [...(opts.enrichment?.torExits ?? []), ...flags.torExits] };
  if (flags.notify) opts.notify = readNotifyConfig(flags.notify);
  return opts;
}

/**
 * `vigil serve`: sources (HTTP ingest, syslog, file tails, API pollers) → durable journal →
 * the same enrichment and detection engine as `vigil scan` on a worker thread → alert store →
 * notifications, with the REST API beside it. See docs/serve.md.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('receive sign-in events (HTTP, syslog, files, APIs), detect continuously, store, notify, answer the REST API')
    .option('--config <file>', 'vigil.yaml (see vigil.example.yaml); the flags below override it')
    .option('--server-db <file>', 'server database: ingest journal, checkpoints, API tokens')
    .option('--db <location>', 'alert store: an SQLite file or a postgres:// URL (default: the user data directory)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <n>', 'port to listen on (default 8787; 0: any free port)', parsePort)
    .option('--tor-exits <file>', 'Tor exit list; repeatable', collect)
    .option('--notify <file>', 'notification routes and channels as JSON (instead of vigil.yaml notify)')
    .option('--batch <n>', 'journal records per detection step (default 5000)', (v) => Number(v))
    .option('--snapshot-seconds <n>', 'save the detection state this often (default 60)', (v) => Number(v))
    .addOption(new Option('--detection <where>', 'run detection on its own worker thread or inline').choices(['worker', 'inline']).default('worker'))
    .action(async (flags: ServeFlags) => {
      const service = await startService({
        ...serveOptions(flags),
        log: (msg) => process.stderr.write(`${new Date().toISOString()} vigil serve: ${msg}\n`),
        onFatal: () => process.exit(1),
      });
      process.stdout.write(`${JSON.stringify({ listening: service.port, url: service.url, restoredFrom: service.restoredFrom })}\n`);
      const stop = (): void => {
        void service.stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });

  const token = program.command('token').description('API tokens of `vigil serve` (shown once, stored hashed)');
  token
    .command('create')
    .option('--config <file>', 'vigil.yaml (for the server database)')
    .option('--server-db <file>', 'server database')
    .requiredOption('--tenant <org>', 'organization the token is bound to')
    .option('--also <orgs>', 'analyst tokens: more organizations it may read (comma list)')
    .option('--role <role>', `${ROLES.join(' | ')}`, 'ingest')
    .option('--label <text>', 'what the token is for', '')
    .action((flags: { config?: string; serverDb?: string; tenant: string; also?: string; role: string; label: string }) => {
      if (!isRole(flags.role)) throw new VigilError('USAGE', `unknown role "${flags.role}"; use ${ROLES.join(', ')}`);
      const role = flags.role;
      withServerDb(flags, (db) => {
        const also = (flags.also ?? '').split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
        const t = new TokenStore(db).create(flags.tenant.toLowerCase(), role, flags.label, also);
        new AuditLog(db).record({ tokenId: null, action: 'token.create', tenant: flags.tenant.toLowerCase(), target: t.id, detail: { role, tenants: t.tenants, via: 'cli' } });
        process.stdout.write(`${JSON.stringify({ id: t.id, token: t.token, tenant: flags.tenant.toLowerCase(), tenants: t.tenants, role })}\n`);
      });
    });
  token
    .command('revoke')
    .argument('<id>', 'token id (not the token itself)')
    .option('--config <file>', 'vigil.yaml (for the server database)')
    .option('--server-db <file>', 'server database')
    .action((id: string, flags: { config?: string; serverDb?: string }) => {
      withServerDb(flags, (db) => {
        if (!new TokenStore(db).revoke(id)) throw new VigilError('USAGE', `no active token with id ${id}`);
        new AuditLog(db).record({ tokenId: null, action: 'token.revoke', tenant: null, target: id, detail: { via: 'cli' } });
      });
    });
  token
    .command('list')
    .option('--config <file>', 'vigil.yaml (for the server database)')
    .option('--server-db <file>', 'server database')
    .action((flags: { config?: string; serverDb?: string }) => {
      withServerDb(flags, (db) => {
        for (const t of new TokenStore(db).list()) process.stdout.write(`${JSON.stringify(t)}\n`);
      });
    });
}

/** Open the server database named by --server-db or by vigil.yaml, run `f`, close it. */
function withServerDb(flags: { config?: string; serverDb?: string }, f: (db: ServerDb) => void): void {
  const file = flags.serverDb ?? (flags.config ? loadConfig(flags.config).server.serverDb : undefined);
  if (file === undefined) throw new VigilError('USAGE', 'give --server-db FILE or --config vigil.yaml');
  const db = openServerDb(file);
  try {
    f(db);
  } finally {
    db.close();
  }
}

function readNotifyConfig(file: string): NotifierConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NotifierConfig;
  } catch (err) {
    throw new VigilError('CONFIG', `cannot read notification config: ${err instanceof Error ? err.message : String(err)}`, file);
  }
}
