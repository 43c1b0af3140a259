/**
 * Attacks: labelled traffic streams of malicious requests (real HTTP to the gateway). Each kind
 * has sensible defaults for its client population and target; injection payloads come from the
 * project's corpus in fixtures/attacks/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventSink } from '../bus/index.ts';
import { ValidationError } from '../errors.ts';
import type { OrganismSpec, PathwaySpec } from '../organism/index.ts';
import { ms } from '../organism/index.ts';
import { routeIssue, type StreamInfo, type TrafficControl, type TrafficGenerator } from '../traffic/index.ts';

import { check } from '../util/validate.ts';
import { rootPath } from '../util/paths.ts';
import { AttackSpec, rateValue } from './schema.ts';

/** Default client populations: few for floods, many for distributed ones. */
const DEFAULT_CLIENTS: Record<AttackSpec['kind'], number> = {
  flood: 2,
  'distributed-flood': 200,
  'credential-stuffing': 20,
  injection: 4,
  scraping: 1,
  'forged-token': 4,
  slowloris: 50,
};

/** One payload of the injection corpus. */
export interface Payload {
  class: string;
  payload: string;
}

/** Loads the injection payloads of the corpus (every class file with a `payloads` string list). */
export function loadCorpus(dir = rootPath('fixtures', 'attacks'), classes?: string[]): Payload[] {
  const out: Payload[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { class?: string; payloads?: unknown };
    if (!doc.class || !Array.isArray(doc.payloads)) continue;
    if (classes && !classes.includes(doc.class)) continue;
    for (const p of doc.payloads) if (typeof p === 'string') out.push({ class: doc.class, payload: p });
  }
  return out;
}

/** A running attack. */
export interface AttackInfo extends StreamInfo {
  attack: AttackSpec['kind'];
}

/** Launches and stops attacks. */
export class AttackRunner {
  readonly #gen: TrafficGenerator;
  readonly #control: TrafficControl;
  readonly #events: EventSink;
  readonly #organism: () => OrganismSpec;
  readonly #pathways: () => readonly PathwaySpec[];
  readonly #running = new Map<string, AttackSpec['kind']>();
  #serial = 0;

  constructor(
    gen: TrafficGenerator,
    control: TrafficControl,
    events: EventSink,
    organism: () => OrganismSpec,
    pathways: () => readonly PathwaySpec[],
  ) {
    this.#gen = gen;
    this.#control = control;
    this.#events = events;
    this.#organism = organism;
    this.#pathways = pathways;
    gen.onEnded((name, sent) => {
      const kind = this.#running.get(name);
      if (!kind) return;
      this.#running.delete(name);
      control.markAttack(name, false);
      this.#events.emit('attack.stopped', { name, kind, sent });
    });
  }

  /** Validates and launches an attack. */
  start(body: unknown, seed?: number): AttackInfo {
    const issues = check(AttackSpec, body);
    if (issues.length) throw new ValidationError(issues);
    const spec = body as AttackSpec;
    const route = spec.route ?? this.#defaultRoute(spec.kind);
    const problem = routeIssue(route, this.#pathways());
    if (problem) throw new ValidationError([problem]);
    const name = spec.name ?? `${spec.kind}-${++this.#serial}`;
    if (this.#gen.has(name)) throw new ValidationError([{ path: 'name', message: `a stream named '${name}' is running` }]);
    const data = this.#data(spec);
    const info = this.#gen.start({
      name,
      kind: spec.kind,
      attack: name,
      route,
      rate: rateValue(spec.rate),
      clients: spec.clients ?? DEFAULT_CLIENTS[spec.kind],
      law: spec.kind === 'scraping' ? 'constant' : 'poisson',
      durationMs: spec.for ? ms(spec.for) : undefined,
      timeoutMs: spec.kind === 'slowloris' ? 120_000 : 10_000,
      data,
      ...(seed !== undefined ? { seed } : {}),
      ...(spec.sameClientsAs ? { sameClientsAs: spec.sameClientsAs } : {}),
    });
    this.#control.markAttack(name, true);
    this.#running.set(name, spec.kind);
    this.#events.emit('attack.started', {
      name,
      kind: spec.kind,
      route,
      rate: rateValue(spec.rate),
      clients: info.clients,
      addresses: info.addresses,
      for: spec.for ?? null,
    });
    return { ...info, attack: spec.kind };
  }

  stop(name: string): void {
    this.#gen.stop(name);
  }

  list(): AttackInfo[] {
    return this.#gen
      .list()
      .filter((s) => this.#running.has(s.name))
      .map((s) => ({ ...s, attack: this.#running.get(s.name)! }));
  }

  /** Kind of a running attack, if `name` is one. */
  kindOf(name: string): AttackSpec['kind'] | undefined {
    return this.#running.get(name);
  }

  #defaultRoute(kind: AttackSpec['kind']): string {
    const pathways = this.#pathways();
    if (kind === 'credential-stuffing') {
      const login = pathways.find((p) => p.login);
      if (!login)
        throw new ValidationError([
          { path: 'route', message: 'credential stuffing needs a route: none given and no pathway is marked login: true' },
        ]);
      return login.route;
    }
    if (kind === 'forged-token') {
      const jwt = pathways.find((p) => p.auth === 'jwt');
      if (jwt) return jwt.route;
    }
    const first = pathways.find((p) => p.method === 'GET') ?? pathways[0];
    if (!first) throw new ValidationError([{ path: 'route', message: 'the organism has no pathways to attack' }]);
    return first.route;
  }

  #data(spec: AttackSpec): Record<string, unknown> {
    if (spec.kind === 'injection') {
      const payloads = loadCorpus(undefined, spec.classes);
      if (!payloads.length)
        throw new ValidationError([
          { path: 'classes', message: `no payloads for classes ${JSON.stringify(spec.classes)} in fixtures/attacks` },
        ]);
      return { payloads };
    }
    if (spec.kind === 'forged-token') {
      const auth = this.#organism().immune.auth;
      return { issuer: auth.issuer, audience: auth.audience };
    }
    return {};
  }
}
