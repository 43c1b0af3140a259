/**
 * The immune system: a defence chain in front of every pathway — recognition (immune memory),
 * quarantine, authentication, rate limits, the WAF — plus observers (failed logins, the anomaly
 * model), responses with escalation, incidents and memory. Each decision is an event with the
 * inputs that led to it.
 */
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Gateway, GatewayLayer, GatewayRequest, LayerDecision } from '../gateway/index.ts';
import type { Logger } from '../log.ts';
import type { ImmuneSpec } from '../organism/index.ts';
import type { Db } from '../store/index.ts';
import { AnomalyDetector, DEFAULT_ANOMALY_THRESHOLD, type AnomalyEvidence } from './anomaly/index.ts';
import { AuthLayer, type AuthDecision } from './auth/layer.ts';
import { Issuer } from './auth/issuer.ts';
import { IncidentTracker } from './incidents.ts';
import { ImmuneMemory } from './memory.ts';
import { Quarantines } from './quarantine.ts';
import { Gcra } from './ratelimit/gcra.ts';
import { RateLimitLayer } from './ratelimit/layer.ts';
import { ResponseEngine } from './responses.ts';
import type { Decision, DecisionSink, IncidentKind } from './types.ts';
import { WafLayer, type WafDecision } from './waf/index.ts';
import { tokenEndpoint } from './auth/endpoints.ts';

/** A layer that reports its refusals as decisions. */
function reporting(
  layer: GatewayLayer,
  sink: DecisionSink,
  describe: (req: GatewayRequest, d: LayerDecision) => Decision,
): GatewayLayer {
  return {
    name: layer.name,
    inspect(req) {
      const d = layer.inspect(req);
      if (d) sink(describe(req, d));
      return d;
    },
  };
}

/** Options of {@link ImmuneSystem.create}. */
export interface ImmuneOptions {
  spec: ImmuneSpec;
  gateway: Gateway;
  clock: Clock;
  events: EventSink;
  db: Db;
  logger: Logger;
  runId: () => number;
  /** The anomaly model file (default models/anomaly.onnx); only loaded when the spec has `anomaly`. */
  anomalyModel?: string;
}

/** A client already reported by the anomaly layer is reported again at most this often (alert mode). */
const ANOMALY_REPEAT_MS = 10_000;

/** The assembled immune system of one engine. */
export class ImmuneSystem {
  readonly issuer: Issuer;
  readonly quarantines: Quarantines;
  readonly incidents: IncidentTracker;
  readonly memory: ImmuneMemory;
  readonly responses: ResponseEngine;
  readonly rateLimit: RateLimitLayer;
  readonly waf: WafLayer;
  /** The anomaly layer; present when the organism's immune section has `anomaly`. */
  anomaly: AnomalyDetector | undefined;
  #anomalyThreshold: number;
  readonly #anomalyReported = new Map<string, number>();
  readonly #events: EventSink;
  readonly #probationLimiter: Gcra;
  readonly #clock: Clock;
  readonly #spec: ImmuneSpec;

  private constructor(o: ImmuneOptions, issuer: Issuer) {
    this.#clock = o.clock;
    this.#spec = o.spec;
    this.#events = o.events;
    this.#anomalyThreshold = o.spec.anomaly?.threshold ?? DEFAULT_ANOMALY_THRESHOLD;
    this.issuer = issuer;
    this.quarantines = new Quarantines(o.clock, o.events, o.db, o.runId);
    this.incidents = new IncidentTracker(o.clock, o.events, o.db, o.runId);
    this.memory = new ImmuneMemory(o.db);
    this.responses = new ResponseEngine({
      clock: o.clock,
      events: o.events,
      quarantines: this.quarantines,
      incidents: this.incidents,
      memory: this.memory,
      spec: o.spec,
    });
    this.quarantines.sink = this.responses.handle;
    this.rateLimit = new RateLimitLayer(o.spec.rateLimit, this.responses.handle);
    const perClient = o.spec.rateLimit.perClient;
    this.#probationLimiter = new Gcra(perClient?.rps ?? 10, 1);
    this.waf = new WafLayer(o.spec.waf);
  }

