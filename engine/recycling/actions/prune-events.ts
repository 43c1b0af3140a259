/**
 * prune-events: events older than `olderThan` leave SQLite and the JetStream stream.
 *
 * SQLite rows go by time, in batches (the persister keeps writing in between). The stream is
 * purged by sequence — `purge({ seq: B })` drops every message below B — because JetStream can
 * only cut a prefix; B is one past the newest pruned row, but never past the `petri-store`
 * consumer's ack floor, so a message the persister has not stored yet is never purged and the
 * durable consumer simply continues from where it was. (The stream's `max_age` would do the time
 * cut by itself, but it would also drop unpersisted events during a long outage, and it measures
 * server time, not engine time under `--speed`.)
 */
import { EVENTS_STREAM, STORE_CONSUMER } from '../../bus/index.ts';
import { retention } from '../../store/index.ts';
import type { ActionContext, ActionResult, RecyclingAction } from '../types.ts';
import { yieldToLoop } from './util.ts';

const BATCH = 5000;

async function pruneSqlite(ctx: ActionContext, before: number): Promise<{ rows: number; maxSeq: number; aborted: boolean }> {
  let rows = 0;
  let maxSeq = 0;
  for (;;) {
    if (ctx.signal.aborted) return { rows, maxSeq, aborted: true };
    const r = retention.deleteEventsBefore(ctx.host.db, before, BATCH);
    rows += r.rows;
    maxSeq = Math.max(maxSeq, r.maxSeq);
    if (r.rows < BATCH) return { rows, maxSeq, aborted: false };
    await yieldToLoop();
  }
}

async function purgeStream(ctx: ActionContext, maxSeq: number): Promise<{ messages: number; bytes: number; upTo: number }> {
  const jsm = ctx.host.bus.jsm;
  const consumer = await jsm.consumers.info(EVENTS_STREAM, STORE_CONSUMER);
  const upTo = Math.min(maxSeq, consumer.ack_floor.stream_seq) + 1;
  const before = await jsm.streams.info(EVENTS_STREAM);
  if (upTo <= before.state.first_seq) return { messages: 0, bytes: 0, upTo };
  const purged = await jsm.streams.purge(EVENTS_STREAM, { seq: upTo });
  const after = await jsm.streams.info(EVENTS_STREAM);
  return { messages: purged.purged, bytes: Math.max(0, before.state.bytes - after.state.bytes), upTo };
}

/** The `prune-events` action (see the comment at the top of this file). */
export const pruneEvents: RecyclingAction = {
  name: 'prune-events',
  summary: 'removes events older than olderThan from SQLite and the PETRI_EVENTS stream',
  knobs: { olderThan: { default: null, description: 'events older than this are pruned' } },
  async run(ctx): Promise<ActionResult> {
    const olderThan = ctx.knobs.olderThanMs;
    if (olderThan === undefined) return { outcome: 'noop', rows: 0, bytes: 0, reason: 'olderThan is not set' };
    const before = ctx.now - olderThan;
    const pages0 = retention.pageStats(ctx.host.db);
    const sqlite = await pruneSqlite(ctx, before);
    const pages1 = retention.pageStats(ctx.host.db);
    const freedPages = Math.max(0, pages1.freePages - pages0.freePages + (pages0.pageCount - pages1.pageCount));
    // The stream prefix is purged even when SQLite had nothing left: a previous run may have been
    // cut short between the two steps.
    const maxSeq = sqlite.maxSeq || lastPrunedSeq(ctx, before);
    const stream = maxSeq > 0 ? await purgeStream(ctx, maxSeq) : { messages: 0, bytes: 0, upTo: 0 };
    const sqliteBytes = freedPages * pages1.pageSize;
    return {
      rows: sqlite.rows,
      bytes: sqliteBytes + stream.bytes,
      details: {
        cutoff: before,
        sqliteRows: sqlite.rows,
        sqliteBytes,
        streamMessages: stream.messages,
        streamBytes: stream.bytes,
        streamPurgedBelowSeq: stream.upTo,
        ...(sqlite.aborted ? { aborted: true } : {}),
      },
    };
  },
};

/** The sequence just below the oldest kept event when nothing was deleted this time. */
function lastPrunedSeq(ctx: ActionContext, before: number): number {
  const first = ctx.host.db.prepare('SELECT MIN(seq) FROM events WHERE time >= ?').pluck().get(before) as number | null;
  return first === null ? 0 : first - 1;
}
