/**
 * Health of cells and calls from their latest metrics, as colours the topology shows. Thresholds
 * follow Kiali's defaults (degraded from 0.1 % errors would be too jumpy for mock cells with a
 * built-in error rate, so ours starts at 1 %; failing at 10 %).
 */
import type { CellStats, CellView } from '../../engine/api/schema.ts';

/** Health levels, worst last. */
export type HealthLevel = 'idle' | 'healthy' | 'starting' | 'degraded' | 'failing' | 'down';

/** A level with the reasons that set it (shown as text next to the colour). */
export interface Health {
  level: HealthLevel;
  reasons: string[];
}

/** Error share from which a cell or call counts as degraded. */
export const DEGRADED_ERRORS = 0.01;
/** Error share from which a cell or call counts as failing. */
export const FAILING_ERRORS = 0.1;
/** Utilization from which a cell counts as degraded (its queue starts to grow). */
export const BUSY_UTILIZATION = 0.85;

/** Health of one cell. */
export function cellHealth(cell: Pick<CellView, 'desired' | 'replicas'>, stats: CellStats | undefined): Health {
  const ready = cell.replicas.filter((r) => r.state === 'ready').length;
  const starting = cell.replicas.filter((r) => r.state === 'starting').length;
  if (cell.desired === 0 && ready === 0) return { level: 'idle', reasons: ['scaled to zero'] };
  if (ready === 0)
    return starting > 0
      ? { level: 'starting', reasons: [`${starting} starting`] }
      : { level: 'down', reasons: ['no ready replica'] };
  const reasons: string[] = [];
  let level: HealthLevel = 'healthy';
  const errorRate = stats?.errorRate ?? 0;
  if (errorRate >= FAILING_ERRORS) {
    level = 'failing';
    reasons.push(`${(errorRate * 100).toFixed(0)}% errors`);
  } else if (errorRate >= DEGRADED_ERRORS) {
    level = 'degraded';
    reasons.push(`${(errorRate * 100).toFixed(1)}% errors`);
  }
  if ((stats?.utilization ?? 0) >= BUSY_UTILIZATION) {
    if (level === 'healthy') level = 'degraded';
    reasons.push(`${Math.round((stats?.utilization ?? 0) * 100)}% busy`);
  }
  if ((stats?.rejected ?? 0) > 0) {
    if (level === 'healthy') level = 'degraded';
    reasons.push(`${stats?.rejected} rejected`);
  }
  if (ready < cell.desired) {
    if (level === 'healthy') level = starting > 0 ? 'starting' : 'degraded';
    reasons.push(`${ready}/${cell.desired} ready`);
  }
  return { level, reasons };
}

/** Health of a call edge or route from its traffic. */
export function trafficHealth(rps: number, errorRate: number): HealthLevel {
  if (!(rps > 0)) return 'idle';
  if (errorRate >= FAILING_ERRORS) return 'failing';
  if (errorRate >= DEGRADED_ERRORS) return 'degraded';
  return 'healthy';
}

/** Human label of a level. */
export const HEALTH_LABEL: Record<HealthLevel, string> = {
  idle: 'idle',
  healthy: 'healthy',
  starting: 'starting',
  degraded: 'degraded',
  failing: 'failing',
  down: 'down',
};

/** A cell's health and replicas in words: what its picture shows, for screen readers. */
export function describeCell(cell: Pick<CellView, 'desired' | 'replicas'>, health: Health): string {
  const ready = cell.replicas.filter((r) => r.state === 'ready').length;
  const why = health.reasons.length ? ` (${health.reasons.join(', ')})` : '';
  return `${HEALTH_LABEL[health.level]}${why}, ${ready} of ${cell.desired} replicas ready`;
}
