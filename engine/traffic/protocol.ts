/** Messages between the engine and the load-generator worker. */
import type { HistogramData } from '../metrics/index.ts';
import type { ArrivalLaw, RateShape } from './arrivals.ts';

/** A stream as the worker runs it (plain data: it crosses the thread boundary). */
export interface WorkerStream {
  name: string;
  /** Builder kind: `normal`, or an attack kind. */
  builder: string;
  route: string;
  rate: number;
  clients: number;
  law: ArrivalLaw;
  shape: RateShape;
  durationMs?: number;
  timeoutMs: number;
  seed: number;
  block: number;
  data: Record<string, unknown>;
}

/** Engine → worker. */
export type ToWorker =
  | { op: 'start'; stream: WorkerStream }
  | { op: 'rate'; name: string; rate: number }
  | { op: 'stop'; name: string }
  | { op: 'config'; target: string; speed: number };

/** One second of one stream, as measured by the worker. */
export interface StreamSample {
  name: string;
  sent: number;
  done: number;
  ok: number;
  c4xx: number;
  c5xx: number;
  blocked: number;
  timeouts: number;
  errors: number;
  inflight: number;
  hist: HistogramData;
  histMax: number;
  histSum: number;
  /** How far behind schedule the generator ran (ms, max in the interval). */
  lagMs: number;
  /** Client addresses that made requests in the interval (attack ground truth). */
  clients?: string[];
}

/** Worker → engine. */
export type FromWorker =
  | { op: 'ready' }
  | { op: 'stats'; wallMs: number; samples: StreamSample[] }
  | { op: 'ended'; name: string; sent: number }
  | { op: 'error'; name: string; message: string };
