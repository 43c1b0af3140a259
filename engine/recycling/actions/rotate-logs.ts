/**
 * rotate-logs: the engine's own log files, rotated when larger than `maxSize` bytes or older than
 * `olderThan`, keeping `keep` rotated generations (`engine.log.1` newest … `.N` oldest).
 *
 * - `<data>/logs/*.log` are renamed: the engine's logger appends by path on every line, so the
 *   next line simply creates a fresh `engine.log` — nothing to reopen, nothing lost.
 * - `<data>/nats/nats-server.log` is held open by the supervisor's append stream, so it is copied
 *   and truncated in place (logrotate's copytruncate: O_APPEND writes land at the new end; a line
 *   written between copy and truncate can be lost, which is why the engine's own log is renamed).
 * A file's age is the time of its first line (the logs stamp wall time, so ages use wall time).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { copyFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionResult, RecyclingAction } from '../types.ts';

/** A log file and how it is rotated. */
interface LogFile {
  path: string;
  mode: 'rename' | 'copytruncate';
}

async function logFiles(dataDir: string): Promise<LogFile[]> {
  const dir = join(dataDir, 'logs');
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: LogFile[] = names.filter((n) => n.endsWith('.log')).map((n) => ({ path: join(dir, n), mode: 'rename' }));
  const nats = join(dataDir, 'nats', 'nats-server.log');
  if (await exists(nats)) files.push({ path: nats, mode: 'copytruncate' });
  return files;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Wall time (ms) of a log's first line: Petri's JSON `t` or nats-server's `YYYY/MM/DD hh:mm:ss`. */
export function firstLineTime(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.toString('utf8', 0, n).split('\n')[0] ?? '';
    const json = /"t":"([^"]+)"/.exec(line);
    if (json) return Date.parse(json[1]!);
    const nats = /(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(line);
    if (nats) {
      const [y, mo, d, h, mi, s] = nats.slice(1).map(Number) as [number, number, number, number, number, number];
      return new Date(y, mo - 1, d, h, mi, s).getTime();
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why a file is due for rotation, or undefined. */
function dueReason(
  size: number,
  firstLine: number | undefined,
  wallNow: number,
  maxSize?: number,
  maxAgeMs?: number,
): string | undefined {
  if (size === 0) return undefined;
  if (maxSize !== undefined && size >= maxSize) return `size ${size} ≥ ${maxSize}`;
  if (maxAgeMs !== undefined && firstLine !== undefined && wallNow - firstLine >= maxAgeMs)
    return `age ${Math.round((wallNow - firstLine) / 1000)} s ≥ ${Math.round(maxAgeMs / 1000)} s`;
  return undefined;
}

/** Shifts `f.1…f.keep` up by one and deletes what falls off; returns the deleted files' sizes. */
async function shift(path: string, keep: number): Promise<{ files: number; bytes: number }> {
  const dir = join(path, '..');
  const base = path.slice(dir.length + 1);
  const gens = (await readdir(dir))
    .map((n) => (n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : NaN))
    .filter((g) => Number.isInteger(g) && g > 0)
    .sort((a, b) => b - a);
  let files = 0;
  let bytes = 0;
  for (const g of gens) {
    const from = `${path}.${g}`;
    if (g >= keep) {
      bytes += (await stat(from)).size;
      await rm(from, { force: true });
      files++;
    } else await rename(from, `${path}.${g + 1}`);
  }
  return { files, bytes };
}

async function rotate(file: LogFile, keep: number): Promise<{ files: number; bytes: number }> {
  const freed = await shift(file.path, keep);
  if (keep === 0) {
    const size = (await stat(file.path)).size;
    if (file.mode === 'rename') await rm(file.path, { force: true });
    else await truncate(file.path, 0);
    return { files: freed.files + 1, bytes: freed.bytes + size };
  }
  if (file.mode === 'rename') await rename(file.path, `${file.path}.1`);
  else {
    await copyFile(file.path, `${file.path}.1`);
    await truncate(file.path, 0);
  }
  return freed;
}

/** The `rotate-logs` action (see the comment at the top of this file). */
export const rotateLogs: RecyclingAction = {
  name: 'rotate-logs',
  summary: "rotates the engine's log files by size or age, keeping the newest N",
  knobs: {
    maxSize: { default: null, description: 'rotate a log file once it reaches this many bytes' },
    olderThan: { default: null, description: 'rotate a log file once its first line is this old' },
    keep: { default: 5, description: 'rotated generations kept per log file' },
  },
  async run(ctx): Promise<ActionResult> {
    const { maxSize, olderThanMs } = ctx.knobs;
    const keep = ctx.knobs.keep ?? 5;
    if (maxSize === undefined && olderThanMs === undefined)
      return { outcome: 'noop', rows: 0, bytes: 0, reason: 'neither maxSize nor olderThan is set' };
    const rotated: Array<{ file: string; size: number; why: string }> = [];
    let rows = 0;
    let bytes = 0;
    for (const file of await logFiles(ctx.host.options.dataDir)) {
      if (ctx.signal.aborted) break;
      const size = (await stat(file.path)).size;
      const why = dueReason(size, firstLineTime(file.path), ctx.wallNow, maxSize, olderThanMs);
      if (!why) continue;
      const freed = await rotate(file, keep);
      rotated.push({ file: file.path, size, why });
      rows += freed.files;
      bytes += freed.bytes;
    }
    return { rows, bytes, details: { rotated, keep } };
  },
};
