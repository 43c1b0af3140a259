/** Mock cells: replicas on NATS queue groups, latency and error models, resilient calls. */
export { CellHost, type CellsSnapshot } from './host.ts';
export { Cell, type CellEnv, type CallResult } from './cell.ts';
export { Replica, type ReplicaState } from './replica.ts';
export type { CellInterceptor, RequestContext, RequestEffect } from './interceptor.ts';
export { CircuitBreaker, type BreakerState } from './breaker.ts';
export { RetryBudget, backoffDelay } from './retry.ts';
export { fitLognormal, sampleLognormal, lognormalQuantile, Z99 } from './latency.ts';
export type { CellRequest, CellReply } from './protocol.ts';
