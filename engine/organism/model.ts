/**
 * The normalised organism: what the engine runs. Durations are milliseconds, defaults are
 * filled in, references are checked. Produced only by {@link normalise} from a valid manifest.
 */
import type {
  CellDoc,
  ManifestDoc,
  OperationDoc,
  PathwayDoc,
  RecyclingJobDoc,
  ResilienceDoc,
  ScalingDoc,
  SignalDoc,
} from './schema.ts';
import { parseDuration } from '../util/units.ts';
import { DEFAULT_ANOMALY_THRESHOLD } from './schema.ts';

export interface CallSpec {
  cell: string;
  op: string;
  timeoutMs: number;
  retries: number;
}

export interface OperationSpec {
  name: string;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  errorStatus: number;
  calls: CallSpec[];
  response: { status: number; body: unknown };
  /** Checks credentials in the body (login operations). */
  credentials: boolean;
}

export interface ScalingSpec {
  policy: 'none' | 'hpa' | 'queue-lag' | 'predictive';
  min: number;
  max: number;
  targetUtilization: number;
  targetQueue: number;
  behavior: 'default' | 'none';
  /** HPA tolerance around the target ratio (0.1). */
  tolerance: number;
  /** Scale-down stabilization window (300 000 ms). */
  scaleDownStabilizationMs: number;
  /**
   * Predictive policy: forecaster file, lead time (null = startup + sync period), headroom factor,
   * the percentile head to size for (null = the mean forecast) and the utilization it is sized at
   * (null = targetUtilization).
   */
  forecast: {
    model: string | null;
    leadMs: number | null;
    headroom: number;
    quantile: number | null;
    utilization: number | null;
  };
}

export interface BreakerSpec {
  errorRatio: number;
  windowMs: number;
  minRequests: number;
  openForMs: number;
  halfOpenProbes: number;
}

export interface ResilienceSpec {
  retryBackoff: { baseMs: number; maxMs: number; jitter: number };
  /** Retries allowed as a share of first attempts (Finagle/Envoy style); null = unlimited. */
  retryBudget: { ratio: number; minPerSecond: number } | null;
  breaker: BreakerSpec | null;
}

