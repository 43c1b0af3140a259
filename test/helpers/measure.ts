/**
 * Test helper: latency as the engine measured it (merged per-second route histograms from SQLite),
 * which busy test machines distort far less than timings taken in the test process.
 */
import type { Engine } from '../../engine/engine.ts';
import { aggregate } from '../../engine/metrics/index.ts';
import { http } from './http.ts';

/**
 * Sends sequential requests to `path` for `ms`, lets the collector close its interval, and returns
 * the p50 of `route` over that phase.
 */
export async function phaseP50(t: { engine: Engine; gateway: string }, path: string, route: string, ms: number): Promise<number> {
  const from = t.engine.clock.now();
  const end = performance.now() + ms;
  while (performance.now() < end) await http(`${t.gateway}${path}`);
  await new Promise((r) => setTimeout(r, 1300)); // an idle gap: no interval mixes two phases
  const rows = t.engine.metricsRepo.query({
    runId: t.engine.runId,
    scope: 'route',
    key: route,
    from: from - 1000,
    to: t.engine.clock.now(),
  });
  return aggregate(rows).p50;
}
