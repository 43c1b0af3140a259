/**
 * Extension points through which faults act on cells without cells knowing about faults. The
 * fault runner registers interceptors; cells consult them on every request and downstream call.
 */
import type { Replica } from './replica.ts';

/** Context of a request arriving at a replica. */
export interface RequestContext {
  cell: string;
  op: string;
  replica: Replica;
  client: string;
  route?: string;
}

/** What an interceptor wants done to a request. Effects from several interceptors combine. */
export interface RequestEffect {
  /** Extra latency in ms. */
  addMs?: number;
  /** Answer with this status instead of doing the work. */
  failStatus?: number;
  /** Do not answer until this settles (the fault ends) or the replica dies; then drop the request. */
  hang?: Promise<void>;
}

/** Hooks a fault can implement. */
export interface CellInterceptor {
  onRequest?(ctx: RequestContext): RequestEffect | undefined;
  /** Called before `from` calls `to`; 'drop' loses the message (the caller times out). */
  onCall?(from: string, to: string, op: string): 'drop' | undefined;
}
