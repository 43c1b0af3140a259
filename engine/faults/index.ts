/** Fault and attack injection: the registry of fault kinds, the runner, attacks. */
export { FaultRunner, type ActiveFault, type ClearReason } from './runner.ts';
export { FAULTS } from './registry.ts';
export { AttackRunner, loadCorpus, type AttackInfo, type Payload } from './attacks.ts';
export { FaultSpec, AttackSpec, FAULT_KINDS, ATTACK_KINDS } from './schema.ts';
export type { FaultKind, FaultContext, AppliedFault, CheckContext } from './types.ts';
export { staticContext } from './static-context.ts';
