/**
 * The shared shape of the capability views' state: data loaded over HTTP, reloaded when the event
 * stream says it changed (an event of a watched type arrived), with loading and error states and a
 * clock that ticks once a second for "time left" figures.
 */
import { describeError, type ApiClient } from '../lib/api/index.ts';
import type { EngineState } from './engine.svelte.ts';

/** After an event of interest, wait this long for more before reloading (bursts cost one load). */
const RELOAD_DEBOUNCE_MS = 150;

/** Base of a view's live state. */
export abstract class LiveResource {
  /** True until the first load ended. */
  loading = $state(true);
  /** The last load's error, for the view's error state. */
  error = $state<string | undefined>(undefined);
  /** Wall-clock now, ticking once a second while started. */
  now = $state(Date.now());

  protected readonly engine: EngineState;
  #seenSeq = 0;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #pending: Promise<void> | undefined;
  #again = false;

  constructor(engine: EngineState) {
    this.engine = engine;
    this.#seenSeq = engine.events.maxSeq;
  }

  /** Whether an event of this type changes what the view shows. */
  protected abstract watches(type: string): boolean;

  /** Loads the view's data. Throws on failure. */
  protected abstract fetch(api: ApiClient): Promise<void>;

  /** Starts loading and ticking; returns the stop function (for `onMount`). */
  start(): () => void {
    void this.reload();
    this.#tick = setInterval(() => (this.now = Date.now()), 1000);
    return () => {
      clearInterval(this.#tick);
      clearTimeout(this.#reloadTimer);
    };
  }

  /** Reloads now; a call while a load runs queues exactly one more. */
  reload(): Promise<void> {
    if (this.#pending) {
      this.#again = true;
      return this.#pending;
    }
    this.#pending = this.#load().finally(() => {
      this.#pending = undefined;
      if (this.#again) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#pending;
  }

  /** Called by the view when the event log grew: reloads if a watched event arrived. */
  onEvents(): void {
    const rows = this.engine.events.after(this.#seenSeq);
    this.#seenSeq = Math.max(this.#seenSeq, this.engine.events.maxSeq);
    if (!rows.some((r) => this.watches(r.event.type))) return;
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }

  /** The API client; throws without a token (views only render with one). */
  protected get api(): ApiClient {
    const client = this.engine.client;
    if (!client) throw new Error('no API token: open the URL printed by petri serve');
    return client;
  }

  async #load(): Promise<void> {
    try {
      await this.fetch(this.api);
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loading = false;
    }
  }
}
