/**
 * The Runs view's state: recorded runs, and one opened with its events and per-route metrics so
 * its timeline can be scrubbed (everything up to the scrub time, nothing after).
 */
import { describeError, eventDomain, type RollupView, type RunView } from '../lib/api/index.ts';
import type { EventRow } from '../lib/event-log.ts';
import { routesAt, rowsUpTo } from '../lib/scenario-format.ts';
import type { EngineState } from './engine.svelte.ts';

/** Events of one run loaded at most (the API's page limit). */
const RUN_EVENTS = 10_000;

/** A run opened for scrubbing. */
export interface OpenRun {
  run: RunView;
  rows: EventRow[];
  rollups: RollupView[];
  /** Engine time span covered. */
  from: number;
  to: number;
  /** Whether the run had more events than were loaded. */
  truncated: boolean;
}

export class RunsState {
  runs = $state.raw<RunView[] | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  open = $state.raw<OpenRun | undefined>(undefined);
  openError = $state<string | undefined>(undefined);
  loadingRun = $state(false);
  /** Engine time the timeline is scrubbed to. */
  scrub = $state(0);
  selected = $state<number | undefined>(undefined);

  readonly #engine: EngineState;

  constructor(engine: EngineState) {
    this.#engine = engine;
  }

  /** The open run's events up to {@link scrub}, oldest first. */
  visible = $derived(this.open ? rowsUpTo(this.open.rows, this.scrub) : []);
  /** Each route's last recorded second at {@link scrub}. */
  routes = $derived(this.open ? routesAt(this.open.rollups, this.scrub) : []);

  async load(): Promise<void> {
    const api = this.#engine.client;
    if (!api) return;
    try {
      this.runs = (await api.runs()).runs.slice().sort((a, b) => b.id - a.id);
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Opens a run: its events and route metrics, scrubbed to its end. */
  async openRun(id: number): Promise<void> {
    const api = this.#engine.client;
    if (!api || this.open?.run.id === id) return;
    this.loadingRun = true;
    this.openError = undefined;
    try {
      const [run, page, rollups] = await Promise.all([
        api.run(id),
        api.events({ run: id, limit: RUN_EVENTS }),
        api.rollups({ run: id, scope: 'route' }),
      ]);
      const rows = page.events.map((e): EventRow => ({ seq: e.seq ?? 0, event: e, domain: eventDomain(e.type) }));
      const times = [...rows.map((r) => r.event.time), ...rollups.rows.map((r) => r.t + r.span)];
      const from = run.startedAt;
      const to = Math.max(run.endedAt ?? from, ...times);
      this.open = { run, rows, rollups: rollups.rows, from, to, truncated: page.events.length >= RUN_EVENTS };
      this.scrub = to;
      this.selected = undefined;
    } catch (err) {
      this.open = undefined;
      this.openError = describeError(err);
    } finally {
      this.loadingRun = false;
    }
  }

  close(): void {
    this.open = undefined;
  }
}

const states = new WeakMap<EngineState, RunsState>();

/** The engine's runs state, created on first use. */
export function runsFor(engine: EngineState): RunsState {
  let s = states.get(engine);
  if (!s) {
    s = new RunsState(engine);
    states.set(engine, s);
  }
  return s;
}
