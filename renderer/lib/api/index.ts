/**
 * The renderer's only door to the engine: the typed HTTP client (the same one the CLI and tests
 * use) and the self-healing `/api/stream`. Everything else in the renderer imports from here.
 */
import { ApiClient, ApiError } from '../../../engine/api/client.ts';
import { adoptEarly } from './early.ts';
import { EngineStream, type EngineStreamOptions, type ProbeResult } from './stream.ts';

export { ApiClient, ApiError };
export type { EventsQuery } from '../../../engine/api/client.ts';
export type {
  CellDetail,
  CellStats,
  CellView,
  EdgeStats,
  MetricsFrame,
  OrganismView,
  PathwayView,
  Problem,
  ReplicaStats,
  RollupView,
  RouteStats,
  RunView,
  ExpectationState,
  ScenarioCurrent,
  ScenarioListItem,
  ScenarioPlaying,
  ScenarioReportView,
  ScenariosPage,
  SpawnCellBody,
  StepView,
  StreamMessage,
  VerdictView,
  AttackSpec,
  FaultSpec,
  FaultView,
  FaultsPage,
  ImmuneView,
  IncidentView,
  JobRunView,
  JobView,
  MemoryView,
  QuarantineView,
  ScalingCellView,
  ScalingDecisionView,
  SignalHistoryEntry,
  SignalPropagation,
  SignalView,
  StreamStats,
  StreamView,
} from '../../../engine/api/schema.ts';
export { ATTACK_KINDS, FAULT_KINDS } from '../../../engine/faults/kinds.ts';
export type { PetriEvent } from '../../../engine/api/events.ts';
export { EVENT_TYPES, eventDomain } from '../../../engine/api/event-types.ts';
export { EngineStream, type StreamStatus, type StatusInfo, type ProbeResult } from './stream.ts';
export { takeToken } from './token.ts';
export { earlyHello } from './early.ts';
export { openBootStream } from './boot.ts';

/** Requests that hang (a frozen engine) fail after this long instead of spinning forever. */
const REQUEST_TIMEOUT_MS = 8000;

/** A fetch that gives up after {@link REQUEST_TIMEOUT_MS}. */
const timedFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** The engine this page talks to: its origin and the token from the URL. */
export class EngineConnection {
  readonly client: ApiClient;

  constructor(origin: string, token: string) {
    this.client = new ApiClient(origin, token, timedFetch);
  }

  /** Why the engine is unreachable, over plain HTTP (a WebSocket cannot tell a 401 apart). */
  async probe(): Promise<ProbeResult> {
    try {
      const res = await fetch(`${this.client.base}/api/organism`, {
        headers: { authorization: `Bearer ${this.client.token}` },
        signal: AbortSignal.timeout(2000),
      });
      if (res.status === 401) return 'unauthorized';
      return res.ok ? 'ok' : 'down';
    } catch {
      return 'down';
    }
  }

  /** A stream of engine messages that reconnects by itself. */
  stream(handlers: Pick<EngineStreamOptions, 'onMessage' | 'onStatus'>): EngineStream {
    return new EngineStream({ url: this.client.streamUrl(), probe: () => this.probe(), adopt: adoptEarly, ...handlers });
  }
}

/** The message of an error for people: the problem's title and detail when the engine sent one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'the engine did not answer in time';
  if (err instanceof TypeError) return 'the engine is unreachable';
  return err instanceof Error ? err.message : String(err);
}
