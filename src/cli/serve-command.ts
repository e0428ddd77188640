import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TokenStore, openServerDb, isRole } from '../server/index.js';
import type { NotifierConfig } from '../notify/types.js';
import { startService } from '../serve/service.js';
import { defaultDbPath } from './paths.js';
import { VigilError } from '../core/errors.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

interface ServeFlags {
  serverDb: string;
  db?: string;
  host: string;
  port: number;
  torExits?: string[];
  notify?: string;
  batch: number;
  detection: 'worker' | 'inline';
}

/**
 * `vigil serve`: HTTP ingest (durable journal) → the same enrichment and detection engine as
 * `vigil scan` → alerts stored as they change → notifications. A first, single-process version:
 * see docs/serve.md for what it does not do yet (detector state across restarts, pollers, syslog).
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('receive sign-in events over HTTP, detect continuously, store and notify')
    .requiredOption('--server-db <file>', 'server database: ingest journal, checkpoints, API tokens')
    .option('--db <file>', 'alert database (default: the user data directory)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 8787)
    .option('--tor-exits <file>', 'Tor exit list; repeatable', collect)
    .option('--notify <file>', 'notification routes and channels (JSON, see docs/serve.md)')
    .option('--batch <n>', 'journal records per detection step', (v) => Number(v), 5000)
    .addOption(new Option('--detection <where>', 'run detection on its own worker thread or inline').choices(['worker', 'inline']).default('worker'))
    .action(async (flags: ServeFlags) => {
      const service = await startService({
        serverDb: flags.serverDb,
        store: flags.db ?? defaultDbPath(),
        host: flags.host,
        port: flags.port,
        enrichment: flags.torExits ? { torExits: flags.torExits } : {},
        ...(flags.notify ? { notify: readNotifyConfig(flags.notify) } : {}),
        batch: flags.batch,
        detection: flags.detection,
        log: (msg) => process.stderr.write(`vigil serve: ${msg}\n`),
        onFatal: () => process.exit(1),
      });
      process.stdout.write(`${JSON.stringify({ listening: service.port, url: service.url })}\n`);
      const stop = (): void => {
        void service.stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });

  const token = program.command('token').description('API tokens of `vigil serve` (shown once, stored hashed)');
  token
    .command('create')
    .requiredOption('--server-db <file>', 'server database')
    .requiredOption('--tenant <org>', 'organization the token is bound to')
    .option('--role <role>', 'ingest | analyst | admin', 'ingest')
    .option('--label <text>', 'what the token is for', '')
    .action((flags: { serverDb: string; tenant: string; role: string; label: string }) => {
      if (!isRole(flags.role)) throw new VigilError('USAGE', `unknown role "${flags.role}"; use ingest, analyst or admin`);
      const db = openServerDb(flags.serverDb);
      try {
        const t = new TokenStore(db).create(flags.tenant.toLowerCase(), flags.role, flags.label);
        process.stdout.write(`${JSON.stringify({ id: t.id, token: t.token, tenant: flags.tenant.toLowerCase(), role: flags.role })}\n`);
      } finally {
        db.close();
      }
    });
  token
    .command('revoke')
    .argument('<id>', 'token id (not the token itself)')
    .requiredOption('--server-db <file>', 'server database')
    .action((id: string, flags: { serverDb: string }) => {
      const db = openServerDb(flags.serverDb);
      try {
        if (!new TokenStore(db).revoke(id)) throw new VigilError('USAGE', `no active token with id ${id}`);
      } finally {
        db.close();
      }
    });
}

function readNotifyConfig(file: string): NotifierConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NotifierConfig;
  } catch (err) {
    throw new VigilError('CONFIG', `cannot read notification config: ${err instanceof Error ? err.message : String(err)}`, file);
  }
}
