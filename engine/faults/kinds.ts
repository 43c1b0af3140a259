/** The kinds of faults and attacks. Plain data: the renderer's first bundle imports it. */

export const FAULT_KINDS = ['latency', 'error', 'crash', 'hang', 'partition', 'throttle', 'leak', 'bus-outage'] as const;
export const ATTACK_KINDS = [
  'flood',
  'distributed-flood',
  'credential-stuffing',
  'injection',
  'scraping',
  'forged-token',
  'slowloris',
] as const;
