/**
 * Benchmark helpers. Every benchmark prints its figures AND a ratio against a baseline measured in
 * the same run: these machines are noisy, so only same-run comparisons mean anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const PETRI = join(ROOT, 'bin', 'petri.mjs');

/** The q-quantile of numbers (nearest rank). */
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export const median = (xs: number[]): number => quantile(xs, 0.5);

/** Prints a titled table of rows. */
export function table(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? '').length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const r of rows) console.log(cols.map((c, i) => cell(r[c] ?? '').padEnd(widths[i]!)).join('  '));
}

/** A verdict line against a bar. */
export function bar(name: string, ok: boolean, detail: string): void {
  console.log(`${ok ? 'MEETS' : 'MISSES'} ${name}: ${detail}`);
}

export function tmp(prefix = 'petri-bench-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A `petri serve` child with its ready line parsed. */
export interface Served {
  child: ChildProcess;
  ui: string;
  token: string;
  gateway: string;
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `petri serve` and waits for its ready line. `nodeArgs` go to the engine's node, e.g.
 * `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']` to profile the engine under a bench's load; by
 * default they come from `BENCH_ENGINE_NODE_ARGS` (space-separated), so any bench can be profiled.
 */
export function serve(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = process.env.BENCH_ENGINE_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
): Promise<Served> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, PETRI, 'serve', '--port', '0', '--gateway-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const log = process.env.BENCH_ENGINE_LOG; // e.g. with --trace-gc in BENCH_ENGINE_NODE_ARGS
    child.stdout!.on('data', (c: Buffer) => {
      if (log) appendFileSync(log, c);
      out += c.toString();
      const m = /petri ready ui=(\S+)\/#token=(\S+) api=\S+ gateway=(\S+)/.exec(out);
      if (!m) return;
      resolve({
        child,
        ui: m[1]!,
        token: m[2]!,
        gateway: m[3]!,
        readyMs: performance.now() - started,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`petri serve exited ${code}: ${err}`)));
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
