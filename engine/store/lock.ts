/**
 * One engine per data dir: two engines would fight over the nats-server store and its pid file.
 * The lock is a file holding the owner's pid, created exclusively; a lock whose owner is gone is
 * taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DependencyError } from '../errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock; returns a function that releases it. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'engine.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner))
        throw new DependencyError(
          `the data dir ${dir} is in use by another Petri engine (pid ${owner}): stop it, or pass --data DIR to use another one`,
        );
      rmSync(file, { force: true }); // stale: its engine is gone
    }
  }
  throw new DependencyError(`cannot lock the data dir ${dir}`);
}
