/**
 * Propagation reports across processes. A watcher outside the engine (a user's service with the
 * OpenFeature provider) announces itself on NATS and reports each change it applied, so the
 * engine's `signal.applied` counts it like a cell. Subjects: `petri.signals.{watching,applied,
 * stopped,hello}` (see SIGNAL_REPORTS in engine/bus).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { SIGNAL_REPORTS } from '../bus/index.ts';
import type { AppliedReport, KeyFilter } from './propagation.ts';

/** Announcement of a remote watcher. */
export interface WatchingMessage {
  id: string;
  filter: KeyFilter;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function send(nc: NatsConnection, what: string, body: unknown): void {
  if (!nc.isClosed()) nc.publish(`${SIGNAL_REPORTS}.${what}`, encoder.encode(JSON.stringify(body)));
}

/** The reporting side: announces a watcher, re-announces on the engine's hello, reports. */
export class RemoteReporter {
  readonly #nc: NatsConnection;
  readonly #me: WatchingMessage;
  readonly #hello: Subscription;

  constructor(nc: NatsConnection, me: WatchingMessage) {
    this.#nc = nc;
    this.#me = me;
    this.#hello = nc.subscribe(`${SIGNAL_REPORTS}.hello`, { callback: () => send(nc, 'watching', me) });
    send(nc, 'watching', me);
  }

  applied(report: AppliedReport): void {
    send(this.#nc, 'applied', report);
  }

  stop(): void {
    send(this.#nc, 'stopped', { id: this.#me.id });
    this.#hello.unsubscribe();
  }
}

/** What the engine does with remote reports. */
export interface RemoteSink {
  watching(msg: WatchingMessage): void;
  applied(report: AppliedReport): void;
  stopped(id: string): void;
}

/** The engine side: listens for remote watchers and asks those already running to announce. */
export function listenRemote(nc: NatsConnection, sink: RemoteSink): () => void {
  const sub = nc.subscribe(`${SIGNAL_REPORTS}.*`, {
    callback: (err, msg) => {
      if (err) return;
      let body: unknown;
      try {
        body = JSON.parse(decoder.decode(msg.data));
      } catch {
        return; // not ours
      }
      const b = body as Partial<WatchingMessage & AppliedReport>;
      const kind = msg.subject.slice(SIGNAL_REPORTS.length + 1);
      if (kind === 'watching' && typeof b.id === 'string' && b.filter !== undefined)
        sink.watching({ id: b.id, filter: b.filter });
      else if (
        kind === 'applied' &&
        typeof b.key === 'string' &&
        typeof b.revision === 'number' &&
        typeof b.subscriber === 'string'
      )
        sink.applied(b as AppliedReport);
      else if (kind === 'stopped' && typeof b.id === 'string') sink.stopped(b.id);
    },
  });
  send(nc, 'hello', {});
  return () => sub.unsubscribe();
}
