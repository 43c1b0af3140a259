/** The request/reply messages exchanged between the gateway and cells over NATS. */

/** A request to a cell operation. */
export interface CellRequest {
  method: string;
  path: string;
  route?: string;
  params: Record<string, string>;
  query: string;
  /** Client identity as the gateway saw it (remote address). */
  client: string;
  body?: unknown;
  /** Engine time (ms) after which the caller has given up. */
  deadline: number;
  /** Call depth: 0 from the gateway. */
  hops: number;
  /** The calling cell, when a cell calls another. */
  from?: string;
}

/** A cell's answer. `status` follows HTTP semantics. */
export interface CellReply {
  status: number;
  body?: unknown;
  cell: string;
  replica: string;
  error?: string;
  /** Milliseconds the answer spent in the cell: from arriving at the replica to its reply. */
  ms?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(value: CellRequest | CellReply): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decode<T extends CellRequest | CellReply>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
