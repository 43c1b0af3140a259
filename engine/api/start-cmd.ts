/**
 * `petri start`: opens the desktop app when an Electron binary is installed; otherwise says so and
 * falls back to `petri serve`, whose ready line carries the browser URL.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../util/paths.ts';

/** Path of the installed Electron binary, or why there is none. */
export function electronBinary(root = ROOT): { path: string } | { missing: string } {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'package.json'))) return { missing: 'the electron package is not installed' };
  let rel: string;
  try {
    rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    return { missing: 'the Electron binary was not downloaded (offline install)' };
  }
  const path = join(dir, 'dist', rel);
  return existsSync(path) ? { path } : { missing: `the Electron binary is missing at ${path}` };
}

/** Runs the desktop app with the same flags as serve, or falls back to serving the browser UI. */
export async function startDesktop(args: string[], serveCommand: (args: string[]) => Promise<number>): Promise<number> {
  const bin = electronBinary();
  const main = join(ROOT, 'electron', 'dist', 'main.cjs');
  if ('missing' in bin || !existsSync(main) || process.env.PETRI_NO_ELECTRON) {
    const why =
      'missing' in bin
        ? bin.missing
        : !existsSync(main)
          ? 'the Electron shell is not built (npm run build)'
          : 'PETRI_NO_ELECTRON is set';
    process.stderr.write(`petri: no desktop app here (${why}); serving the browser UI instead — open the ui= URL below.\n`);
    return serveCommand(args);
  }
  const child = spawn(bin.path, [main, ...args], { stdio: 'inherit', env: { ...process.env, PETRI_ROOT: ROOT } });
  return new Promise<number>((resolve) => {
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 1);
    });
  });
}
