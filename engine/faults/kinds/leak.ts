/**
 * `leak`: a replica's memory grows by `rate` MB/s until it reaches the cell's memory limit, where
 * the replica is killed (OOM). Ending the fault frees the memory, and replaces an OOM-killed
 * replica.
 */
import { rateValue } from '../schema.ts';
import type { FaultKind } from '../types.ts';
import { needs, needsCell } from './common.ts';

const STEP_MS = 100;

export const leak: FaultKind = {
  kind: 'leak',
  summary: 'grows a replica’s memory until the OOM threshold kills it',
  check(spec, ctx) {
    const issues = [...needsCell(spec, ctx), ...needs(spec, 'rate', 'growth in MB per second, e.g. 20/s')];
    if (!issues.length && !ctx.cells.get(spec.cell!).replicas.some((r) => r.state === 'ready' || r.id === spec.replica))
      issues.push({ path: 'cell', message: `cell '${spec.cell}' has no ready replica to leak` });
    return issues;
  },
  apply(spec, ctx) {
    const cell = ctx.cells.get(spec.cell!);
    const replica = cell.replicas.find((r) => (spec.replica ? r.id === spec.replica : r.state === 'ready'))!;
    const perStep = (rateValue(spec.rate!) * STEP_MS) / 1000;
    const base = replica.memoryMb;
    let killed = false;
    const timer = ctx.clock.setInterval(() => {
      if (replica.state !== 'ready' && replica.state !== 'starting') return timer.cancel();
      replica.memoryMb = Math.min(cell.spec.memory.limitMb, replica.memoryMb + perStep);
      if (replica.memoryMb >= cell.spec.memory.limitMb) {
        killed = true;
        timer.cancel();
        cell.crashReplica(replica.id, 'oom');
      }
    }, STEP_MS);
    return {
      details: { replica: replica.id, limitMb: cell.spec.memory.limitMb },
      stop: () => {
        timer.cancel();
        replica.memoryMb = base;
        if (killed && ctx.cells.has(cell.name)) cell.restore('fault-cleared');
      },
    };
  },
};
