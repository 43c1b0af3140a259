/**
 * An OpenFeature server provider for Petri signals: a real service of the user's reads the
 * organism's signals through the OpenFeature API, straight from the NATS KV bucket (no engine
 * round trip per evaluation). Flags evaluate their targeting and sticky rollout on the evaluation
 * context's `targetingKey` exactly as the engine does; every change raises
 * `ProviderEvents.ConfigurationChanged`; a bad value written into KV is refused here too (the last
 * good one stays); and the provider reports each change it applied, so the engine's
 * `signal.applied` counts the service as a subscriber.
 *
 * ```ts
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { PetriProvider } from 'petri/engine/signals/openfeature.ts';
 * await OpenFeature.setProviderAndWait(new PetriProvider({ servers: 'nats://127.0.0.1:4222', name: 'checkout-svc' }));
 * const flags = OpenFeature.getClient();
 * if (await flags.getBooleanValue('checkout.newFlow', false, { targetingKey: userId, plan })) …
 * ```
 *
 * Not exported from the signals index: the engine itself never loads the OpenFeature SDK.
 */
import {
  FlagNotFoundError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderNotReadyError,
  TypeMismatchError,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectionOptions } from '../bus/index.ts';
import { drop } from '../errors.ts';
import { evaluate, type EvaluationContext as PetriContext } from './flags.ts';
import { RemoteReporter } from './remote.ts';
import { SignalSubscriber, type SignalChange } from './subscriber.ts';

/** Options of {@link PetriProvider}. */
export interface PetriProviderOptions {
  /** The engine's NATS server(s), e.g. `nats://127.0.0.1:4222`; or pass {@link connection}. */
  servers?: string | string[];
  /** An existing connection (not closed by the provider). */
  connection?: NatsConnection;
  /** Which signals to watch, in NATS subject syntax (default `>`: all). */
  filter?: string;
  /** This service's name in propagation reports (shown as `openfeature:<name>`). */
  name?: string;
  /** Report applied changes to the engine (default true). */
  report?: boolean;
}

type Wanted = 'boolean' | 'number' | 'string';

/** The OpenFeature server provider reading Petri signals from NATS KV. */
export class PetriProvider implements Provider {
  readonly metadata = { name: 'petri' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #opts: PetriProviderOptions;
  readonly #id: string;
  #nc: NatsConnection | undefined;
  #sub: SignalSubscriber | undefined;
  #reporter: RemoteReporter | undefined;
  #ready = false;

  constructor(options: PetriProviderOptions) {
    if (!options.servers && !options.connection) throw new Error('PetriProvider needs `servers` or a `connection`');
    this.#opts = options;
    this.#id = `openfeature:${options.name ?? `${process.pid}-${Math.random().toString(36).slice(2, 8)}`}`;
  }

  /** Subscriber id in the engine's propagation reports. */
  get subscriberId(): string {
    return this.#id;
  }

  /** Connects and loads every signal; the SDK emits READY when this resolves. */
  async initialize(): Promise<void> {
    const nc = this.#opts.connection ?? (await connect(connectionOptions(this.#opts.servers!, this.#id)));
    this.#nc = nc;
    const filter = this.#opts.filter ?? '>';
    const reporter = this.#opts.report === false ? undefined : new RemoteReporter(nc, { id: this.#id, filter });
    this.#reporter = reporter;
    this.#sub = await SignalSubscriber.open(nc, {
      id: this.#id,
      filter,
      apply: (change) => this.#changed(change),
      ...(reporter ? { onApplied: (r) => reporter.applied(r) } : {}),
    });
    this.#ready = true;
    drop(this.#watchConnection(nc));
  }

  /** Stops watching; closes the connection if the provider opened it. */
  async onClose(): Promise<void> {
    this.#ready = false;
    this.#sub?.stop();
    this.#reporter?.stop();
    if (this.#nc && !this.#opts.connection) await this.#nc.drain().catch(() => this.#nc?.close());
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'boolean'));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'string'));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'number'));
  }

  /** Signals are never objects: an object evaluation is a type mismatch. */
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string): Promise<ResolutionDetails<T>> {
    if (!this.#sub?.get(flagKey)) return Promise.reject(new FlagNotFoundError(`no signal '${flagKey}'`));
    return Promise.reject(new TypeMismatchError(`signal '${flagKey}' is not an object`));
  }

  #resolve<T extends boolean | number | string>(
    key: string,
    defaultValue: T,
    context: EvaluationContext,
    want: Wanted,
  ): ResolutionDetails<T> {
    if (!this.#ready || !this.#sub) throw new ProviderNotReadyError('the Petri provider is not initialised');
    const s = this.#sub.get(key);
    if (!s) throw new FlagNotFoundError(`no signal '${key}'`);
    const e = evaluate(key, s.value, s.wire, flatten(context));
    const flagMetadata = { revision: s.revision, author: s.author, type: s.wire.type };
    if (e.value === null) return { value: defaultValue, reason: 'DEFAULT', flagMetadata }; // not set
    if (typeof e.value !== want) throw new TypeMismatchError(`signal '${key}' is a ${s.wire.type}, not a ${want}`);
    return { value: e.value as T, variant: e.variant, reason: e.reason, flagMetadata };
  }

  #changed(change: SignalChange): void {
    if (!this.#ready) return; // values found at start are not changes
    this.events.emit(ProviderEvents.ConfigurationChanged, {
      flagsChanged: [change.key],
      metadata: { revision: change.revision, author: change.author },
    });
  }

  /** While NATS is unreachable the cached values may be stale: say so, and ready again after. */
  async #watchConnection(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect')
        this.events.emit(ProviderEvents.Stale, { message: 'NATS connection lost; serving cached signals' });
      else if (s.type === 'reconnect') this.events.emit(ProviderEvents.Ready, { message: 'NATS connection restored' });
    }
  }
}

/** The evaluation context as Petri's evaluator reads it: `targetingKey` and top-level scalars. */
function flatten(context: EvaluationContext): PetriContext {
  const out: PetriContext = {};
  for (const [k, v] of Object.entries(context)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  return out;
}
