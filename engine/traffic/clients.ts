/**
 * Client populations: each client of a stream gets its own loopback source address in
 * 127.0.0.0/8, so the gateway sees real, distinct clients (the kernel routes all of 127/8 to
 * loopback; binding a socket to 127.a.b.c needs no setup on Linux). Streams get disjoint blocks.
 */

/** Addresses per block: 127.<block>.x.y with x and y from 1 to 254. */
export const BLOCK_SIZE = 254 * 254;

/**
 * The source address of client `index` of the stream in address block `block` (1–254).
 * 127.0.0.0/16 is left to the engine itself (127.0.0.1).
 */
export function clientAddress(block: number, index: number): string {
  if (block < 1 || block > 254) throw new RangeError(`address block must be 1–254, got ${block}`);
  const n = index % BLOCK_SIZE;
  return `127.${block}.${1 + Math.floor(n / 254)}.${1 + (n % 254)}`;
}

/**
 * Hands out address blocks to streams in order of their start, so a run's addresses are stable.
 * Blocks are not reused until all 254 have been handed out: a later stream must not inherit the
 * addresses (and the immune system's memory of them) of an earlier attack.
 */
export class AddressBlocks {
  readonly #used = new Map<string, number>();
  /** Every block ever handed out, by stream name (a returning client population reuses it). */
  readonly #history = new Map<string, number>();
  #next = 1;

  /**
   * The block of a stream (the same name keeps its block while it lives). With `like`, the stream
   * reuses the block of that earlier stream: the same clients, returning.
   */
  take(stream: string, like?: string): number {
    const have = this.#used.get(stream);
    if (have !== undefined) return have;
    const taken = new Set(this.#used.values());
    if (like !== undefined) {
      const block = this.#history.get(like);
      if (block === undefined) throw new RangeError(`no earlier stream named '${like}'`);
      if (taken.has(block)) throw new RangeError(`the clients of '${like}' are still sending`);
      this.#used.set(stream, block);
      this.#history.set(stream, block);
      return block;
    }
    for (let i = 0; i < 254; i++) {
      const b = ((this.#next - 1 + i) % 254) + 1;
      if (taken.has(b)) continue;
      this.#used.set(stream, b);
      this.#history.set(stream, b);
      this.#next = (b % 254) + 1;
      return b;
    }
    throw new RangeError('no free address block: at most 254 streams at once');
  }

  release(stream: string): void {
    this.#used.delete(stream);
  }
}
