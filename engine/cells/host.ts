/** The cell host: every running cell of the organism; spawn, scale, remove, crash, collect. */
import type { CellStats, EdgeStats, ReplicaStats } from '../api/schema.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Bus } from '../bus/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { CellSpec } from '../organism/index.ts';
import { Cell, type CellEnv } from './cell.ts';
import type { CellInterceptor } from './interceptor.ts';

/** One interval of cell-side metrics. */
export interface CellsSnapshot {
  cells: CellStats[];
  replicas: ReplicaStats[];
  edges: EdgeStats[];
}

/** Hosts the organism's mock cells. */
export class CellHost {
  readonly #bus: Bus;
  readonly #env: Omit<CellEnv, 'interceptors'>;
  readonly interceptors = new Set<CellInterceptor>();
  readonly #cells = new Map<string, Cell>();
  readonly #pending = new Set<string>();
  #shared: Promise<NatsConnection> | undefined;

  constructor(bus: Bus, env: Omit<CellEnv, 'interceptors'>) {
    this.#bus = bus;
    this.#env = env;
  }

  get cells(): Cell[] {
    return [...this.#cells.values()];
  }

  get(name: string): Cell {
    const cell = this.#cells.get(name);
    if (!cell) throw new NotFoundError(`cell '${name}'`);
    return cell;
  }

  has(name: string): boolean {
    return this.#cells.has(name);
  }

  /** Starts a cell (already validated). Names are unique. */
  async spawn(spec: CellSpec): Promise<Cell> {
    if (this.#cells.has(spec.name) || this.#pending.has(spec.name)) throw new ConflictError(`cell '${spec.name}' already exists`);
    this.#pending.add(spec.name);
    try {
      // One connection for every hosted cell: they answer on their own subjects and queue groups
      // as separate services would, while their replies share one socket write per loop turn.
      this.#shared ??= this.#bus.connect('cells');
      const nc = await this.#shared;
      const cell = await Cell.create(spec, nc, { ...this.#env, interceptors: this.interceptors });
      this.#cells.set(spec.name, cell);
      return cell;
    } finally {
      this.#pending.delete(spec.name);
    }
  }

  scale(name: string, replicas: number, reason = 'api'): void {
    this.get(name).scale(replicas, reason);
  }

  async remove(name: string): Promise<void> {
    const cell = this.get(name);
    this.#cells.delete(name);
    await cell.remove();
  }

  /** Collects every cell's interval statistics. */
  collect(now: number, intervalMs: number, withHistograms = false): CellsSnapshot {
    const out: CellsSnapshot = { cells: [], replicas: [], edges: [] };
    for (const cell of this.#cells.values()) {
      const s = cell.collect(now, intervalMs, withHistograms);
      out.cells.push(s.cell);
      out.replicas.push(...s.replicas);
      out.edges.push(...s.edges);
    }
    return out;
  }

  async stop(): Promise<void> {
    const cells = [...this.#cells.values()];
    this.#cells.clear();
    await Promise.all(cells.map((c) => c.remove()));
    const nc = await this.#shared;
    await nc?.drain().catch(() => {});
  }
}
