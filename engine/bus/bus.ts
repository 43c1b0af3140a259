/**
 * The engine's NATS connections and JetStream/KV set-up. Domains receive connections through
 * {@link Bus.connect} (the gateway has its own; the cells this engine hosts share one, which
 * keeps one socket write per loop turn for all of them) and never spell server addresses or
 * reconnect settings themselves. Every connection coalesces its writes ({@link coalesceWrites}).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { DependencyError, drop } from '../errors.ts';
import type { Logger } from '../log.ts';
import { EVENTS_STREAM, EVENTS_SUBJECTS, SIGNALS_BUCKET } from './subjects.ts';
import { coalesceWrites } from './coalesce.ts';

/** Connection options shared by every Petri client: reconnect forever, quickly. */
export function connectionOptions(servers: string | string[], name: string): Parameters<typeof connect>[0] {
  return {
    servers,
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 50,
    pingInterval: 2000,
    maxPingOut: 3,
    waitOnFirstConnect: true,
    timeout: 5000,
  };
}

/** Ensures the events stream exists with Petri's settings. */
export async function ensureEventsStream(jsm: JetStreamManager): Promise<void> {
  const config = {
    name: EVENTS_STREAM,
    subjects: [EVENTS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_bytes: 2 * 1024 * 1024 * 1024,
    duplicate_window: 120_000_000_000, // 2 min in ns: republished events after a lost ack are deduplicated
  };
  try {
    await jsm.streams.info(EVENTS_STREAM);
  } catch {
    await jsm.streams.add(config);
  }
}

/** A connected bus: the engine's main connection, JetStream manager and the signals KV. */
export class Bus {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly signalsKv: KV;
  readonly servers: string[];
  readonly #logger: Logger;
  /** Connections handed out by {@link connect}: closed with the bus so none outlives it. */
  readonly #children = new Set<NatsConnection>();

  private constructor(nc: NatsConnection, jsm: JetStreamManager, kv: KV, servers: string[], logger: Logger) {
    this.nc = nc;
    this.jsm = jsm;
    this.signalsKv = kv;
    this.servers = servers;
    this.#logger = logger;
  }

  /** Connects, creates the stream `PETRI_EVENTS` and the signals KV bucket. */
  static async open(servers: string[], logger: Logger): Promise<Bus> {
    let nc: NatsConnection;
    try {
      nc = await connect(connectionOptions(servers, 'petri-engine'));
      coalesceWrites(nc);
    } catch (err) {
      throw new DependencyError(`cannot connect to NATS at ${servers.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
    const jsm = await jetstreamManager(nc);
    await ensureEventsStream(jsm);
    const kv = await new Kvm(nc).create(SIGNALS_BUCKET, { history: 64, storage: StorageType.File });
    const bus = new Bus(nc, jsm, kv, servers, logger);
    bus.#watchStatus();
    return bus;
  }

  /** A new connection for a component (the cells, the gateway), with the same reconnect policy. */
  async connect(name: string): Promise<NatsConnection> {
    const nc = await connect(connectionOptions(this.servers, name));
    coalesceWrites(nc);
    this.#children.add(nc);
    void nc.closed().then(() => this.#children.delete(nc));
    return nc;
  }

  /** Closes every connection handed out, then the engine's own. */
  async close(): Promise<void> {
    await Promise.all([...this.#children].map((nc) => nc.drain().catch(() => nc.close())));
    await this.nc.drain().catch(() => this.nc.close());
  }

  #watchStatus(): void {
    const loop = async (): Promise<void> => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') this.#logger.info(`nats ${s.type}`, { server: s.server });
      }
    };
    drop(loop());
  }
}
