/**
 * The Scenario view's state: the fixture list, what to play (a fixture or pasted/loaded YAML),
 * what plays now with its expectations, the last report, and this run's events from the live
 * log. Progress comes from the stream's `scenario.*` events (a step ran, a verdict came in, it
 * finished); between them the bar advances on the local clock at the engine's speed.
 */
import { ApiError, describeError, type ScenarioPlaying, type ScenarioReportView, type ScenariosPage } from '../lib/api/index.ts';
import type { EventRow } from '../lib/event-log.ts';
import { extrapolate } from '../lib/scenario-format.ts';
import type { EngineState } from './engine.svelte.ts';

/** A refusal to show: the problem's words and its located issues. */
export interface PlayProblem {
  message: string;
  issues: string[];
}

/** One expectation row, live or from the last report. */
export interface ExpectationRow {
  name: string;
  status: 'pending' | 'passed' | 'failed';
  verdict?: ScenarioPlaying['expectations'][number]['verdict'];
}

export class ScenarioState {
  catalog = $state.raw<ScenariosPage | undefined>(undefined);
  catalogError = $state<string | undefined>(undefined);
  /** Play a fixture or YAML text. */
  source = $state<'fixture' | 'text'>('fixture');
  file = $state('');
  text = $state('');
  filename = $state<string | undefined>(undefined);
  current = $state.raw<ScenarioPlaying | null>(null);
  last = $state.raw<ScenarioReportView | null>(null);
  problem = $state.raw<PlayProblem | undefined>(undefined);
  /** A play or abort request is on its way. */
  busy = $state(false);
  /** Local time of the last answer about {@link current}, and now (ticks while playing). */
  #answeredAt = $state(0);
  #now = $state(0);
  /** This run's events, oldest first (updated in place; {@link version} announces changes). */
  readonly rows: EventRow[] = [];
  version = $state(0);
  selected = $state<number | undefined>(undefined);

  readonly #engine: EngineState;
  #rowsRun: number | undefined;
  #applied = 0;
  #generation = -1;
  #seen = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(engine: EngineState) {
    this.#engine = engine;
  }

  /** The run whose events and expectations the view shows. */
  get runId(): number | undefined {
    return this.current?.runId ?? this.last?.runId;
  }

  get elapsedMs(): number {
    const c = this.current;
    if (!c) return this.last ? this.last.scenario.durationMs : 0;
    return extrapolate(c.elapsedMs, c.durationMs, c.speed, this.#now - this.#answeredAt);
  }

  get durationMs(): number {
    return this.current?.durationMs ?? this.last?.scenario.durationMs ?? 0;
  }

  get expectations(): ExpectationRow[] {
    if (this.current) return this.current.expectations;
    return (this.last?.expectations ?? []).map((v) => ({ name: v.name, status: v.passed ? 'passed' : 'failed', verdict: v }));
  }

  get canPlay(): boolean {
    return !this.busy && !this.current && (this.source === 'fixture' ? this.file !== '' : this.text.trim() !== '');
  }

  /** Loads the list and what plays now. */
  async load(): Promise<void> {
    const api = this.#engine.client;
    if (!api) return;
    try {
      const [catalog] = await Promise.all([api.scenarios(), this.refresh()]);
      this.catalog = catalog;
      this.catalogError = undefined;
      if (!this.file) this.file = catalog.scenarios.find((s) => s.fits)?.file ?? '';
    } catch (err) {
      this.catalogError = describeError(err);
    }
  }

  /** Asks what plays now. */
  async refresh(): Promise<void> {
    const api = this.#engine.client;
    if (!api) return;
    const answer = await api.currentScenario();
    this.current = answer.current;
    this.last = answer.last;
    this.#answeredAt = this.#now = Date.now();
    this.#tick();
  }

  async play(): Promise<void> {
    const api = this.#engine.client;
    if (!api || !this.canPlay) return;
    this.busy = true;
    this.problem = undefined;
    try {
      const body =
        this.source === 'fixture'
          ? { file: this.file }
          : { text: this.text, ...(this.filename ? { filename: this.filename } : {}) };
      this.current = await api.playScenario(body);
      this.#answeredAt = this.#now = Date.now();
      this.selected = undefined;
      this.#tick();
    } catch (err) {
      this.problem = {
        message: describeError(err).split('\n')[0] ?? '',
        issues: err instanceof ApiError && err.status === 422 ? (err.problem?.detail ?? '').split('\n') : [],
      };
    } finally {
      this.busy = false;
    }
  }

  async abort(): Promise<void> {
    const api = this.#engine.client;
    if (!api || !this.current) return;
    this.busy = true;
    try {
      this.last = await api.abortScenario();
      this.current = null;
    } catch (err) {
      this.problem = { message: describeError(err), issues: [] };
    } finally {
      this.busy = false;
      await this.refresh().catch(() => {});
    }
  }

  /** Reads a chosen file's text into the editor. */
  async readFile(file: File): Promise<void> {
    this.text = await file.text();
    this.filename = file.name;
    this.source = 'text';
  }

  /**
   * Called when the engine's event log changed: picks this run's new events and, on a
   * `scenario.*` event, asks for the scenario's state.
   */
  onEvents(): void {
    const log = this.#engine.events;
    const fresh = log.after(this.#seen);
    this.#seen = log.maxSeq;
    this.#syncRows();
    if (fresh.some((r) => r.domain === 'scenario')) void this.refresh().catch(() => {});
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #syncRows(): void {
    const log = this.#engine.events;
    const run = this.runId;
    if (run !== this.#rowsRun || log.generation !== this.#generation) {
      this.#rowsRun = run;
      this.#generation = log.generation;
      this.rows.length = 0;
      this.#applied = 0;
    }
    if (run === undefined) return;
    const added = log.after(this.#applied).filter((r) => r.event.runId === run);
    this.#applied = log.maxSeq;
    for (const r of added) this.rows.push(r);
    this.version += 1;
  }

  /** Moves the bar four times a second while a scenario plays; asks again while it settles. */
  #tick(): void {
    this.#syncRows();
    if (this.current && !this.#timer) {
      let n = 0;
      this.#timer = setInterval(() => {
        this.#now = Date.now();
        // Past its duration the engine settles the last data; the finished event may arrive
        // before the report is kept, so look again until it is.
        if (this.current && this.elapsedMs >= this.current.durationMs && ++n % 4 === 0) void this.refresh().catch(() => {});
        if (!this.current) this.stop();
      }, 250);
    }
    if (!this.current) this.stop();
  }
}

const states = new WeakMap<EngineState, ScenarioState>();

/** The engine's scenario state, created on first use (it survives switching views). */
export function scenarioFor(engine: EngineState): ScenarioState {
  let s = states.get(engine);
  if (!s) {
    s = new ScenarioState(engine);
    states.set(engine, s);
  }
  return s;
}
