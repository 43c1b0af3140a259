/**
 * Scaling: per-cell metric windows, the Kubernetes HPA, KEDA-style queue-lag and predictive
 * policies as pure functions, the controller that runs them from metrics frames, the ONNX
 * forecaster, a fast-forward simulator, and the policy comparison and Kubernetes export.
 */
export type { CellObservation, PodSample, PolicyName, ScalingDecision } from './types.ts';
export {
  defaultBehavior,
  externalPerPodReplicas,
  hpaConfig,
  initialHpaState,
  reconcileHpa,
  resourceReplicas,
  type HpaBehavior,
  type HpaConfig,
  type HpaOutcome,
  type HpaState,
  type MetricProposal,
  type ScalingPolicyRule,
  type ScalingRules,
} from './hpa.ts';
export {
  decide,
  peakForecast,
  pendingRequests,
  policyConfig,
  updateCapacity,
  type ControllerSettings,
  type Forecast,
  type PolicyConfig,
  type PolicyState,
  type PolicyStep,
} from './policies.ts';
export { CellWindow, MetricWindows, type WindowOptions } from './window.ts';
export { ScalingController, type ControlledCell, type ScalingControllerOptions } from './controller.ts';
export { DEFAULT_FORECAST_MODEL, OnnxForecaster, localMinuteOfDay, type ForecastRequest, type Forecaster } from './forecaster.ts';
export {
  CLOCK_FEATURES,
  LEVEL_EPSILON,
  clockFeatures,
  emptyWeights,
  forecastGraph,
  forecastReference,
  headOutput,
  hiddenLayer,
  historyLevel,
  inputRow,
  inputWidth,
  quantileHeadName,
  weightsFromModel,
  type ForecastHead,
  type ForecastWeights,
} from './forecast-model.ts';
export { simulate, type MinuteRecord, type SimulationOptions, type SimulationResult } from './simulator.ts';
export {
  BENCH_CELL,
  barVerdict,
  benchScaling,
  compareScaling,
  formatComparison,
  saturatingPeak,
  type Comparison,
  type CompareOptions,
  type PolicyScore,
  type ScalingBenchOptions,
} from './compare.ts';
export { exportScaling, hpaObject, kedaObject, scalingObjects, type ExportOptions } from './export.ts';
