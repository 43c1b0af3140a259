/** Classifies failures of NATS request/reply so callers can map them to HTTP semantics. */

/** Why a request got no reply. */
export type RequestFailure = 'timeout' | 'no-responders' | 'disconnected' | 'error';

/** Maps a nats.js request error to a {@link RequestFailure} (by name: works across realms). */
export function classifyRequestError(err: unknown): RequestFailure {
  const e = err as { name?: string; cause?: { name?: string }; isNoResponders?: () => boolean } | undefined;
  if (!e) return 'error';
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timeout';
  if (e.name === 'NoResponders' || e.cause?.name === 'NoResponders' || e.isNoResponders?.()) return 'no-responders';
  if (['ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError'].includes(e.name ?? '')) return 'disconnected';
  return 'error';
}
