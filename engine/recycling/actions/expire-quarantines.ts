/**
 * expire-quarantines: releases immune quarantines whose end has passed. The immune system owns
 * quarantines and implements `QuarantineStore` (engine/immune's `Quarantines`); with no immune
 * system (a host without one, as in some tests), every run is a recorded no-op saying so.
 */
import type { ActionResult, RecyclingAction } from '../types.ts';

/** The `expire-quarantines` action (see the comment at the top of this file). */
export const expireQuarantines: RecyclingAction = {
  name: 'expire-quarantines',
  summary: 'releases immune quarantines past their end',
  knobs: {},
  async run(ctx): Promise<ActionResult> {
    const store = ctx.quarantines;
    if (!store) return { outcome: 'noop', rows: 0, bytes: 0, reason: 'no quarantine store: the immune system is not running' };
    const expired = await store.expired(ctx.now);
    const released: string[] = [];
    for (const q of expired) {
      if (ctx.signal.aborted) break;
      if (await store.release(q.id, 'expired')) released.push(q.id);
    }
    return { rows: released.length, bytes: 0, details: { expired: expired.length, released } };
  },
};