  /** Builds the chain and installs it in the gateway. */
  static async create(o: ImmuneOptions): Promise<ImmuneSystem> {
    const issuer = await Issuer.create(o.spec.auth.issuer ?? o.gateway.url, o.spec.auth.audience ?? 'petri-gateway');
    const immune = new ImmuneSystem(o, issuer);
    if (o.spec.anomaly) immune.anomaly = await immune.#anomalyLayer(o.anomalyModel);
    immune.#install(o.gateway);
    immune.anomaly?.start();
    return immune;
  }

  /** The `immune.anomaly.threshold` signal: read by the next scoring round (live). */
  setAnomalyThreshold(threshold: number): void {
    this.#anomalyThreshold = threshold;
  }

  get anomalyThreshold(): number {
    return this.#anomalyThreshold;
  }

  async #anomalyLayer(model: string | undefined): Promise<AnomalyDetector> {
    return AnomalyDetector.create({
      clock: this.#clock,
      model,
      threshold: () => this.#anomalyThreshold,
      onScore: (client, score, evidence, at) => this.#onAnomaly(client, score, evidence, at),
    });
  }

  /**
   * A client the model flagged (sustained): an `immune.anomaly-detected` event with the evidence,
   * then the response engine (incident, and the manifest's action). A quarantined client keeps
   * scoring high on its 403s: it is not reported again; nor is any client more than every 10 s.
   */
  #onAnomaly(client: string, score: number, evidence: AnomalyEvidence, at: number): void {
    if (this.quarantines.has(client)) return;
    const last = this.#anomalyReported.get(client);
    if (last !== undefined && at - last < ANOMALY_REPEAT_MS) return;
    this.#anomalyReported.set(client, at);
    if (this.#anomalyReported.size > 10_000)
      for (const [c, t] of this.#anomalyReported) if (at - t >= ANOMALY_REPEAT_MS) this.#anomalyReported.delete(c);
    const action = this.#spec.anomaly?.action ?? 'quarantine';
    const top = evidence.top.map((c) => ({
      feature: c.feature,
      raw: round3(c.raw),
      unit: c.unit,
      contribution: round3(c.contribution),
    }));
    const because = top
      .slice(0, 3)
      .map((c) => `${c.feature} ${c.raw} ${c.unit}`)
      .join(', ');
    const detail = { score: round3(score), threshold: evidence.threshold, sustainedMs: evidence.sustainedMs, top };
    this.#events.emit('immune.anomaly-detected', { client, route: evidence.route || null, action, ...detail });
    this.responses.handle({
      at,
      client,
      route: evidence.route || undefined,
      layer: 'anomaly',
      action,
      kind: anomalyKind(top[0]?.feature),
      reason: `anomaly score ${detail.score} ≥ ${evidence.threshold} (${because})`,
      evidence: detail,
    });
  }

  /** Applies a new per-client rate (the `immune.rateLimit.perClient.rps` signal; null disables). */
  setPerClientRps(rps: number | null, burst?: number): void {
    const current = this.rateLimit.perClientRps;
    const b = burst ?? Math.max(1, Math.ceil((rps ?? current ?? 10) * 2));
    this.rateLimit.configure({ perClient: rps === null ? null : { rps, burst: b }, perRoute: null });
    if (rps !== null) this.#probationLimiter.configure(rps, 1);
  }

  /** Stops the timers and releases the anomaly model. */
  async stop(): Promise<void> {
    this.responses.stop();
    this.incidents.stop();
    await this.anomaly?.close();
  }

  #gateway: Gateway | undefined;
  #layers: GatewayLayer[] = [];
  #enabled = true;

  /** Whether the chain is in front of the pathways. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * Takes the whole chain out of the gateway, or puts it back — "switch the immune system off and
   * watch" in a workshop, and the baseline of the chain's cost in the bench.
   */
  setEnabled(on: boolean): void {
    const gw = this.#gateway;
    if (!gw || on === this.#enabled) return;
    this.#enabled = on;
    if (on) gw.layers.unshift(...this.#layers);
    else for (const l of this.#layers) gw.layers.splice(gw.layers.indexOf(l), 1);
  }

  #install(gateway: Gateway): void {
    this.#gateway = gateway;
    const sink = this.responses.handle;
    const recognise: GatewayLayer = {
      name: 'memory',
      inspect: (req) => {
        const fp = this.memory.fingerprintOf(req.client, req.headers);
        this.responses.fingerprints.set(req.client, fp);
        if (this.memory.recall(fp)) this.responses.probation.add(req.client);
        return undefined;
      },
    };
    const probation: GatewayLayer = {
      name: 'probation',
      inspect: (req) =>
        this.responses.probation.has(req.client) ? this.rateLimit.probation(req, this.#probationLimiter) : undefined,
    };
    const auth = reporting(new AuthLayer(this.issuer), sink, (req, d) => ({
      at: req.now,
      client: req.client,
      route: req.pathway?.route,
      layer: 'auth',
      action: 'block',
      kind: 'credential-abuse',
      reason: d.reason,
      evidence: (d as AuthDecision).evidence as unknown as Record<string, unknown>,
    }));
    const waf = reporting(this.waf, sink, (req, d) => ({
      at: req.now,
      client: req.client,
      route: req.pathway?.route,
      layer: 'waf',
      action: 'block',
      kind: 'injection',
      reason: d.reason,
      evidence: (d as WafDecision).evidence as unknown as Record<string, unknown>,
    }));
    const credentials: GatewayLayer = {
      name: 'credentials',
      inspect: () => undefined,
      observe: (req, status) => {
        if (!req.pathway?.login || (status !== 401 && status !== 403) || req.notes.refusedBy) return;
        sink({
          at: req.now,
          client: req.client,
          route: req.pathway.route,
          layer: 'credentials',
          action: 'alert',
          kind: 'credential-abuse',
          reason: `failed login (${status})`,
          evidence: { status },
        });
      },
    };
    // The anomaly layer goes last: it only watches, and it sees every outcome, refusals included.
    this.#layers = [recognise, this.quarantines, probation, auth, this.rateLimit, waf, credentials];
    if (this.anomaly) this.#layers.push(this.anomaly);
    gateway.layers.unshift(...this.#layers);
    const max = this.#spec.connectionsPerClient;
    if (max !== null)
      gateway.connectionGuard = (client, open, now) => {
        if (open <= max) return true;
        sink({
          at: now,
          client,
          layer: 'connections',
          action: 'block',
          kind: 'rate-abuse',
          reason: `more than ${max} open connections`,
          evidence: { open, max },
        });
        return false;
      };
    for (const [key, handler] of tokenEndpoint(this.issuer)) gateway.endpoints.set(key, handler);
  }

  /** Quarantines whose time is up, for the recycling job. */
  expired(now = this.#clock.now()): Array<{ id: string; client: string; until: number }> {
    return this.quarantines.expired(now);
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * What an anomaly looks like, from the feature that pushed its score up most: a flood the model
 * catches before the rate limiter escalates is still rate abuse, forged or stuffed credentials are
 * credential abuse, code-like payloads injection. Behaviour no other layer has a word for
 * (enumeration, a surge of new clients on a route, odd paths) stays `anomaly`.
 */
export function anomalyKind(feature: string | undefined): IncidentKind {
  switch (feature) {
    case 'rate':
    case 'arrivalCv':
      return 'rate-abuse';
    case 'authFailures':
    case 'authFailureRate':
    case 'credentialChurn':
      return 'credential-abuse';
    case 'metachars':
    case 'payloadEntropy':
    case 'payloadLength':
      return 'injection';
    default:
      return 'anomaly';
  }
}
