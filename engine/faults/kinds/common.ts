/** Checks shared by several fault kinds. */
import type { Issue } from '../../errors.ts';
import type { CheckContext } from '../types.ts';
import type { FaultSpec } from '../schema.ts';

/** The fault needs `cell` naming a running cell (and `op`/`replica` of it, when given). */
export function needsCell(spec: FaultSpec, ctx: CheckContext): Issue[] {
  if (!spec.cell) return [{ path: 'cell', message: `a ${spec.kind} fault needs 'cell'` }];
  if (!ctx.cells.has(spec.cell))
    return [{ path: 'cell', message: `no cell '${spec.cell}'; cells: ${ctx.cells.cells.map((c) => c.name).join(', ')}` }];
  const cell = ctx.cells.get(spec.cell);
  if (spec.op && !cell.spec.operations.some((o) => o.name === spec.op))
    return [{ path: 'op', message: `cell '${spec.cell}' has no operation '${spec.op}'` }];
  if (spec.replica && !cell.replicas.some((r) => r.id === spec.replica))
    return [
      {
        path: 'replica',
        message: `cell '${spec.cell}' has no replica '${spec.replica}'; it has: ${cell.replicas.map((r) => r.id).join(', ')}`,
      },
    ];
  return [];
}

/** `field` is required for this kind. */
export function needs(spec: FaultSpec, field: keyof FaultSpec, what: string): Issue[] {
  return spec[field] === undefined ? [{ path: field, message: `a ${spec.kind} fault needs '${field}' (${what})` }] : [];
}
