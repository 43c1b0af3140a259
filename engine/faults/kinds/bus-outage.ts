/**
 * `bus-outage`: the real nats-server is paused (SIGSTOP: clients see a hung broker) or stopped
 * (the process dies; it is started again when the fault ends) for the duration. Everyone —
 * gateway, cells, the event pipeline — must ride it out.
 */
import type { FaultKind } from '../types.ts';

export const busOutage: FaultKind = {
  kind: 'bus-outage',
  summary: 'pauses or stops the real nats-server for the duration',
  check(spec, ctx) {
    const issues = [];
    if (!ctx.ownBus) issues.push({ path: 'kind', message: 'a bus outage needs the engine’s own nats-server (not --nats-url)' });
    if (!spec.for) issues.push({ path: 'for', message: 'a bus outage needs a duration (for), e.g. 5s' });
    return issues;
  },
  apply(spec, ctx) {
    const supervisor = ctx.supervisor!;
    if ((spec.mode ?? 'pause') === 'pause') {
      supervisor.pause();
      return { details: { mode: 'pause', pid: supervisor.pid }, stop: () => supervisor.resume() };
    }
    supervisor.holdDown();
    return { details: { mode: 'stop' }, stop: () => supervisor.release() };
  },
};
