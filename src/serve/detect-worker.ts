/**
 * The detection worker thread of `vigil serve`: the server's main thread answers HTTP and commits
 * to the journal; this thread reads the journal, detects, stores and notifies, on the second core.
 * Messages in: 'poke' (new records), 'stop'. Messages out: see WorkerMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../core/types.js';
import type { NotifyResult } from '../notify/index.js';
import { loadEngineCodec } from './codec.js';
import { startDetection, type DetectionConfig } from './detect-runtime.js';

export type WorkerMessage =
  | { type: 'ready'; restoredFrom: 'snapshot' | 'journal' }
  | { type: 'events'; tenant: string; format: string; n: number }
  | { type: 'alerts'; alerts: Pick<Alert, 'id' | 'severity' | 'kind'>[] }
  | { type: 'notified'; result: NotifyResult }
  | { type: 'log'; msg: string }
  | { type: 'fatal'; msg: string }
  | { type: 'stopped' };

const port = parentPort;
if (!port) throw new Error('detect-worker.js runs as a worker thread of vigil serve');
const send = (m: WorkerMessage): void => port.postMessage(m);

try {
  const detection = await startDetection(
    workerData as DetectionConfig,
    {
      events: (tenant, format, n) => send({ type: 'events', tenant, format, n }),
      alerts: (alerts) => send({ type: 'alerts', alerts: [...alerts] }),
      notified: (result) => send({ type: 'notified', result }),
      log: (msg) => send({ type: 'log', msg }),
    },
    await loadEngineCodec(),
  );
  port.on('message', (m: unknown) => {
    if (m === 'poke') detection.poke();
    else if (m === 'stop') {
      void detection.stop().then(() => {
        send({ type: 'stopped' });
        port.close();
      });
    }
  });
  send({ type: 'ready', restoredFrom: detection.loop.restoredFrom });
} catch (err) {
  send({ type: 'fatal', msg: err instanceof Error ? err.message : String(err) });
  port.close();
}
