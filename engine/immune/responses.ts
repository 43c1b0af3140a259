/**
 * Responses: what the immune system does about decisions — throttle (the rate limiter's 429s),
 * block, quarantine for a duration, or alert only — with escalation (a client that keeps tripping
 * limits, WAF rules or logins is quarantined) and memory (a remembered offender is on probation:
 * its first offence quarantines it). Decisions are reported as events aggregated per client and
 * second, so a flood of refusals does not become a flood of events.
 */
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { ImmuneSpec } from '../organism/index.ts';
import type { IncidentTracker } from './incidents.ts';
import type { ImmuneMemory } from './memory.ts';
import type { Quarantines } from './quarantine.ts';
import type { Action, Decision, IncidentKind } from './types.ts';

/** Offences within 10 s that escalate to quarantine, per kind (rate-abuse comes from the manifest). */
const ESCALATE: Record<Exclude<IncidentKind, 'rate-abuse'>, number> = { injection: 3, 'credential-abuse': 10, anomaly: 1 };
const WINDOW_MS = 10_000;

interface Tally {
  count: number;
  first: Decision;
  stream: Set<string>;
}

/** Applies responses to decisions. */
export class ResponseEngine {
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #quarantines: Quarantines;
  readonly #incidents: IncidentTracker;
  readonly #memory: ImmuneMemory;
  #spec: ImmuneSpec;
  readonly #offences = new Map<string, number[]>();
  #tallies = new Map<string, Tally>();
  readonly #timer: { cancel(): void };
  /** Fingerprints by client, as the recognition step computed them. */
  readonly fingerprints = new Map<string, string>();
  /** Clients on probation (remembered offenders). */
  readonly probation = new Set<string>();

  constructor(o: {
    clock: Clock;
    events: EventSink;
    quarantines: Quarantines;
    incidents: IncidentTracker;
    memory: ImmuneMemory;
    spec: ImmuneSpec;
  }) {
    this.#clock = o.clock;
    this.#events = o.events;
    this.#quarantines = o.quarantines;
    this.#incidents = o.incidents;
    this.#memory = o.memory;
    this.#spec = o.spec;
    this.#timer = o.clock.setInterval(() => this.flush(), 1000);
  }

  set spec(spec: ImmuneSpec) {
    this.#spec = spec;
  }

  /** Takes one decision: tally it for events, feed incidents, escalate. */
  readonly handle = (d: Decision): void => {
    // The anomaly layer reports its decisions as `immune.anomaly-detected` itself (once per client,
    // with the model's evidence), not as per-second refusal tallies: it refuses nothing.
    if (d.layer !== 'anomaly') this.#tally(d);
    if (!d.kind) return;
    const onProbation = this.probation.has(d.client);
    // One detection by the anomaly layer is evidence enough to open (or join) an incident.
    this.#incidents.record(d, d.kind, onProbation || d.layer === 'anomaly');
    const action = this.#escalation(d, d.kind, onProbation);
    if (action === 'quarantine') this.#quarantine(d, d.kind);
    // Throttling an anomalous client: probation holds it to the per-client rate (1 request of
    // burst), and its next offence of any kind quarantines it.
    if (action === 'throttle') this.probation.add(d.client);
  };

  /** Emits the tallied decisions of the last second as `immune.throttled` / `immune.blocked`. */
  flush(): void {
    const tallies = this.#tallies;
    this.#tallies = new Map();
    for (const t of tallies.values()) {
      const d = t.first;
      const type = d.action === 'throttle' ? 'immune.throttled' : 'immune.blocked';
      this.#events.emit(type, {
        client: d.client,
        layer: d.layer,
        action: d.action,
        kind: d.kind ?? null,
        reason: d.reason,
        route: d.route ?? null,
        count: t.count,
        evidence: d.evidence,
        probation: this.probation.has(d.client),
      });
    }
    const cutoff = this.#clock.now() - WINDOW_MS;
    for (const [k, times] of this.#offences) if (!times.length || times[times.length - 1]! < cutoff) this.#offences.delete(k);
  }

  stop(): void {
    this.#timer.cancel();
    this.flush();
  }

  #tally(d: Decision): void {
    const key = `${d.client}|${d.layer}|${d.action}`;
    const t = this.#tallies.get(key);
    if (t) t.count++;
    else this.#tallies.set(key, { count: 1, first: d, stream: new Set() });
  }

  /** What the decision escalates to: quarantine once a client's offences cross the bar. */
  #escalation(d: Decision, kind: IncidentKind, onProbation: boolean): Action | undefined {
    if (this.#quarantines.has(d.client) || d.layer === 'quarantine') return undefined;
    // The anomaly layer's detections carry the manifest's action (whatever kind they are named).
    if (d.layer === 'anomaly') {
      const action = this.#spec.anomaly?.action ?? 'quarantine';
      return action === 'block' ? 'quarantine' : action;
    }
    if (d.action === 'alert' && kind !== 'credential-abuse') return 'alert';
    const key = `${kind}|${d.client}`;
    const times = (this.#offences.get(key) ?? []).filter((t) => t > d.at - WINDOW_MS);
    times.push(d.at);
    this.#offences.set(key, times);
    const bar = onProbation ? 1 : kind === 'rate-abuse' ? this.#spec.rateLimit.escalateAfter : ESCALATE[kind];
    return times.length >= bar ? 'quarantine' : undefined;
  }

  #quarantine(d: Decision, kind: IncidentKind): void {
    const fp = this.fingerprints.get(d.client) ?? d.client;
    const anomaly = d.layer === 'anomaly' ? this.#spec.anomaly : null;
    const forMs = anomaly?.action === 'block' ? Math.min(60_000, anomaly.forMs) : (anomaly?.forMs ?? this.#spec.quarantineForMs);
    const memory = this.#memory.remember(fp, d.client, kind, d.at);
    this.#quarantines.quarantine(
      d.client,
      fp,
      kind,
      `${d.reason}${this.probation.has(d.client) ? ' (remembered offender)' : ''}`,
      forMs,
    );
    this.#events.emit('immune.blocked', {
      client: d.client,
      layer: 'responses',
      action: 'quarantine',
      kind,
      reason: `escalated: ${d.reason}`,
      count: 1,
      evidence: { ...d.evidence, remembered: memory.times > 1, times: memory.times },
    });
  }
}
