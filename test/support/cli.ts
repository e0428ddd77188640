import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The project root and the built CLI the end-to-end tests run (npm test builds it first). */
export const projectRoot = join(import.meta.dirname, '..', '..');
export const vigilBin = join(projectRoot, 'dist', 'cli', 'main.js');

/** Run `vigil ARGS` (stdin from `input`) and return its exit code and output. */
export function runVigil(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [vigilBin, ...args], {
    cwd: projectRoot,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
