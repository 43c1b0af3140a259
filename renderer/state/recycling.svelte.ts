/**
 * Recycling: the jobs with their schedule in words, next run and last result, each job's recent
 * runs (for the freed rows/bytes chart), and Run now / Pause / Resume. Reloaded on `recycling.*`.
 */
import type { ApiClient, JobRunView, JobView } from '../lib/api/index.ts';
import type { EngineState } from './engine.svelte.ts';
import { LiveResource } from './live-resource.svelte.ts';

/** Runs fetched per job for its list and chart. */
const RUNS_SHOWN = 60;

/** The Recycling view's state. */
export class RecyclingState extends LiveResource {
  jobs = $state.raw<JobView[]>([]);
  runs = $state.raw<Record<string, JobRunView[]>>({});
  /** Jobs with an action in flight. */
  busy = $state<string[]>([]);

  constructor(engine: EngineState) {
    super(engine);
  }

  protected watches(type: string): boolean {
    return type.startsWith('recycling.');
  }

  protected async fetch(api: ApiClient): Promise<void> {
    const { jobs } = await api.jobs();
    const pages = await Promise.all(jobs.map((j) => api.jobRuns(j.name, { limit: RUNS_SHOWN })));
    this.jobs = jobs;
    this.runs = Object.fromEntries(pages.map((p) => [p.job, p.runs]));
  }

  runNow(name: string): Promise<void> {
    return this.#act(name, async (api) => {
      await api.runJob(name);
    });
  }

  pause(name: string): Promise<void> {
    return this.#act(name, async (api) => this.#put(await api.pauseJob(name)));
  }

  resume(name: string): Promise<void> {
    return this.#act(name, async (api) => this.#put(await api.resumeJob(name)));
  }

  #put(job: JobView): void {
    this.jobs = this.jobs.map((j) => (j.name === job.name ? job : j));
  }

  async #act(name: string, action: (api: ApiClient) => Promise<void>): Promise<void> {
    this.busy = [...this.busy, name];
    try {
      await action(this.api);
    } finally {
      this.busy = this.busy.filter((n) => n !== name);
      void this.reload();
    }
  }
}
