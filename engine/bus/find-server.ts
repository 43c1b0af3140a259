/** Locating the nats-server binary: `PETRI_NATS_SERVER`, then PATH, then the usual install dirs. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DependencyError } from '../errors.ts';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/snap/bin'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable by name on PATH and a few well-known dirs. */
export function which(name: string, extraDirs: string[] = EXTRA_DIRS): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of dirs) for (const ext of exts) if (executable(join(dir, name + ext))) return join(dir, name + ext);
  return undefined;
}

/** Path of the nats-server binary, or a {@link DependencyError} saying how to install it. */
export function findNatsServer(): string {
  const fromEnv = process.env.PETRI_NATS_SERVER;
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new DependencyError(`PETRI_NATS_SERVER=${fromEnv} is not an executable file`);
  }
  const found = which('nats-server');
  if (found) return found;
  throw new DependencyError(
    'nats-server not found: install it with `sudo apt-get install nats-server` (Debian/Ubuntu) or `brew install nats-server` (macOS), set PETRI_NATS_SERVER=/path/to/nats-server, or pass --nats-url to use a running server',
  );
}
