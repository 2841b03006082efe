import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../core/errors.js';

/**
 * PGlite is a database *inside* one process: two processes opening the same data folder would
 * corrupt it. A lock file holding the owner's pid keeps a second finflow (a CLI command while the
 * server runs, say) out with a clear message; a lock left by a killed process is taken over.
 */
export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'finflow.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          'data_dir_in_use',
          409,
          `the data folder ${dataDir} is in use by finflow process ${owner}; stop it first, or use the HTTP API while it runs`,
          { details: { pid: owner } },
        );
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new AppError('data_dir_in_use', 409, `could not lock the data folder ${dataDir}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
