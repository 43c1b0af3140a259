/**
 * A typed client of the control API over `fetch` (browser and Node). The renderer's API module,
 * the CLI and the tests all use it; the stream (WebSocket) lives with each caller.
 */
import type {
  AttackSpec,
  AttacksPage,
  FaultSpec,
  FaultsPage,
  FaultView,
  ImmuneView,
  IncidentsPage,
  QuarantinesPage,
  ScalingCellView,
  ScalingPage,
  StreamView,
  TrafficPage,
  TrafficSpec,
  CellDetail,
  CellView,
  EventsPage,
  Health,
  JobRunsPage,
  JobRunView,
  JobsPage,
  JobView,
  MetricsPage,
  MetricsPart,
  OrganismView,
  PlayScenarioBody,
  Problem,
  RollupView,
  RunView,
  ScenarioCurrent,
  ScenarioPlaying,
  ScenarioReportView,
  ScenariosPage,
  SpawnCellBody,
} from './schema.ts';
import type {
  SetSignalBody,
  SignalBatchBody,
  SignalEvaluation,
  SignalExport,
  SignalHistoryPage,
  SignalImportBody,
  SignalImportResult,
  SignalsPage,
  SignalsPropagationPage,
  SignalView,
} from './schema.ts';

/** An API answer that was not 2xx, with its problem body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined, fallback: string) {
    super(problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** Query parameters of {@link ApiClient.events}. */
export interface EventsQuery {
  run?: number;
  after?: number;
  before?: number;
  /** Engine time (ms) bounds: events at or after `from`, before `to`. */
  from?: number;
  to?: number;
  type?: string[];
  domain?: string;
  cell?: string;
  q?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** Typed calls to the control API. */
export class ApiClient {
  readonly base: string;
  readonly token: string;
  readonly #fetch: typeof fetch;

  /** @param base e.g. `http://127.0.0.1:4710` (no `/api`). */
  constructor(base: string, token: string, fetchImpl: typeof fetch = (...a) => fetch(...a)) {
    this.base = base.replace(/\/$/, '');
    this.token = token;
    this.#fetch = fetchImpl;
  }

  /** Sends a request; parses JSON; throws {@link ApiError} for non-2xx answers. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, parsed as Problem | undefined, `${method} ${path} → ${res.status}`);
    return parsed as T;
  }

  health(): Promise<Health> {
    return this.request('GET', '/api/health');
  }

  organism(): Promise<OrganismView> {
    return this.request('GET', '/api/organism');
  }

  cells(): Promise<CellView[]> {
    return this.request('GET', '/api/cells');
  }

  /** One cell with its replicas' latest statistics; `histograms` adds their latency buckets. */
  cell(name: string, options: { histograms?: boolean } = {}): Promise<CellDetail> {
    const qs = options.histograms ? '?histograms=1' : '';
    return this.request('GET', `/api/cells/${encodeURIComponent(name)}${qs}`);
  }

  spawnCell(cell: SpawnCellBody): Promise<CellView> {
    return this.request('POST', '/api/cells', cell);
  }

  scaleCell(name: string, replicas: number): Promise<CellView> {
    return this.request('POST', `/api/cells/${encodeURIComponent(name)}/scale`, { replicas });
  }

  removeCell(name: string): Promise<void> {
    return this.request('DELETE', `/api/cells/${encodeURIComponent(name)}`);
  }

