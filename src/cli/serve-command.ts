import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { startIngestServer, eventsOfRecord, TokenStore, openServerDb, isRole } from '../server/index.js';
import { createEnrichment } from '../enrich/index.js';
import { DetectionEngine } from '../detect/engine.js';
import { openStore } from '../store/open.js';
import { createNotifier } from '../notify/index.js';
import type { NotifierConfig } from '../notify/types.js';
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
    .action(async (flags: ServeFlags) => {
      const store = openStore(flags.db ?? defaultDbPath());
      const notifier = flags.notify ? createNotifier(readNotifyConfig(flags.notify)) : undefined;
      const enrichment = await createEnrichment({ torExits: flags.torExits });
      const engine = new DetectionEngine();
      const server = await startIngestServer({ dbFile: flags.serverDb, host: flags.host, port: flags.port });
      // the engine starts from the consumer checkpoint: everything acknowledged and not yet detected
      let checkpoint = server.journal.checkpoint();
      const parserState: Record<string, Record<string, unknown>> = {};
      let stopping = false;

      const step = async (): Promise<number> => {
        const records = server.journal.readFrom(checkpoint, flags.batch);
        for (const rec of records) {
          const state = (parserState[`${rec.tenant}\u0000${rec.format}`] ??= {});
          for (const e of eventsOfRecord(rec, state)) {
            enrichment.enrich(e);
            engine.process(e);
          }
          checkpoint = rec.seq;
        }
        const changed = engine.drainChanged();
        // stored before the checkpoint moves: a crash replays the records rather than losing alerts
        if (changed.length > 0) store.saveAlerts(changed);
        if (records.length > 0) server.journal.ack(checkpoint);
        if (notifier && changed.length > 0) {
          const r = await notifier.notify(changed);
          if (r.failed > 0) process.stderr.write(`vigil serve: ${r.failed} notification(s) failed; tried again with the next alerts\n`);
        }
        return records.length;
      };

      const loop = async (): Promise<void> => {
        while (!stopping) {
          const n = await step();
          if (n < flags.batch) await new Promise((r) => setTimeout(r, 500));
        }
      };
      process.stdout.write(`${JSON.stringify({ listening: server.port, url: server.url })}\n`);
      const stop = (): void => {
        stopping = true;
        void server.close().then(() => {
          enrichment.close();
          store.close();
          void notifier?.close();
          process.exit(0);
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      await loop();
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
