/** `hang`: requests are accepted and never answered while the fault lasts (callers time out). */
import type { FaultKind } from '../types.ts';
import { needsCell } from './common.ts';

export const hang: FaultKind = {
  kind: 'hang',
  summary: 'accepts requests and never replies (they hold a slot until the fault ends)',
  check: (spec, ctx) => needsCell(spec, ctx),
  apply() {
    let release!: () => void;
    const ended = new Promise<void>((resolve) => (release = resolve));
    return { interceptor: { onRequest: () => ({ hang: ended }) }, stop: () => release() };
  },
};
