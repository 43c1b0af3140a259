/**
 * Where the project's files are, whether the engine runs from source (tsx) or from the bundle in
 * dist/: the root is the nearest directory upwards holding petri's package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'petri') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find petri's package.json above ${start}`);
    dir = parent;
  }
}

/** The project root (fixtures/, renderer/dist, engine/store/migrations live under it). */
export const ROOT = process.env.PETRI_ROOT ?? findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path under the project root. */
export function rootPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
