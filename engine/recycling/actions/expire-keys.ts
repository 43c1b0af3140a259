/**
 * expire-keys: Petri's own key expiry, since nats-server 2.9 ignores per-key TTLs.
 *
 * 1. Signals declared with `ttl`: a value older than its TTL lapses back to the value the
 *    organism declared, written through the SignalStore by author `engine`, so watchers and the
 *    history see an ordinary change. (Deleting the key instead would leave every watcher on the
 *    lapsed value: a delete carries no value to apply.) The expiry is the stored value's `exp`
 *    when a writer put one there, else its write time `at` plus the TTL; values written by
 *    other tools carry no `at`, so the KV entry's own timestamp stands in.
 * 2. Tombstones: keys whose latest entry is a delete marker older than `olderThan` (default
 *    30 min, as NATS's `purgeDeletes`) are purged from the bucket's stream entirely; younger
 *    markers stay, but the history behind them goes. (nats.js's own `purgeDeletes` walks every
 *    historical marker, so it would also purge a key deleted once and written again since.)
 */
import { SIGNALS_BUCKET } from '../../bus/index.ts';
import { decodeSignal } from '../../signals/index.ts';
import type { ActionContext, ActionResult, RecyclingAction } from '../types.ts';

const TOMBSTONE_AGE_MS = 30 * 60_000;

/** When a stored value expires (engine ms), given its TTL. Pure. */
export function expiryOf(stored: { at: number; exp?: unknown }, createdMs: number, ttlMs: number): number {
  if (typeof stored.exp === 'number') return stored.exp;
  return (stored.at > 0 ? stored.at : createdMs) + ttlMs;
}

async function expireSignals(ctx: ActionContext): Promise<Array<{ key: string; expiredAt: number }>> {
  const { signals, bus } = ctx.host;
  const expired: Array<{ key: string; expiredAt: number }> = [];
  for (const state of signals.list()) {
    const ttl = state.spec.ttlMs;
    if (!ttl || ctx.signal.aborted) continue;
    const entry = await bus.signalsKv.get(state.spec.key);
    if (!entry || entry.operation !== 'PUT') continue;
    const stored = decodeSignal(entry.value);
    if (!stored) continue;
    const at = expiryOf(stored, entry.created.getTime(), ttl);
    if (at > ctx.now || JSON.stringify(stored.v) === JSON.stringify(state.spec.value)) continue;
    await signals.set(state.spec.key, state.spec.value, 'engine');
    expired.push({ key: state.spec.key, expiredAt: at });
  }
  return expired;
}

const STREAM = `KV_${SIGNALS_BUCKET}`;
const SUBJECT_PREFIX = `$KV.${SIGNALS_BUCKET}.`;

async function streamBytes(ctx: ActionContext): Promise<number> {
  return (await ctx.host.bus.jsm.streams.info(STREAM)).state.bytes;
}

/** Purges deleted keys' markers and history; returns keys dropped and messages purged. */
async function purgeTombstones(ctx: ActionContext, olderThanMs: number): Promise<{ keys: string[]; messages: number }> {
  const { jsm, signalsKv } = ctx.host.bus;
  const info = await jsm.streams.info(STREAM, { subjects_filter: '>' });
  const keys: string[] = [];
  let messages = 0;
  for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
    if (ctx.signal.aborted) break;
    const key = subject.slice(SUBJECT_PREFIX.length);
    const entry = await signalsKv.get(key);
    if (!entry || entry.operation === 'PUT') continue;
    const old = ctx.wallNow - entry.created.getTime() >= olderThanMs; // markers carry server (wall) time
    if (!old && count <= 1) continue;
    const r = await jsm.streams.purge(STREAM, { filter: subject, keep: old ? 0 : 1 });
    messages += r.purged;
    if (old) keys.push(key);
  }
  return { keys, messages };
}

/** The `expire-keys` action (see the comment at the top of this file). */
export const expireKeys: RecyclingAction = {
  name: 'expire-keys',
  summary: 'lapses signals past their ttl and purges delete markers older than olderThan',
  knobs: { olderThan: { default: TOMBSTONE_AGE_MS, description: 'delete markers older than this are purged' } },
  async run(ctx): Promise<ActionResult> {
    const bytesBefore = await streamBytes(ctx);
    const expired = await expireSignals(ctx);
    const olderThan = ctx.knobs.olderThanMs ?? TOMBSTONE_AGE_MS;
    const tombstones = await purgeTombstones(ctx, olderThan);
    const bytes = Math.max(0, bytesBefore - (await streamBytes(ctx)));
    return {
      rows: expired.length + tombstones.messages,
      bytes,
      details: {
        expired,
        tombstoneKeys: tombstones.keys,
        tombstoneMessagesPurged: tombstones.messages,
        tombstoneAgeMs: olderThan,
      },
    };
  },
};
