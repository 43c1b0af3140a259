/** `partition`: calls between `cell` and `to` are dropped in both directions (callers time out). */
import type { FaultKind } from '../types.ts';
import { needs, needsCell } from './common.ts';

export const partition: FaultKind = {
  kind: 'partition',
  summary: 'drops calls between two cells, both ways',
  check(spec, ctx) {
    const issues = [...needsCell(spec, ctx), ...needs(spec, 'to', 'the other cell')];
    if (spec.to && !ctx.cells.has(spec.to)) issues.push({ path: 'to', message: `no cell '${spec.to}'` });
    if (spec.to && spec.to === spec.cell) issues.push({ path: 'to', message: 'a cell cannot be partitioned from itself' });
    return issues;
  },
  apply(spec) {
    const a = spec.cell!;
    const b = spec.to!;
    return {
      interceptor: { onCall: (from, to) => ((from === a && to === b) || (from === b && to === a) ? 'drop' : undefined) },
      stop: () => {},
    };
  },
};
