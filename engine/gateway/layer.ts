/**
 * The gateway's defence chain is a list of layers (the immune system plugs in here). A layer
 * inspects a request before it reaches a cell and may answer it instead; it also observes each
 * outcome, which behaviour-based layers learn from.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PathwaySpec } from '../organism/index.ts';

/** What a layer sees of a request. */
export interface GatewayRequest {
  method: string;
  /** Raw path as received (still URL-encoded). */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
  /** Remote address: the client identity. */
  client: string;
  pathway: PathwaySpec | undefined;
  params: Record<string, string>;
  body: Buffer | undefined;
  /** Engine time at arrival. */
  now: number;
  /** Scratch space layers share for one request (e.g. the authenticated subject). */
  notes: Record<string, unknown>;
}

/** A layer's refusal: the gateway answers with it and the request goes no further. */
export interface LayerDecision {
  status: number;
  layer: string;
  reason: string;
  headers?: Record<string, string>;
  /** Marks a refusal by the immune system (counted as `blocked`). */
  blocked?: boolean;
}

/** One layer of the chain. */
export interface GatewayLayer {
  readonly name: string;
  /** Refuses the request, or returns undefined to let it pass. */
  inspect(req: GatewayRequest): LayerDecision | undefined;
  /** Sees every finished request (status and latency), refused or not. */
  observe?(req: GatewayRequest, status: number, latencyMs: number): void;
}