export interface CellSpec {
  name: string;
  description?: string;
  replicas: number;
  concurrency: number;
  queue: number;
  startupMs: number;
  memory: { baseMb: number; limitMb: number };
  operations: OperationSpec[];
  scaling: ScalingSpec;
  resilience: ResilienceSpec;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface PathwaySpec {
  route: string;
  method: HttpMethod;
  path: string;
  cell: string;
  op: string;
  auth: 'none' | 'jwt';
  scopes: string[];
  timeoutMs: number;
  login: boolean;
}

export type SignalSpec = Omit<SignalDoc, 'ttl'> & { ttlMs?: number; secret: boolean };

export interface JobSpec extends Omit<RecyclingJobDoc, 'olderThan' | 'idleFor'> {
  olderThanMs?: number;
  idleForMs?: number;
}

export interface ImmuneSpec {
  auth: { issuer?: string; audience?: string };
  rateLimit: {
    perClient: { rps: number; burst: number } | null;
    perRoute: { rps: number; burst: number } | null;
    escalateAfter: number;
  };
  waf: { mode: 'block' | 'alert' | 'off'; paranoia: number; threshold: number };
  anomaly: { threshold: number; action: 'quarantine' | 'block' | 'throttle' | 'alert'; forMs: number } | null;
  quarantineForMs: number;
  /** Most connections one client may hold; null: no limit (organisms without an immune section). */
  connectionsPerClient: number | null;
}

export interface OrganismSpec {
  name: string;
  description?: string;
  cells: CellSpec[];
  pathways: PathwaySpec[];
  signals: SignalSpec[];
  immune: ImmuneSpec;
  recycling: JobSpec[];
}

/** Milliseconds of a duration string the schema already accepted. */
export function ms(text: string): number;
export function ms(text: string | undefined): number | undefined;
export function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

function operation(doc: OperationDoc): OperationSpec {
  return {
    name: doc.name,
    p50Ms: ms(doc.latency.p50),
    p99Ms: ms(doc.latency.p99),
    errorRate: doc.errorRate ?? 0,
    errorStatus: doc.errorStatus ?? 500,
    calls: (doc.calls ?? []).map((c) => ({ cell: c.cell, op: c.op, timeoutMs: ms(c.timeout) ?? 1000, retries: c.retries ?? 0 })),
    response: { status: doc.response?.status ?? 200, body: doc.response?.body ?? null },
    credentials: doc.credentials ?? false,
  };
}

function scaling(doc: ScalingDoc | undefined, replicas: number): ScalingSpec {
  return {
    policy: doc?.policy ?? 'none',
    min: doc?.min ?? Math.min(1, replicas),
    max: doc?.max ?? Math.max(10, replicas),
    targetUtilization: doc?.targetUtilization ?? 0.6,
    targetQueue: doc?.targetQueue ?? 5,
    behavior: doc?.behavior ?? 'default',
    tolerance: doc?.tolerance ?? 0.1,
    scaleDownStabilizationMs: ms(doc?.scaleDownStabilization) ?? 300_000,
    forecast: {
      model: doc?.forecast?.model ?? null,
      leadMs: ms(doc?.forecast?.lead) ?? null,
      headroom: doc?.forecast?.headroom ?? 1,
      quantile: doc?.forecast?.quantile ?? null,
      utilization: doc?.forecast?.utilization ?? null,
    },
  };
}

function resilience(doc: ResilienceDoc | undefined): ResilienceSpec {
  const b = doc?.breaker;
  return {
    retryBackoff: {
      baseMs: ms(doc?.retryBackoff?.base) ?? 25,
      maxMs: ms(doc?.retryBackoff?.max) ?? 1000,
      jitter: doc?.retryBackoff?.jitter ?? 0.5,
    },
    retryBudget: doc?.retryBudget ? { ratio: doc.retryBudget.ratio, minPerSecond: doc.retryBudget.minPerSecond ?? 10 } : null,
    breaker: b
      ? {
          errorRatio: b.errorRatio,
          windowMs: ms(b.window),
          minRequests: b.minRequests ?? 20,
          openForMs: ms(b.openFor),
          halfOpenProbes: b.halfOpenProbes ?? 3,
        }
      : null,
  };
}

/** Fills defaults and converts units of one cell (also used for cells spawned through the API). */
export function normaliseCell(doc: CellDoc): CellSpec {
  const replicas = doc.replicas ?? 1;
  return {
    name: doc.name,
    description: doc.description,
    replicas,
    concurrency: doc.concurrency ?? 8,
    queue: doc.queue ?? 64,
    startupMs: ms(doc.startup) ?? 0,
    memory: { baseMb: doc.memory?.base ?? 64, limitMb: doc.memory?.limit ?? 512 },
    operations: doc.operations.map(operation),
    scaling: scaling(doc.scaling, replicas),
    resilience: resilience(doc.resilience),
  };
}

/** Splits `GET /products/:id` into method and path. */
export function pathway(doc: PathwayDoc): PathwaySpec {
  const [method, path] = doc.route.split(' ') as [HttpMethod, string];
  const [cell, op] = doc.to.split('.') as [string, string];
  return {
    route: doc.route,
    method,
    path,
    cell,
    op,
    auth: doc.auth ?? 'none',
    scopes: doc.scopes ?? [],
    timeoutMs: ms(doc.timeout) ?? 10_000,
    login: doc.login ?? false,
  };
}

/** Normalises a manifest that passed schema and reference checks. */
export function normalise(doc: ManifestDoc): OrganismSpec {
  const im = doc.immune ?? {};
  const anomaly = im.anomaly;
  return {
    name: doc.metadata.name,
    description: doc.metadata.description,
    cells: doc.cells.map(normaliseCell),
    pathways: (doc.pathways ?? []).map(pathway),
    signals: (doc.signals ?? []).map(({ ttl, ...s }) => ({ ...s, secret: s.secret ?? false, ttlMs: ms(ttl) })),
    immune: {
      auth: im.auth ?? {},
      rateLimit: {
        perClient: im.rateLimit?.perClient
          ? { rps: im.rateLimit.perClient.rps, burst: im.rateLimit.perClient.burst ?? Math.ceil(im.rateLimit.perClient.rps * 2) }
          : null,
        perRoute: im.rateLimit?.perRoute
          ? { rps: im.rateLimit.perRoute.rps, burst: im.rateLimit.perRoute.burst ?? Math.ceil(im.rateLimit.perRoute.rps * 2) }
          : null,
        escalateAfter: im.rateLimit?.escalateAfter ?? 50,
      },
      waf: { mode: im.waf?.mode ?? 'off', paranoia: im.waf?.paranoia ?? 1, threshold: im.waf?.threshold ?? 5 },
      anomaly: anomaly
        ? {
            threshold: anomaly.threshold ?? DEFAULT_ANOMALY_THRESHOLD,
            action: anomaly.action ?? 'quarantine',
            forMs: ms(anomaly.for) ?? 300_000,
          }
        : null,
      quarantineForMs: ms(im.quarantine?.for) ?? 300_000,
      connectionsPerClient: im.connections?.perClient ?? (doc.immune ? 64 : null),
    },
    recycling: (doc.recycling ?? []).map(({ olderThan, idleFor, ...j }) => ({
      ...j,
      olderThanMs: ms(olderThan),
      idleForMs: ms(idleFor),
    })),
  };
}
