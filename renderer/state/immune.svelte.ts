/**
 * Immune: the chain's switch and figures, incidents, quarantines and memory, reloaded on
 * `immune.*` and `incident.*` events; refused requests are counted from the event log.
 */
import type { ApiClient, ImmuneView, IncidentView, QuarantineView } from '../lib/api/index.ts';
import { containedInMs, firstQuarantines, refusedBy } from '../lib/immune-figures.ts';
import type { EngineState } from './engine.svelte.ts';
import { LiveResource } from './live-resource.svelte.ts';

/** The Immune view's state. */
export class ImmuneState extends LiveResource {
  immune = $state.raw<ImmuneView | undefined>(undefined);
  incidents = $state.raw<IncidentView[]>([]);
  quarantines = $state.raw<QuarantineView[]>([]);
  /** Quarantine ids being released (their buttons wait). */
  releasing = $state<string[]>([]);

  constructor(engine: EngineState) {
    super(engine);
  }

  protected watches(type: string): boolean {
    return type.startsWith('immune.') || type.startsWith('incident.');
  }

  protected async fetch(api: ApiClient): Promise<void> {
    const [immune, incidents, quarantines] = await Promise.all([api.immune(), api.incidents(50), api.quarantines()]);
    this.immune = immune;
    this.incidents = incidents.incidents;
    this.quarantines = quarantines.quarantines;
  }

  /** Refused requests by layer and class, from the events this page holds. */
  refused(): ReturnType<typeof refusedBy> {
    return refusedBy(this.engine.events.rows);
  }

  /** Each incident's containment time (ms), undefined while a client is not quarantined. */
  containment(): Record<string, number | undefined> {
    const first = firstQuarantines(this.engine.events.rows, this.quarantines);
    return Object.fromEntries(this.incidents.map((i) => [i.id, containedInMs(i, first)]));
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const res = await this.api.setImmune(enabled);
    if (this.immune) this.immune = { ...this.immune, enabled: res.enabled };
  }

  async release(id: string): Promise<void> {
    this.releasing = [...this.releasing, id];
    try {
      await this.api.releaseQuarantine(id);
      this.quarantines = this.quarantines.filter((q) => q.id !== id);
    } finally {
      this.releasing = this.releasing.filter((x) => x !== id);
    }
  }

  async forget(fingerprint: string): Promise<void> {
    await this.api.forgetOffender(fingerprint);
    if (this.immune) this.immune = { ...this.immune, memory: this.immune.memory.filter((m) => m.fingerprint !== fingerprint) };
  }
}
