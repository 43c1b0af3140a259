/**
 * Scenarios played inside a running engine (the UI's Play button): one at a time, each a new
 * recorded run, with its progress and expectation results readable while it plays, abortable, and
 * the last report kept. `petri run` plays through {@link playScenario} directly instead.
 */
import type { Engine } from '../engine.ts';
import { ConflictError, drop } from '../errors.ts';
import type { Verdict } from './expect.ts';
import type { ScenarioPlan } from './model.ts';
import { playScenario, type ScenarioReport, type StepRecord } from './player.ts';

/** An expectation while the scenario plays. */
export interface ExpectationProgress {
  name: string;
  status: 'pending' | 'passed' | 'failed';
  verdict?: Verdict;
}

/** What plays now. */
export interface PlayingStatus {
  name: string;
  file: string;
  description?: string;
  runId: number;
  startedAt: number;
  elapsedMs: number;
  durationMs: number;
  speed: number;
  phase: 'playing' | 'finishing';
  stepsTotal: number;
  steps: StepRecord[];
  expectations: ExpectationProgress[];
}

interface Playing {
  plan: ScenarioPlan;
  runId: number;
  startedAt: number;
  steps: StepRecord[];
  verdicts: Map<string, Verdict>;
  controller: AbortController;
  done: Promise<ScenarioReport>;
}

/** Refuses a scenario written for another organism than the engine's (there is no hot reload). */
export function checkOrganism(engine: Engine, plan: ScenarioPlan): void {
  const mine = engine.organism;
  const theirs = plan.organism;
  if (mine.hash === theirs.hash) return;
  const which =
    mine.spec.name === theirs.spec.name
      ? `a different version of organism '${theirs.spec.name}' (${theirs.source})`
      : `organism '${theirs.spec.name}' (${theirs.source})`;
  throw new ConflictError(
    `scenario '${plan.name}' plays against ${which}, but this engine runs organism '${mine.spec.name}' (${mine.source}); ` +
      `start the right one with: petri serve --organism ${theirs.source}`,
  );
}

const sessions = new WeakMap<Engine, ScenarioSession>();

/** The scenario desk of one engine. */
export class ScenarioSession {
  /** The engine's session, created on first use (every API server of an engine shares it). */
  static of(engine: Engine): ScenarioSession {
    let s = sessions.get(engine);
    if (!s) {
      s = new ScenarioSession(engine);
      sessions.set(engine, s);
    }
    return s;
  }

  readonly #engine: Engine;
  #playing: Playing | undefined;
  #last: ScenarioReport | undefined;

  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onStop(() => this.abort().then(() => undefined));
  }

  /** The report of the last scenario that finished here. */
  get last(): ScenarioReport | undefined {
    return this.#last;
  }

  /**
   * Starts playing a validated plan as a new run and answers at once with its status.
   * Throws {@link ConflictError} when one already plays or the organism differs; nothing changes then.
   */
  play(plan: ScenarioPlan): PlayingStatus {
    if (this.#playing)
      throw new ConflictError(
        `scenario '${this.#playing.plan.name}' is playing (run ${this.#playing.runId}); abort it first (DELETE /api/scenarios/current)`,
      );
    checkOrganism(this.#engine, plan);
    // The session run the engine was recording ends where the scenario's run begins (the player
    // starts a new session after it), so Runs does not list it as running forever.
    this.#engine.runs.finishIfRunning(this.#engine.runId, 'finished', this.#engine.clock.now());
    const controller = new AbortController();
    const steps: StepRecord[] = [];
    const verdicts = new Map<string, Verdict>();
    const done = playScenario(this.#engine, plan, {
      newRun: true,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step) steps.push(p.step);
        if (p.verdict) verdicts.set(p.verdict.name, p.verdict);
      },
    });
    // playScenario begins its run synchronously, before its first await.
    const playing: Playing = {
      plan,
      runId: this.#engine.runId,
      startedAt: this.#engine.clock.now(),
      steps,
      verdicts,
      controller,
      done,
    };
    this.#playing = playing;
    drop(
      done
        .then((report) => {
          this.#last = report;
        })
        .finally(() => {
          if (this.#playing === playing) this.#playing = undefined;
        }),
    );
    return this.#status(playing);
  }

  /** What plays now, if anything. */
  current(): PlayingStatus | undefined {
    return this.#playing && this.#status(this.#playing);
  }

  /** Aborts what plays (faults and attacks end with it); resolves to its report, or undefined. */
  async abort(): Promise<ScenarioReport | undefined> {
    const playing = this.#playing;
    if (!playing) return undefined;
    playing.controller.abort();
    return playing.done;
  }

  /** Resolves when what plays now has finished (tests). */
  async settled(): Promise<ScenarioReport | undefined> {
    return this.#playing?.done;
  }

  #status(p: Playing): PlayingStatus {
    const clock = this.#engine.clock;
    const elapsedMs = Math.round(clock.now() - p.startedAt);
    return {
      name: p.plan.name,
      file: p.plan.file,
      ...(p.plan.description ? { description: p.plan.description } : {}),
      runId: p.runId,
      startedAt: p.startedAt,
      elapsedMs: Math.min(elapsedMs, p.plan.durationMs),
      durationMs: p.plan.durationMs,
      speed: clock.speed,
      phase: p.controller.signal.aborted || elapsedMs >= p.plan.durationMs ? 'finishing' : 'playing',
      stepsTotal: p.plan.steps.length,
      steps: [...p.steps].sort((a, b) => a.index - b.index),
      expectations: p.plan.expect.map((e) => {
        const v = p.verdicts.get(e.name);
        return v ? { name: e.name, status: v.passed ? 'passed' : 'failed', verdict: v } : { name: e.name, status: 'pending' };
      }),
    };
  }
}
