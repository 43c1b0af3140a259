/**
 * Starting, changing and stopping traffic streams from specs (API, CLI, scenarios): the whole spec
 * is validated — route against the organism's pathways, trace file readable — before anything
 * starts; each change is an event.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { EventSink } from '../bus/index.ts';
import { ValidationError, type Issue } from '../errors.ts';
import type { PathwaySpec } from '../organism/index.ts';
import { ms } from '../organism/index.ts';
import { check } from '../util/validate.ts';
import { rootPath } from '../util/paths.ts';
import { TrafficSpec, rateValue } from './schema.ts';
import { parseTraceCsv, type RateShape } from './arrivals.ts';
import type { StreamInfo, TrafficGenerator } from './generator.ts';
import { parseRoute } from './requests.ts';

/** Finds the pathway a stream's route addresses, or explains why there is none. */
export function routeIssue(route: string, pathways: readonly PathwaySpec[], path = 'route'): Issue | undefined {
  let parsed: { method: string; path: string };
  try {
    parsed = parseRoute(route);
  } catch (err) {
    return { path, message: (err as Error).message };
  }
  const known = pathways.some((p) => p.method === parsed.method && p.path === parsed.path);
  return known ? undefined : { path, message: `no pathway '${route}'; pathways: ${pathways.map((p) => p.route).join(', ')}` };
}

/** Traffic streams as the engine exposes them. */
export class TrafficControl {
  readonly #gen: TrafficGenerator;
  readonly #events: EventSink;
  readonly #pathways: () => readonly PathwaySpec[];

  /** Bearer tokens for streams to `auth: jwt` pathways (set by the engine from its issuer). */
  tokenFor: ((pathway: PathwaySpec) => string | undefined) | undefined;

  constructor(gen: TrafficGenerator, events: EventSink, pathways: () => readonly PathwaySpec[]) {
    this.#gen = gen;
    this.#events = events;
    this.#pathways = pathways;
    gen.onEnded((name, sent) => {
      if (!this.#attacks.has(name)) this.#events.emit('traffic.stopped', { name, sent });
    });
  }

  /** Names of streams that are attacks (their lifecycle events are the attack runner's). */
  readonly #attacks = new Set<string>();

  /** Marks a stream as an attack so its end is reported as `attack.stopped` by the attack runner. */
  markAttack(name: string, on: boolean): void {
    if (on) this.#attacks.add(name);
    else this.#attacks.delete(name);
  }

  /** Validates and starts a traffic stream. `baseDir` resolves a relative trace file. */
  start(body: unknown, baseDir = rootPath(), seed?: number): StreamInfo {
    const issues = check(TrafficSpec, body);
    if (issues.length) throw new ValidationError(issues);
    const spec = body as TrafficSpec;
    const routeProblem = routeIssue(spec.route, this.#pathways());
    if (routeProblem) throw new ValidationError([routeProblem]);
    if ([spec.ramp, spec.spike, spec.trace].filter(Boolean).length > 1)
      throw new ValidationError([{ path: '', message: 'use at most one of ramp, spike and trace' }]);
    const shape = this.#shape(spec, baseDir);
    const { method, path } = parseRoute(spec.route);
    const pathway = this.#pathways().find((p) => p.method === method && p.path === path)!;
    const token = pathway.auth === 'jwt' ? this.tokenFor?.(pathway) : undefined;
    const info = this.#gen.start({
      name: spec.name,
      kind: 'traffic',
      route: spec.route,
      rate: rateValue(spec.rate),
      clients: spec.clients ?? 10,
      law: spec.arrival ?? 'poisson',
      shape,
      durationMs: spec.for ? ms(spec.for) : undefined,
      timeoutMs: spec.timeout ? ms(spec.timeout) : undefined,
      data: { login: pathway.login, ...(token ? { token } : {}) },
      ...(seed !== undefined ? { seed } : {}),
    });
    this.#events.emit('traffic.started', { ...spec, addresses: info.addresses });
    return info;
  }

  /** Changes a stream's rate (0 pauses it). */
  setRate(name: string, rate: number | string): StreamInfo {
    const value = rateValue(rate);
    if (!(value >= 0) || !Number.isFinite(value)) throw new ValidationError([{ path: 'rate', message: 'must be a rate ≥ 0' }]);
    const info = this.#gen.setRate(name, value);
    this.#events.emit('traffic.changed', { name, rate: value });
    return info;
  }

  stop(name: string): void {
    this.#gen.stop(name);
  }

  list(): StreamInfo[] {
    return this.#gen.list();
  }

  #shape(spec: TrafficSpec, baseDir: string): RateShape {
    if (spec.ramp) return { kind: 'ramp', to: rateValue(spec.ramp.to), overMs: ms(spec.ramp.over) };
    if (spec.spike)
      return { kind: 'spike', atMs: ms(spec.spike.at), rate: rateValue(spec.spike.rate), forMs: ms(spec.spike.for) };
    if (!spec.trace) return { kind: 'steady' };
    const file = isAbsolute(spec.trace.file) ? spec.trace.file : resolve(baseDir, spec.trace.file);
    let counts: number[];
    try {
      counts = parseTraceCsv(readFileSync(file, 'utf8')).slice(spec.trace.from ?? 0);
    } catch (err) {
      throw new ValidationError([{ path: 'trace.file', message: `cannot read trace: ${(err as Error).message}` }]);
    }
    if (!counts.length)
      throw new ValidationError([{ path: 'trace.file', message: 'the trace has no minute_index,requests rows' }]);
    const minuteMs = spec.trace.minute ? ms(spec.trace.minute) : 60_000;
    const max = Math.max(...counts);
    const peak = spec.trace.peak === undefined ? max / 60 : rateValue(spec.trace.peak);
    return { kind: 'trace', counts, minuteMs, scale: max > 0 ? (peak * (minuteMs / 1000)) / max : 0 };
  }
}
