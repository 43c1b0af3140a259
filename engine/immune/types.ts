/** Shared shapes of the immune system: decisions, incident kinds, actions. */

/** The incident kinds of DESIGN.md. */
export type IncidentKind = 'rate-abuse' | 'injection' | 'credential-abuse' | 'anomaly';

/** What the immune system does about a client. */
export type Action = 'throttle' | 'block' | 'quarantine' | 'alert';

/** One decision about one client's request (or behaviour), with the inputs that led to it. */
export interface Decision {
  at: number;
  client: string;
  route?: string;
  /** The layer that decided: quarantine, auth, rate-limit, waf, anomaly, connections, credentials. */
  layer: string;
  action: Action;
  kind?: IncidentKind;
  reason: string;
  evidence: Record<string, unknown>;
  /** The traffic stream tag of the request, recorded for evaluation only (never decided on). */
  stream?: string;
}

/** Receives decisions. */
export type DecisionSink = (d: Decision) => void;
