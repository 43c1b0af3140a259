/**
 * Hormonal signals: typed values in NATS KV, watched live by cells and policies. Other domains
 * use the engine's {@link SignalStore} (`get`, `evaluate`, `watch`, `set`/`change`, `rollback`,
 * `history`), cells and external services a {@link SignalSubscriber} on their own connection, and
 * a user's service the OpenFeature {@link PetriProvider}.
 */
export { SignalStore, maskValue, type SignalState, type SignalPatch, type SignalStoreOptions } from './store.ts';
export { signalValueError, recordError, builtinSignals, allSignals, type SignalValue } from './types.ts';
export {
  encodeSignal,
  decodeSignal,
  wireSpec,
  SIGNAL_AUTHORS,
  type StoredSignal,
  type SignalAuthor,
  type WireSpec,
  type TargetingRule,
} from './codec.ts';
export { evaluate, murmur3, rolloutBucket, type Evaluation, type EvaluationContext, type EvaluationReason } from './flags.ts';
export { SignalSubscriber, type SignalChange, type SubscriberOptions } from './subscriber.ts';
export { PropagationTracker, keyMatches, quantile, type AppliedReport, type Propagation, type KeyFilter } from './propagation.ts';
export { SecretRedactor, SECRET_MASK, maskSecretSpecs } from './secrets.ts';
export type { HistoryRow } from './history-repo.ts';
export { RemoteReporter } from './remote.ts';
export {
  detectFormat,
  planEnvImport,
  toEnv,
  parseEnv,
  fromEnvValue,
  type InteropFormat,
  type InteropSignal,
  type ImportPlan,
  type ExportResult,
  type SignalChangeInput,
} from './interop.ts';
export { toFlagd, planFlagdImport, FLAGD_SCHEMA } from './flagd.ts';
