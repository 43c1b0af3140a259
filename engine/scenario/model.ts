/** The normalised scenario the player runs: times in ms, thresholds as numbers, the organism loaded. */
import type { LoadedOrganism } from '../organism/index.ts';
import type { AttackSpec, FaultSpec } from '../faults/index.ts';
import type { Comparator, MetricName, ScenarioTraffic } from './schema.ts';

/** One action at one time. */
export type StepAction =
  | { kind: 'attack'; spec: AttackSpec }
  | { kind: 'fault'; spec: FaultSpec }
  | { kind: 'signal'; key: string; value: number | string | boolean | null }
  | { kind: 'scale'; cell: string; replicas: number }
  | { kind: 'traffic'; name: string; rate: number | string }
  | { kind: 'stop'; fault?: string; attack?: string; traffic?: string };

export interface PlannedStep {
  index: number;
  atMs: number;
  action: StepAction;
  /** Short description for progress output and events. */
  label: string;
}

export interface PlannedTraffic {
  spec: ScenarioTraffic;
  fromMs: number;
}

/** Expectations, normalised. Thresholds are in the metric's unit (ms, share, per second, count). */
export type PlannedExpectation =
  | { type: 'incident'; name: string; abortOnFail: boolean; kind: string; withinMs: number; afterMs: number; source?: string }
  | {
      type: 'metric';
      name: string;
      abortOnFail: boolean;
      metric: MetricName;
      route?: string;
      traffic?: string;
      cell?: string;
      fromMs: number;
      toMs: number;
      agg?: 'max' | 'min' | 'mean' | 'last';
      comparator: Comparator;
      threshold: number;
    }
  | {
      type: 'event';
      name: string;
      abortOnFail: boolean;
      event: string;
      cell?: string;
      job?: string;
      fromMs: number;
      toMs: number;
      comparator: Comparator;
      threshold: number;
    };

/** A validated scenario, ready to play. */
export interface ScenarioPlan {
  name: string;
  description?: string;
  file: string;
  organism: LoadedOrganism;
  durationMs: number;
  seed: number;
  traffic: PlannedTraffic[];
  steps: PlannedStep[];
  expect: PlannedExpectation[];
  /** Names of the scenario's attacks (a stream name space shared with traffic). */
  attacks: string[];
}
