/** Prometheus text exposition (format 0.0.4) of the engine's metrics. */
import type { MetricsFrame } from '../api/schema.ts';
import type { RouteCounters } from '../gateway/index.ts';
import { loopDelaySeconds } from './loop-delay.ts';

const LE_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : '0';
}

/** What the exposition is built from. */
export interface PrometheusInput {
  routes: RouteCounters[];
  frame: MetricsFrame | undefined;
  engine: { eventsPersisted: number; eventsPending: number; busRestarts: number; busConnected: boolean; uptimeSeconds: number };
}

/** Renders the exposition text. */
export function prometheusText(input: PrometheusInput): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  family('petri_gateway_requests_total', 'counter', 'Requests answered by the gateway, by route and status code.');
  for (const r of input.routes)
    for (const [status, n] of r.total.byStatus)
      out.push(`petri_gateway_requests_total{route="${esc(r.route)}",code="${status}"} ${n}`);
  family('petri_gateway_request_duration_seconds', 'histogram', 'Gateway request latency by route.');
  for (const r of input.routes) {
    if (r.total.count === 0) continue;
    const l = `route="${esc(r.route)}"`;
    for (const le of LE_SECONDS)
      out.push(`petri_gateway_request_duration_seconds_bucket{${l},le="${le}"} ${r.total.hist.countAtOrBelow(le * 1000)}`);
    out.push(`petri_gateway_request_duration_seconds_bucket{${l},le="+Inf"} ${r.total.count}`);
    out.push(`petri_gateway_request_duration_seconds_sum{${l}} ${num(r.total.hist.sum / 1000)}`);
    out.push(`petri_gateway_request_duration_seconds_count{${l}} ${r.total.count}`);
  }
  family(
    'petri_gateway_overhead_seconds',
    'histogram',
    "What the gateway and the bus add to a cell's own time, by route (requests a cell answered).",
  );
  for (const r of input.routes) {
    const h = r.total.overhead;
    if (h.count === 0) continue;
    const l = `route="${esc(r.route)}"`;
    for (const le of LE_SECONDS)
      out.push(`petri_gateway_overhead_seconds_bucket{${l},le="${le}"} ${h.countAtOrBelow(le * 1000)}`);
    out.push(`petri_gateway_overhead_seconds_bucket{${l},le="+Inf"} ${h.count}`);
    out.push(`petri_gateway_overhead_seconds_sum{${l}} ${num(h.sum / 1000)}`);
    out.push(`petri_gateway_overhead_seconds_count{${l}} ${h.count}`);
  }
  const cells = input.frame?.cells ?? [];
  const gauge = (name: string, help: string, pick: (c: (typeof cells)[number]) => number): void => {
    family(name, 'gauge', help);
    for (const c of cells) out.push(`${name}{cell="${esc(c.cell)}"} ${num(pick(c))}`);
  };
  gauge('petri_cell_replicas', 'Live replicas of a cell.', (c) => c.replicas);
  gauge('petri_cell_ready_replicas', 'Ready replicas of a cell.', (c) => c.ready);
  gauge(
    'petri_cell_utilization_ratio',
    'Busy slots over concurrency, last second, mean over ready replicas.',
    (c) => c.utilization,
  );
  gauge('petri_cell_queue_length', 'Requests waiting in the cell’s queues, last second (time-weighted).', (c) => c.queue);
  gauge('petri_cell_requests_per_second', 'Requests completed per second, last second.', (c) => c.rps);
  gauge('petri_cell_latency_p99_seconds', 'p99 latency of the cell, last second.', (c) => c.p99 / 1000);
  const e = input.engine;
  family('petri_events_persisted_total', 'counter', 'Events written from JetStream to SQLite.');
  out.push(`petri_events_persisted_total ${e.eventsPersisted}`);
  family('petri_events_pending', 'gauge', 'Events waiting for a JetStream acknowledgement.');
  out.push(`petri_events_pending ${e.eventsPending}`);
  family('petri_bus_restarts_total', 'counter', 'Restarts of the supervised nats-server.');
  out.push(`petri_bus_restarts_total ${e.busRestarts}`);
  family('petri_bus_connected', 'gauge', '1 when the engine is connected to NATS.');
  out.push(`petri_bus_connected ${e.busConnected ? 1 : 0}`);
  family('petri_uptime_seconds', 'gauge', 'Seconds since the engine started.');
  out.push(`petri_uptime_seconds ${num(e.uptimeSeconds)}`);
  const lag = loopDelaySeconds();
  if (lag) {
    family(
      'petri_engine_event_loop_delay_seconds',
      'summary',
      "How late the engine's event loop runs a 1 ms timer, since start.",
    );
    out.push(`petri_engine_event_loop_delay_seconds{quantile="0.5"} ${num(lag.p50)}`);
    out.push(`petri_engine_event_loop_delay_seconds{quantile="0.99"} ${num(lag.p99)}`);
    out.push(`petri_engine_event_loop_delay_seconds{quantile="1"} ${num(lag.max)}`);
    out.push(`petri_engine_event_loop_delay_seconds_sum ${num(lag.sum)}`);
    out.push(`petri_engine_event_loop_delay_seconds_count ${lag.count}`);
  }
  return `${out.join('\n')}\n`;
}
