/**
 * Stand-alone ingest server: `node dist/server/main.js --db FILE [--port N] [--host H]`.
 * Prints one JSON line {"listening":port} once bound. Used by the crash test; `vigil serve`
 * wires startIngestServer itself.
 */
import { startIngestServer } from './index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dbFile = arg('--db');
if (dbFile === undefined) {
  process.stderr.write('usage: main.js --db FILE [--port N] [--host H]\n');
  process.exit(2);
}
const server = await startIngestServer({ dbFile, port: Number(arg('--port') ?? 0), host: arg('--host') ?? '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
