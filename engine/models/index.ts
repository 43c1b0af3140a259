/**
 * ONNX models behind one adapter: a graph writer for training scripts (TypeScript + protobufjs,
 * loaded lazily) and a runtime wrapper over onnxruntime-node for the engine.
 */
export { OnnxModel, type FloatTensor, type LoadOptions, type ModelPort } from './runtime.ts';
export {
  GraphBuilder,
  attr,
  encodeModel,
  decodeModel,
  type AttrValue,
  type DecodedModel,
  type Dim,
  type ModelObject,
} from './graph.ts';
