/**
 * Signals: every signal with its live value, the selected one's history, and the propagation of
 * the last change. A refused write keeps the last good value and remembers the engine's problem
 * message for that signal. Reloaded on `signal.*` events.
 */
import {
  describeError,
  type ApiClient,
  type SignalHistoryEntry,
  type SignalPropagation,
  type SignalView,
} from '../lib/api/index.ts';
import type { SignalValue } from '../lib/signal-edit.ts';
import type { EngineState } from './engine.svelte.ts';
import { LiveResource } from './live-resource.svelte.ts';

/** The Signals view's state. */
export class SignalsState extends LiveResource {
  signals = $state.raw<SignalView[]>([]);
  /** The key whose history shows. */
  selected = $state<string | undefined>(undefined);
  history = $state.raw<SignalHistoryEntry[]>([]);
  historyError = $state<string | undefined>(undefined);
  propagation = $state.raw<SignalPropagation | null>(null);
  /** Per key: why the engine refused the last change (cleared by the next good one). */
  refused = $state<Record<string, string>>({});
  /** Keys with a write in flight. */
  saving = $state<string[]>([]);
  filter = $state('');

  constructor(engine: EngineState) {
    super(engine);
  }

  /** Signals matching the filter (key or description). */
  get shown(): SignalView[] {
    const q = this.filter.trim().toLowerCase();
    return q ? this.signals.filter((s) => `${s.key} ${s.description ?? ''}`.toLowerCase().includes(q)) : this.signals;
  }

  protected watches(type: string): boolean {
    return type.startsWith('signal.');
  }

  protected async fetch(api: ApiClient): Promise<void> {
    const [page, prop] = await Promise.all([api.signals(), api.signalPropagation()]);
    this.signals = page.signals;
    this.propagation = prop.last;
    await this.#loadHistory(api);
  }

  /** Shows one signal's history. */
  async select(key: string | undefined): Promise<void> {
    if (key === this.selected) return;
    this.selected = key;
    this.history = [];
    await this.#loadHistory(this.api);
  }

  /** Sets a value and/or a rollout (flags). Answers whether the engine took it. */
  async change(key: string, body: { value?: SignalValue; rollout?: number }): Promise<boolean> {
    this.saving = [...this.saving, key];
    try {
      const s = await this.api.changeSignal(key, { ...body, author: 'ui' });
      this.#put(s);
      const { [key]: _gone, ...rest } = this.refused;
      this.refused = rest;
      if (this.selected === key) await this.#loadHistory(this.api);
      return true;
    } catch (err) {
      this.refused = { ...this.refused, [key]: describeError(err) };
      // The last good value stays: show what the engine holds now.
      await this.api.signal(key).then(
        (s) => this.#put(s),
        () => undefined,
      );
      // The engine records refused writes in the history too.
      if (this.selected === key) await this.#loadHistory(this.api);
      return false;
    } finally {
      this.saving = this.saving.filter((k) => k !== key);
    }
  }

  /** Returns a signal to an earlier revision's value. */
  async rollback(key: string, revision: number): Promise<void> {
    const s = await this.api.rollbackSignal(key, revision, 'rolled back from the UI');
    this.#put(s);
    if (this.selected === key) await this.#loadHistory(this.api);
  }

  #put(s: SignalView): void {
    this.signals = this.signals.map((x) => (x.key === s.key ? s : x));
  }

  async #loadHistory(api: ApiClient): Promise<void> {
    const key = this.selected;
    if (!key) return;
    try {
      const page = await api.signalHistory(key, { limit: 50 });
      if (this.selected === key) this.history = page.entries;
      this.historyError = undefined;
    } catch (err) {
      this.historyError = describeError(err);
    }
  }
}
