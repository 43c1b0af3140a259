/**
 * Rate limits per client and per route (GCRA): 429 with `Retry-After`. The per-client rate is a
 * live signal (`immune.rateLimit.perClient.rps`; null disables it).
 */
import type { GatewayLayer, GatewayRequest, LayerDecision } from '../../gateway/index.ts';
import type { DecisionSink } from '../types.ts';
import { Gcra } from './gcra.ts';

/** Limits in force. */
export interface RateLimits {
  perClient: { rps: number; burst: number } | null;
  perRoute: { rps: number; burst: number } | null;
}

/** The rate-limiting layer. */
export class RateLimitLayer implements GatewayLayer {
  readonly name = 'rate-limit';
  #client: Gcra | undefined;
  #route: Gcra | undefined;
  readonly #sink: DecisionSink;
  #sweepAt = 0;

  constructor(limits: RateLimits, sink: DecisionSink) {
    this.#sink = sink;
    this.configure(limits);
  }

  /** Changes limits live (signals). */
  configure(limits: RateLimits): void {
    this.#client = limits.perClient ? this.#update(this.#client, limits.perClient) : undefined;
    this.#route = limits.perRoute ? this.#update(this.#route, limits.perRoute) : undefined;
  }

  /** A stricter limiter for clients on probation (remembered offenders): burst 1 at the same rate. */
  probation(req: GatewayRequest, probationGcra: Gcra): LayerDecision | undefined {
    const r = probationGcra.take(req.client, req.now);
    return r.allowed ? undefined : this.#refuse(req, 'client (probation)', r.retryAfterMs, probationGcra.rps);
  }

  get perClientRps(): number | undefined {
    return this.#client?.rps;
  }

  inspect(req: GatewayRequest): LayerDecision | undefined {
    if (req.now > this.#sweepAt) {
      this.#client?.sweep(req.now);
      this.#route?.sweep(req.now);
      this.#sweepAt = req.now + 10_000;
    }
    if (this.#client) {
      const r = this.#client.take(req.client, req.now);
      if (!r.allowed) return this.#refuse(req, 'client', r.retryAfterMs, this.#client.rps);
    }
    if (this.#route && req.pathway) {
      const r = this.#route.take(req.pathway.route, req.now);
      if (!r.allowed) return this.#refuse(req, 'route', r.retryAfterMs, this.#route.rps);
    }
    return undefined;
  }

  #update(g: Gcra | undefined, l: { rps: number; burst: number }): Gcra {
    if (!g) return new Gcra(l.rps, l.burst);
    g.configure(l.rps, l.burst);
    return g;
  }

  #refuse(req: GatewayRequest, scope: string, retryAfterMs: number, rps: number): LayerDecision {
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.#sink({
      at: req.now,
      client: req.client,
      route: req.pathway?.route,
      layer: this.name,
      action: 'throttle',
      kind: 'rate-abuse',
      reason: `${scope} rate limit (${+rps.toFixed(2)}/s) exceeded`,
      evidence: { scope, limitRps: rps, retryAfterMs: Math.round(retryAfterMs) },
    });
    return {
      status: 429,
      layer: this.name,
      reason: `Too Many Requests: ${scope} rate limit exceeded`,
      headers: { 'retry-after': String(retryAfter) },
      blocked: true,
    };
  }
}
