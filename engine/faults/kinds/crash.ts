/**
 * `crash`: a replica dies at once (in-flight requests are never answered). With `for`, it is
 * replaced when the fault ends; removing the fault early replaces it too.
 */
import type { FaultKind } from '../types.ts';
import { needsCell } from './common.ts';

export const crash: FaultKind = {
  kind: 'crash',
  summary: 'kills a replica; it is replaced when the fault ends',
  check(spec, ctx) {
    const issues = needsCell(spec, ctx);
    if (!issues.length && !ctx.cells.get(spec.cell!).replicas.some((r) => r.state === 'ready' || r.id === spec.replica))
      issues.push({ path: 'cell', message: `cell '${spec.cell}' has no ready replica to crash` });
    return issues;
  },
  apply(spec, ctx) {
    const cell = ctx.cells.get(spec.cell!);
    const victim = cell.replicas.find((r) => (spec.replica ? r.id === spec.replica : r.state === 'ready'));
    return {
      details: { replica: victim?.id },
      start: () => void cell.crashReplica(victim?.id, 'crash'),
      stop: () => {
        if (ctx.cells.has(cell.name)) cell.restore('fault-cleared');
      },
    };
  },
};
