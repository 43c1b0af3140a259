/**
 * decommission-idle: cells that served nothing for `idleFor` are scaled down to their scaling
 * minimum — or, when the job says `remove: true`, removed — each with a
 * `recycling.decommissioned` event (the cells themselves also report `replica.stopped` /
 * `cell.removed`). Idleness is the cell's last handled request (`Cell.lastActivity`, engine time):
 * replicas of a cell share one queue group, so they go idle together.
 */
import type { ActionResult, IdleCandidate, RecyclingAction } from '../types.ts';

/** What to do with one cell, or undefined to leave it. Pure: tests feed it recorded cells. */
export function idleDecision(
  cell: Pick<IdleCandidate, 'desired' | 'lastActivity' | 'spec'>,
  now: number,
  idleForMs: number,
  remove: boolean,
): { to: number; remove: boolean } | undefined {
  if (now - cell.lastActivity < idleForMs) return undefined;
  if (remove) return { to: 0, remove: true };
  const min = cell.spec.scaling.min;
  return cell.desired > min ? { to: min, remove: false } : undefined;
}

/** The `decommission-idle` action (see the comment at the top of this file). */
export const decommissionIdle: RecyclingAction = {
  name: 'decommission-idle',
  summary: 'scales cells idle for idleFor to their minimum (or removes them with remove: true)',
  knobs: { idleFor: { default: null, description: 'cells with no traffic for this long are decommissioned' } },
  async run(ctx): Promise<ActionResult> {
    const idleFor = ctx.knobs.idleForMs;
    if (idleFor === undefined) return { outcome: 'noop', rows: 0, bytes: 0, reason: 'idleFor is not set' };
    const remove = ctx.job.remove ?? false;
    const done: Array<{ cell: string; from: number; to: number; removed: boolean; idleMs: number }> = [];
    let replicas = 0;
    for (const cell of [...ctx.host.cells.cells]) {
      if (ctx.signal.aborted) break;
      const decision = idleDecision(cell, ctx.now, idleFor, remove);
      if (!decision) continue;
      const from = cell.desired;
      const idleMs = Math.round(ctx.now - cell.lastActivity);
      if (decision.remove) await ctx.host.removeCell(cell.name);
      else ctx.host.scaleCell(cell.name, decision.to, `recycling:${ctx.job.name}`);
      replicas += Math.max(0, from - decision.to);
      done.push({ cell: cell.name, from, to: decision.to, removed: decision.remove, idleMs });
      ctx.host.events.emit(
        'recycling.decommissioned',
        { job: ctx.job.name, from, to: decision.to, removed: decision.remove, idleMs },
        { cell: cell.name },
      );
    }
    return { rows: replicas, bytes: 0, details: { cells: done, idleForMs: idleFor } };
  },
};
