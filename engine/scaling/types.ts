/** What scaling controllers read and what they decide. Plain data: controllers are pure functions. */

/** One replica as a controller sees it at a sync (a pod, in Kubernetes terms). */
export interface PodSample {
  id: string;
  /** `starting` replicas take no traffic yet (Kubernetes: pending or not ready). */
  state: 'starting' | 'ready';
  /** Engine time the replica became ready. */
  readySince?: number;
  /** Engine time the replica was started. */
  startedAt?: number;
  /** Mean utilization (0–1) over the metric window; undefined when no sample exists (missing metric). */
  utilization?: number;
}

/** A cell's recent metrics, summarised over the metric window, at one sync. */
export interface CellObservation {
  cell: string;
  /** Engine time of the sync. */
  t: number;
  /** The replica count the cell is asked to run (Kubernetes: scale.spec.replicas). */
  replicas: number;
  pods: PodSample[];
  /** Mean utilization of ready replicas over the window. */
  utilization: number;
  /** Requests arriving per second (served and rejected) over the window. */
  rps: number;
  /** Requests served per second (arrivals minus 503s) over the window. */
  servedRps: number;
  /** Requests waiting in the replicas' queues (time-averaged sum) over the window. */
  queue: number;
  /** p99 latency (ms) of the last second with traffic. */
  p99: number;
  ready: number;
  starting: number;
}

/** The policies a cell can use. */
export type PolicyName = 'none' | 'hpa' | 'queue-lag' | 'predictive';

/** A controller's decision at one sync: published as a `scaling.decided` event. */
export interface ScalingDecision {
  cell: string;
  t: number;
  policy: PolicyName;
  /** Replicas before the decision. */
  current: number;
  /** Replicas after it (equal to `current` when nothing changes). */
  desired: number;
  /**
   * Why, as a Kubernetes HPA condition reason where one applies (`DesiredWithinRange`,
   * `ScaleUpLimit`, `ScaleDownStabilized`, `TooFewReplicas`…) or `Forecast`, `WithinTolerance`,
   * `MissingMetrics`, `ScalingDisabled`.
   */
  reason: string;
  /** A sentence for people (the UI's decision list). */
  message: string;
  /** The numbers the decision was made from. */
  inputs: Record<string, number | string | boolean | null>;
}
