/**
 * `throttle`: caps a cell's throughput at `rate` requests/s. Work beyond the cap waits for its turn
 * (a leaky bucket shared by the cell's replicas), so overload shows as latency, then as full
 * queues and 503s — as a saturated dependency would behave.
 */
import { rateValue } from '../schema.ts';
import type { FaultKind } from '../types.ts';
import { needs, needsCell } from './common.ts';

export const throttle: FaultKind = {
  kind: 'throttle',
  summary: 'caps a cell’s throughput; excess work queues',
  check(spec, ctx) {
    const issues = [...needsCell(spec, ctx), ...needs(spec, 'rate', 'the cap, e.g. 50/s')];
    if (spec.rate !== undefined && !(rateValue(spec.rate) > 0)) issues.push({ path: 'rate', message: 'the cap must be above 0' });
    return issues;
  },
  apply(spec, ctx) {
    const gap = 1000 / rateValue(spec.rate!);
    let nextFree = 0;
    return {
      interceptor: {
        onRequest: () => {
          const now = ctx.clock.now();
          const start = Math.max(now, nextFree);
          nextFree = start + gap;
          return { addMs: start - now };
        },
      },
      stop: () => {},
    };
  },
};
