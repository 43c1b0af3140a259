/** Hormonal signals: typed values in NATS KV, watched live by cells and policies. */
export { SignalStore, maskValue, type SignalState } from './store.ts';
export { signalValueError, builtinSignals, allSignals, type SignalValue } from './types.ts';
export { encodeSignal, decodeSignal, type StoredSignal, type SignalAuthor } from './codec.ts';
