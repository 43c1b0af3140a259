/** Every fault kind, by name. Adding a kind: write kinds/<kind>.ts, list it here (see README.md). */
import type { FaultKind } from './types.ts';
import { busOutage } from './kinds/bus-outage.ts';
import { crash } from './kinds/crash.ts';
import { error } from './kinds/error.ts';
import { hang } from './kinds/hang.ts';
import { latency } from './kinds/latency.ts';
import { leak } from './kinds/leak.ts';
import { partition } from './kinds/partition.ts';
import { throttle } from './kinds/throttle.ts';

export const FAULTS: ReadonlyMap<string, FaultKind> = new Map(
  [latency, error, crash, hang, partition, throttle, leak, busOutage].map((k) => [k.kind, k]),
);
