/** `error`: a share (`rate`, default 1) of a cell's requests fail with `status` (default 500). */
import type { FaultKind } from '../types.ts';
import { needsCell } from './common.ts';

export const error: FaultKind = {
  kind: 'error',
  summary: 'makes a share of requests fail with an HTTP status',
  check(spec, ctx) {
    const issues = needsCell(spec, ctx);
    if (typeof spec.rate === 'string' || (spec.rate !== undefined && spec.rate > 1))
      issues.push({ path: 'rate', message: 'an error fault’s rate is the share of requests that fail, from 0 to 1' });
    return issues;
  },
  apply(spec, ctx) {
    const share = typeof spec.rate === 'number' ? spec.rate : 1;
    const status = spec.status ?? 500;
    const rng = ctx.rng.fork(`error:${spec.cell}`);
    return {
      interceptor: { onRequest: () => (rng.next() < share ? { failStatus: status } : undefined) },
      stop: () => {},
    };
  },
};
