import { join } from 'node:path';
import envPaths from 'env-paths';

/**
 * Where the alert database lives when --db is not given: $VIGIL_DB when set, else the platform's
 * per-user data directory (~/.local/share/vigil/vigil.db on Linux).
 */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['VIGIL_DB'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  return join(envPaths('vigil', { suffix: '' }).data, 'vigil.db');
}
