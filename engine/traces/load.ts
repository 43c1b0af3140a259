/** Reads trace files and their metadata sidecar (`traces.json` in the same folder). */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ValidationError } from '../errors.ts';
import { makeTrace, parseTraceCsv, type GapOptions, type Trace, type TraceMeta } from './trace.ts';
import { rootPath } from '../util/paths.ts';

interface SidecarEntry {
  start?: string;
  utcOffsetMinutes?: number;
}

function sidecarMeta(file: string): TraceMeta | undefined {
  let entries: Record<string, SidecarEntry>;
  try {
    entries = JSON.parse(readFileSync(join(dirname(file), 'traces.json'), 'utf8')) as Record<string, SidecarEntry>;
  } catch {
    return undefined;
  }
  const entry = entries[basename(file)];
  if (!entry?.start) return undefined;
  const startMs = Date.parse(entry.start);
  if (!Number.isFinite(startMs))
    throw new ValidationError([{ file: join(dirname(file), 'traces.json'), path: basename(file), message: 'bad start time' }]);
  return { startMs, utcOffsetMinutes: entry.utcOffsetMinutes ?? 0 };
}

/**
 * Loads a per-minute count file. Minute 0's time comes from `meta`, else from the `traces.json`
 * sidecar, else it is taken as midnight UTC of 2000-01-01 (time of day then means nothing).
 */
export function loadTrace(file: string, options: { meta?: TraceMeta; gaps?: GapOptions } = {}): Trace {
  const counts = parseTraceCsv(readFileSync(file, 'utf8'), file);
  const meta = options.meta ?? sidecarMeta(file) ?? { startMs: Date.UTC(2000, 0, 1), utcOffsetMinutes: 0 };
  return makeTrace(basename(file), counts, meta, options.gaps);
}

/** The repository's fixtures/traces folder. */
export const TRACES_DIR = rootPath('fixtures', 'traces');
