/**
 * The immune system's WAF layer: rules grouped by attack class, CRS-style anomaly scoring with
 * paranoia levels, decoding of evasions. `WafLayer` plugs into the gateway's chain; `inspect` is
 * the pure function behind it.
 */
export {
  WafLayer,
  WAF_NOTE,
  wafConfig,
  type WafDecision,
  type WafEvidence,
  type WafLayerOptions,
  type WafStats,
} from './layer.ts';
export { inspect, DEFAULT_PARANOIA, DEFAULT_THRESHOLD, type InspectOptions } from './inspect.ts';
export {
  normalize,
  urlDecode,
  percentDecodeOnce,
  htmlDecode,
  jsDecode,
  sqlView,
  cmdView,
  compactView,
  pathView,
} from './decode.ts';
export { parseRequest } from './extract.ts';
export { RULE_GROUPS } from './rules/index.ts';
export {
  ATTACK_CLASSES,
  SEVERITY_POINTS,
  type AttackClass,
  type Location,
  type Paranoia,
  type Rule,
  type RequestRule,
  type RuleGroup,
  type Severity,
  type WafConfig,
  type WafInput,
  type WafMatch,
  type WafResult,
} from './types.ts';
