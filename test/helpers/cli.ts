/** Test helper: run the `petri` CLI as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Path of the CLI entry. */
export const PETRI_BIN = join(import.meta.dirname, '..', '..', 'bin', 'petri.mjs');

/** Runs `petri args…` to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PETRI_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `petri serve` child and its parsed ready line. */
export interface ServeChild {
  child: ChildProcess;
  line: string;
  ui: string;
  token: string;
  api: string;
  gateway: string;
  readyMs: number;
  stderr: () => string;
}

/** Starts `petri serve args…` and resolves at its ready line (rejects if it exits first). */
export function startServe(args: string[], timeoutMs = 20_000): Promise<ServeChild> {
  const started = performance.now();
  const child = spawn(process.execPath, [PETRI_BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^petri ready ui=(\S+)\/#token=(\S+) api=(\S+) gateway=(\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        line: m[0],
        ui: m[1]!,
        token: m[2]!,
        api: m[3]!,
        gateway: m[4]!,
        readyMs: performance.now() - started,
        stderr: () => err,
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`petri serve exited with ${code} before ready; stderr: ${err}`));
    });
  });
}