  events(q: EventsQuery = {}): Promise<EventsPage> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
      else p.set(k, String(v));
    }
    const qs = p.toString();
    return this.request('GET', `/api/events${qs ? `?${qs}` : ''}`);
  }

  /**
   * Recent metrics frames, after `since` (ms) when given. `parts` keeps only those arrays of each
   * frame (the others come back empty): a history of routes and cells is a fraction of the size.
   */
  metrics(since?: number, parts?: ReadonlyArray<MetricsPart>): Promise<MetricsPage> {
    const p = new URLSearchParams();
    if (since !== undefined) p.set('since', String(since));
    if (parts) p.set('parts', parts.join(','));
    const qs = p.toString();
    return this.request('GET', `/api/metrics${qs ? `?${qs}` : ''}`);
  }

  runs(): Promise<{ runs: RunView[] }> {
    return this.request('GET', '/api/runs');
  }

  /** One recorded run. */
  run(id: number): Promise<RunView> {
    return this.request('GET', `/api/runs/${id}`);
  }

  /** Metric rollups (one row per second and key) of a run, or of the current one. */
  rollups(
    q: { run?: number; scope?: 'route' | 'cell' | 'stream' | 'edge'; key?: string; from?: number; to?: number } = {},
  ): Promise<{
    rows: RollupView[];
  }> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    const qs = p.toString();
    return this.request('GET', `/api/metrics/rollups${qs ? `?${qs}` : ''}`);
  }

  /** The scenario files the engine offers, each marked whether it fits the running organism. */
  scenarios(): Promise<ScenariosPage> {
    return this.request('GET', '/api/scenarios');
  }

  /** Plays a scenario (a file or YAML text) as a new run. 422 when invalid, 409 when one plays. */
  playScenario(body: PlayScenarioBody): Promise<ScenarioPlaying> {
    return this.request('POST', '/api/scenarios/play', body);
  }

  /** What plays now and the last report. */
  currentScenario(): Promise<ScenarioCurrent> {
    return this.request('GET', '/api/scenarios/current');
  }

  /** Aborts what plays; resolves to its report. */
  abortScenario(): Promise<ScenarioReportView> {
    return this.request('DELETE', '/api/scenarios/current');
  }

  signals(): Promise<SignalsPage> {
    return this.request('GET', '/api/signals');
  }

  signal(key: string): Promise<SignalView> {
    return this.request('GET', `/api/signals/${encodeURIComponent(key)}`);
  }

  /** Sets a signal's value (the renderer passes `{ author: 'ui' }`). */
  setSignal(key: string, value: unknown, options: Omit<SetSignalBody, 'value'> = {}): Promise<SignalView> {
    return this.request('PUT', `/api/signals/${encodeURIComponent(key)}`, { ...options, value });
  }

  /** Changes any of value, rollout (flags) and targeting. */
  changeSignal(key: string, body: SetSignalBody): Promise<SignalView> {
    return this.request('PUT', `/api/signals/${encodeURIComponent(key)}`, body);
  }

  changeSignals(body: SignalBatchBody): Promise<SignalsPage> {
    return this.request('POST', '/api/signals/batch', body);
  }

  signalHistory(key: string, q: { limit?: number; before?: number } = {}): Promise<SignalHistoryPage> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    const qs = p.toString();
    return this.request('GET', `/api/signals/${encodeURIComponent(key)}/history${qs ? `?${qs}` : ''}`);
  }

  rollbackSignal(key: string, revision: number, note?: string): Promise<SignalView> {
    return this.request('POST', `/api/signals/${encodeURIComponent(key)}/rollback`, { revision, ...(note ? { note } : {}) });
  }

  evaluateSignal(key: string, context: Record<string, string | number | boolean>): Promise<SignalEvaluation> {
    return this.request('POST', `/api/signals/${encodeURIComponent(key)}/evaluate`, { context });
  }

  signalPropagation(key?: string): Promise<SignalsPropagationPage> {
    return this.request('GET', `/api/signals/propagation${key ? `?key=${encodeURIComponent(key)}` : ''}`);
  }

  exportSignals(format: 'env' | 'flagd' = 'env'): Promise<SignalExport> {
    return this.request('GET', `/api/signals/export?format=${format}`);
  }

  importSignals(body: SignalImportBody): Promise<SignalImportResult> {
    return this.request('POST', '/api/signals/import', body);
  }

  /** Recycling jobs with their schedule in words, next run and last result. */
  jobs(): Promise<JobsPage> {
    return this.request('GET', '/api/jobs');
  }

  /** Runs a job now; with `wait` the answer is the finished run. 409 while it is still running. */
  runJob(name: string, wait = false): Promise<JobRunView> {
    return this.request('POST', `/api/jobs/${encodeURIComponent(name)}/run`, { wait });
  }

  pauseJob(name: string): Promise<JobView> {
    return this.request('POST', `/api/jobs/${encodeURIComponent(name)}/pause`);
  }

  resumeJob(name: string): Promise<JobView> {
    return this.request('POST', `/api/jobs/${encodeURIComponent(name)}/resume`);
  }

  /** A job's runs, newest first (`before` pages by run id). */
  jobRuns(name: string, q: { limit?: number; before?: number; run?: number } = {}): Promise<JobRunsPage> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    const qs = p.toString();
    return this.request('GET', `/api/jobs/${encodeURIComponent(name)}/runs${qs ? `?${qs}` : ''}`);
  }

  /** Active faults and the kinds that can be injected. */
  faults(): Promise<FaultsPage> {
    return this.request('GET', '/api/faults');
  }

  injectFault(spec: FaultSpec): Promise<FaultView> {
    return this.request('POST', '/api/faults', spec);
  }

  clearFault(id: string): Promise<void> {
    return this.request('DELETE', `/api/faults/${encodeURIComponent(id)}`);
  }

  /** Running attacks (labelled traffic streams). */
  attacks(): Promise<AttacksPage> {
    return this.request('GET', '/api/attacks');
  }

  launchAttack(spec: AttackSpec): Promise<StreamView> {
    return this.request('POST', '/api/attacks', spec);
  }

  stopAttack(name: string): Promise<void> {
    return this.request('DELETE', `/api/attacks/${encodeURIComponent(name)}`);
  }

  /** Every running stream, traffic and attacks alike. */
  traffic(): Promise<TrafficPage> {
    return this.request('GET', '/api/traffic');
  }

  startTraffic(spec: TrafficSpec): Promise<StreamView> {
    return this.request('POST', '/api/traffic', spec);
  }

  setTrafficRate(name: string, rate: TrafficSpec['rate']): Promise<StreamView> {
    return this.request('PATCH', `/api/traffic/${encodeURIComponent(name)}`, { rate });
  }

  stopTraffic(name: string): Promise<void> {
    return this.request('DELETE', `/api/traffic/${encodeURIComponent(name)}`);
  }

  /** The immune chain: its switch, configuration, figures and memory. */
  immune(): Promise<ImmuneView> {
    return this.request('GET', '/api/immune');
  }

  setImmune(enabled: boolean): Promise<{ enabled: boolean }> {
    return this.request('PUT', '/api/immune', { enabled });
  }

  incidents(limit?: number): Promise<IncidentsPage> {
    return this.request('GET', `/api/incidents${limit ? `?limit=${limit}` : ''}`);
  }

  quarantines(): Promise<QuarantinesPage> {
    return this.request('GET', '/api/quarantines');
  }

  releaseQuarantine(id: string): Promise<void> {
    return this.request('DELETE', `/api/quarantines/${encodeURIComponent(id)}`);
  }

  /** Forgets a remembered offender (its next offence is treated as a first one). */
  forgetOffender(fingerprint: string): Promise<void> {
    return this.request('DELETE', `/api/immune/memory/${encodeURIComponent(fingerprint)}`);
  }

  /** Scaled cells with their policy, recent decisions and forecast. */
  scaling(): Promise<ScalingPage> {
    return this.request('GET', '/api/scaling');
  }

  scalingCell(cell: string): Promise<ScalingCellView> {
    return this.request('GET', `/api/scaling/${encodeURIComponent(cell)}`);
  }

  /** URL of the WebSocket stream (token in the query: browsers cannot set headers on it). */
  streamUrl(): string {
    return streamUrlOf(this.base, this.token);
  }
}

/** URL of the WebSocket stream of the engine at `base` (the UI's boot script opens it before any client exists). */
export function streamUrlOf(base: string, token: string): string {
  return `${base.replace(/^http/, 'ws')}/api/stream?token=${encodeURIComponent(token)}`;
}
