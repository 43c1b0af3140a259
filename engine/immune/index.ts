/**
 * The immune system: the gateway's defence chain. Other domains import it from here (the import
 * boundary check requires it). So far it holds the WAF layer; authentication, rate limiting, the
 * anomaly model and responses join it as they land.
 */
export {
  WafLayer,
  WAF_NOTE,
  wafConfig,
  inspect as wafInspect,
  ATTACK_CLASSES,
  type AttackClass,
  type WafConfig,
  type WafDecision,
  type WafEvidence,
  type WafLayerOptions,
  type WafMatch,
  type WafResult,
  type WafStats,
} from './waf/index.ts';
