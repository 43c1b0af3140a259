/**
 * The anomaly layer of the immune system: per-client behaviour windows (features.ts), the ONNX
 * model's reference and graph (model.ts), and the detector that scores every active client in one
 * batched onnxruntime call (detector.ts). See README.md in this folder.
 */
export {
  AnomalyDetector,
  DEFAULT_ANOMALY_MODEL,
  DEFAULT_ANOMALY_CONFIRM_MS,
  DEFAULT_ANOMALY_THRESHOLD,
  rawFeature,
  type AnomalyDetectorOptions,
  type AnomalyEvidence,
  type AnomalyHandler,
  type AnomalyRound,
  type AnomalyStats,
  type FeatureContribution,
} from './detector.ts';
export {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureExtractor,
  RING,
  WINDOW_SECONDS,
  type FeatureName,
  type FeatureOptions,
} from './features.ts';
export {
  activations,
  anomalyGraph,
  anomalyReference,
  forward,
  initialWeights,
  inputGradient,
  sigmoid,
  weightsFromModel,
  type Activations,
  type AnomalyOutput,
  type AnomalyWeights,
} from './model.ts';
export { credentialOf, metacharShare, numericId, payloadEntropy } from './payload.ts';
