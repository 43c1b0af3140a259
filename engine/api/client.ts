/**
 * A typed client of the control API over `fetch` (browser and Node). The renderer's API module,
 * the CLI and the tests all use it; the stream (WebSocket) lives with each caller.
 */
import type {
  CellView,
  EventsPage,
  Health,
  JobRunsPage,
  JobRunView,
  JobsPage,
  JobView,
  MetricsPage,
  OrganismView,
  Problem,
  RunView,
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

  metrics(since?: number): Promise<MetricsPage> {
    return this.request('GET', `/api/metrics${since === undefined ? '' : `?since=${since}`}`);
  }

  runs(): Promise<{ runs: RunView[] }> {
    return this.request('GET', '/api/runs');
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

  /** URL of the WebSocket stream (token in the query: browsers cannot set headers on it). */
  streamUrl(): string {
    return `${this.base.replace(/^http/, 'ws')}/api/stream?token=${encodeURIComponent(this.token)}`;
  }
}
