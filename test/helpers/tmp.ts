/** Test helper: a temp directory removed when the `using` scope ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp dir for one test. */
export interface TempDir extends Disposable {
  path: string;
}

export function tempDir(prefix = 'petri-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}
