/**
 * The immune system: the gateway's defence chain (recognition, quarantine, authentication, rate
 * limits, the WAF, observers), responses, incidents and memory. Other domains import it from here.
 */
export { ImmuneSystem, type ImmuneOptions } from './system.ts';
export { Issuer, type Claims, type Verification } from './auth/issuer.ts';
export { IncidentTracker, INCIDENT_BARS, type Incident } from './incidents.ts';
export { Quarantines, type QuarantineView } from './quarantine.ts';
export { ImmuneMemory, fingerprint, type Memory } from './memory.ts';
export { Gcra } from './ratelimit/gcra.ts';
export type { Decision, IncidentKind, Action } from './types.ts';
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
