/**
 * The WAF as a gateway layer. In `block` mode a request whose anomaly score reaches the threshold
 * is refused with 403 and the decision carries its evidence; in `alert` mode the evidence is
 * reported and the request passes; `off` inspects nothing.
 */
import type { GatewayLayer, GatewayRequest, LayerDecision } from '../../gateway/index.ts';
import { DEFAULT_PARANOIA, DEFAULT_THRESHOLD, inspect } from './inspect.ts';
import type { AttackClass, WafConfig, WafMatch } from './types.ts';

/** What an `immune.blocked` (or alert) event shows about a WAF decision. */
export interface WafEvidence {
  mode: WafConfig['mode'];
  score: number;
  threshold: number;
  paranoia: number;
  /** Classes of the matched rules, the highest-scoring first. */
  classes: AttackClass[];
  matches: WafMatch[];
}

/** A refusal by the WAF: a {@link LayerDecision} with its evidence. */
export interface WafDecision extends LayerDecision {
  evidence: WafEvidence;
}

/** Counters the immune view shows. */
export interface WafStats {
  inspected: number;
  blocked: number;
  alerted: number;
  byClass: Partial<Record<AttackClass, number>>;
}

/** Options of {@link WafLayer}. */
export interface WafLayerOptions {
  /** Called for every request that reaches the threshold in `alert` mode. */
  onAlert?: (req: GatewayRequest, evidence: WafEvidence) => void;
}

/** Key under which the evidence of any request with matches is left in `req.notes`. */
export const WAF_NOTE = 'waf';

function classesOf(matches: WafMatch[]): AttackClass[] {
  const points = new Map<AttackClass, number>();
  for (const m of matches) points.set(m.cls, (points.get(m.cls) ?? 0) + m.points);
  return [...points.entries()].sort((a, b) => b[1] - a[1]).map(([cls]) => cls);
}

/** Normalises a partial configuration (the manifest's `immune.waf`) with the defaults. */
export function wafConfig(c: Partial<WafConfig> = {}): WafConfig {
  return { mode: c.mode ?? 'block', paranoia: c.paranoia ?? DEFAULT_PARANOIA, threshold: c.threshold ?? DEFAULT_THRESHOLD };
}

/** The WAF layer of the immune chain. */
export class WafLayer implements GatewayLayer {
  readonly name = 'waf';
  #config: WafConfig;
  readonly #onAlert: WafLayerOptions['onAlert'];
  readonly #stats: WafStats = { inspected: 0, blocked: 0, alerted: 0, byClass: {} };

  constructor(config: Partial<WafConfig> = {}, options: WafLayerOptions = {}) {
    this.#config = wafConfig(config);
    this.#onAlert = options.onAlert;
  }

  /** The configuration in force. */
  get config(): WafConfig {
    return { ...this.#config };
  }

  /** Changes mode, paranoia or threshold live. */
  configure(config: Partial<WafConfig>): void {
    this.#config = wafConfig({ ...this.#config, ...config });
  }

  /** A copy of the counters. */
  stats(): WafStats {
    return { ...this.#stats, byClass: { ...this.#stats.byClass } };
  }

  /** Scores the request; refuses it (block mode) or reports it (alert mode) at the threshold. */
  inspect(req: GatewayRequest): WafDecision | undefined {
    const { mode, paranoia, threshold } = this.#config;
    if (mode === 'off') return undefined;
    this.#stats.inspected++;
    const result = inspect(req, { paranoia, threshold });
    if (result.matches.length === 0) return undefined;
    const evidence: WafEvidence = { mode, ...result, classes: classesOf(result.matches) };
    req.notes[WAF_NOTE] = evidence;
    if (result.score < threshold) return undefined;
    const top = evidence.classes[0]!;
    this.#stats.byClass[top] = (this.#stats.byClass[top] ?? 0) + 1;
    if (mode === 'alert') {
      this.#stats.alerted++;
      this.#onAlert?.(req, evidence);
      return undefined;
    }
    this.#stats.blocked++;
    const first = result.matches.find((m) => m.cls === top) ?? result.matches[0]!;
    return {
      status: 403,
      layer: this.name,
      reason: `Forbidden: ${top} (rule ${first.ruleId}: ${first.msg}; score ${result.score}/${threshold})`,
      blocked: true,
      evidence,
    };
  }
}
