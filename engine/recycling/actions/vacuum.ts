/**
 * vacuum: returns SQLite's free pages to the file system with `PRAGMA incremental_vacuum`, in
 * steps (the event loop runs between them), then checkpoints the WAL so the smaller file shows on
 * disk. Rows deleted by the other jobs leave free pages that SQLite reuses but does not give
 * back; this is the job that gives them back.
 */
import { statSync } from 'node:fs';
import { retention } from '../../store/index.ts';
import type { ActionResult, RecyclingAction } from '../types.ts';
import { yieldToLoop } from './util.ts';

const PAGES_PER_STEP = 2048;

function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // no WAL file right now
    }
  }
  return total;
}

/** The `vacuum` action (see the comment at the top of this file). */
export const vacuum: RecyclingAction = {
  name: 'vacuum',
  summary: "returns SQLite's free pages to the disk (incremental vacuum)",
  knobs: {},
  async run(ctx): Promise<ActionResult> {
    const db = ctx.host.db;
    const before = retention.pageStats(db);
    const filesBefore = fileBytes(db.name);
    while (!ctx.signal.aborted) {
      const freed = retention.incrementalVacuum(db, PAGES_PER_STEP);
      if (freed < PAGES_PER_STEP) break;
      await yieldToLoop();
    }
    const { busy } = retention.checkpoint(db);
    const after = retention.pageStats(db);
    // The file shrinks by the free pages plus the pointer-map pages that indexed them.
    const pages = Math.max(0, before.pageCount - after.pageCount);
    return {
      rows: 0,
      bytes: pages * before.pageSize,
      details: {
        pagesFreed: pages,
        freePagesBefore: before.freePages,
        pageSize: before.pageSize,
        pagesBefore: before.pageCount,
        pagesAfter: after.pageCount,
        freePagesLeft: after.freePages,
        fileBytesBefore: filesBefore,
        fileBytesAfter: fileBytes(db.name),
        checkpointBusy: busy,
      },
    };
  },
};
