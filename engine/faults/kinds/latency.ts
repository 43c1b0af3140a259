/** `latency`: adds `add` ± `jitter` to a cell's (operation's, replica's) processing time. */
import type { FaultKind } from '../types.ts';
import { ms } from '../../organism/index.ts';
import { needs, needsCell } from './common.ts';

export const latency: FaultKind = {
  kind: 'latency',
  summary: 'adds latency (plus uniform jitter) to requests a cell handles',
  check: (spec, ctx) => [...needsCell(spec, ctx), ...needs(spec, 'add', 'the added latency, e.g. 150ms')],
  apply(spec, ctx) {
    const add = ms(spec.add ?? '0ms');
    const jitter = ms(spec.jitter ?? '0ms');
    const rng = ctx.rng.fork(`latency:${spec.cell}`);
    return {
      interceptor: { onRequest: () => ({ addMs: Math.max(0, add + (jitter ? (rng.next() * 2 - 1) * jitter : 0)) }) },
      stop: () => {},
    };
  },
};
