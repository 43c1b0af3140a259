/**
 * Writing ONNX graphs from TypeScript: a small builder for inputs, float initializers, operator
 * nodes and outputs, and the encoder that turns the result into `.onnx` bytes (opset 17, IR 8 by
 * default, which onnxruntime-node 1.30 runs).
 *
 * Training scripts build their model's inference graph with it, so the same weights the script
 * evaluated in TypeScript are what onnxruntime runs in the engine.
 */
import { AttributeType, DataType, onnxModelType } from './onnx-proto.ts';

/** A tensor dimension: a size, or a symbolic name such as `batch`. */
export type Dim = number | string;

/** An operator attribute value, tagged with its ONNX attribute type. */
export type AttrValue =
  | { type: typeof AttributeType.INT; i: number }
  | { type: typeof AttributeType.INTS; ints: number[] }
  | { type: typeof AttributeType.FLOAT; f: number }
  | { type: typeof AttributeType.FLOATS; floats: number[] }
  | { type: typeof AttributeType.STRING; s: Uint8Array };

/** Constructors for typed attribute values (ONNX cares whether `1` is an int or a float). */
export const attr = {
  int: (i: number): AttrValue => ({ type: AttributeType.INT, i }),
  ints: (ints: number[]): AttrValue => ({ type: AttributeType.INTS, ints }),
  float: (f: number): AttrValue => ({ type: AttributeType.FLOAT, f }),
  floats: (floats: number[]): AttrValue => ({ type: AttributeType.FLOATS, floats }),
  string: (s: string): AttrValue => ({ type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
};

interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue: number } | { dimParam: string }> } } };
}

/** A model in the protobufjs object form of `onnx.ModelProto`, ready for {@link encodeModel}. */
export interface ModelObject {
  irVersion: number;
  opsetImport: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: {
    name: string;
    node: Array<{
      input: string[];
      output: string[];
      name: string;
      opType: string;
      attribute: Array<AttrValue & { name: string }>;
    }>;
    initializer: Array<{ name: string; dims: number[]; dataType: number; rawData: Uint8Array }>;
    input: ValueInfo[];
    output: ValueInfo[];
  };
  metadataProps: Array<{ key: string; value: string }>;
}

function valueInfo(name: string, dims: Dim[], elemType: number): ValueInfo {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian; so is every platform Node runs on, but be explicit.
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
    else view.setFloat32(i * 4, v, true);
  });
  return out;
}

/** Builds one ONNX graph: declare inputs and constants, chain operators, name the outputs. */
export class GraphBuilder {
  readonly #graph: ModelObject['graph'];
  #serial = 0;

  constructor(name: string) {
    this.#graph = { name, node: [], initializer: [], input: [], output: [] };
  }

  /** Declares a graph input (float32 unless told otherwise); returns its value name. */
  input(name: string, dims: Dim[], elemType: number = DataType.FLOAT): string {
    this.#graph.input.push(valueInfo(name, dims, elemType));
    return name;
  }

  /** Declares a graph output produced by a node (pass the name as that node's `output`). */
  output(name: string, dims: Dim[], elemType: number = DataType.FLOAT): void {
    this.#graph.output.push(valueInfo(name, dims, elemType));
  }

  /** A float32 constant (initializer); returns its value name. */
  constant(name: string, data: ArrayLike<number>, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new RangeError(`constant ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
    this.#graph.initializer.push({ name, dims, dataType: DataType.FLOAT, rawData: littleEndian(Float32Array.from(data)) });
    return name;
  }

  /** An int64 constant (shapes, axes); returns its value name. */
  constantInt64(name: string, data: number[], dims: number[]): string {
    const raw = littleEndian(BigInt64Array.from(data.map((v) => BigInt(v))));
    this.#graph.initializer.push({ name, dims, dataType: DataType.INT64, rawData: raw });
    return name;
  }

  /** Appends an operator node; returns the name of its (first) output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const name = `${opType.toLowerCase()}_${this.#serial++}`;
    const out = output ?? `${name}_out`;
    const attribute = Object.entries(attrs).map(([key, value]) => ({ name: key, ...value }));
    this.#graph.node.push({ input: inputs, output: [out], name, opType, attribute });
    return out;
  }

  /** `x · W + b` with `W` of shape [inDim, outDim] stored row-major; returns the output name. */
  linear(x: string, prefix: string, weights: ArrayLike<number>, bias: ArrayLike<number>, inDim: number, outDim: number): string {
    const w = this.constant(`${prefix}.weight`, weights, [inDim, outDim]);
    const b = this.constant(`${prefix}.bias`, bias, [outDim]);
    return this.op('Add', [this.op('MatMul', [x, w]), b]);
  }

  /** The finished model object. */
  model(
    options: {
      opset?: number;
      irVersion?: number;
      producer?: string;
      docString?: string;
      metadata?: Record<string, string>;
    } = {},
  ): ModelObject {
    return {
      irVersion: options.irVersion ?? 8,
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      producerName: options.producer ?? 'petri',
      producerVersion: '1',
      docString: options.docString ?? '',
      graph: structuredClone(this.#graph),
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }
}

/** Serialises a model to `.onnx` bytes. */
export async function encodeModel(model: ModelObject): Promise<Uint8Array> {
  const type = await onnxModelType();
  const problem = type.verify(model);
  if (problem) throw new TypeError(`invalid ONNX model: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/** What {@link decodeModel} reads back: enough to inspect a model file in tests and tools. */
export interface DecodedModel {
  irVersion: number;
  opset: number;
  producerName: string;
  metadata: Record<string, string>;
  inputs: string[];
  outputs: string[];
  ops: string[];
  /** Float32 initializers by name. */
  initializers: Record<string, { dims: number[]; data: Float32Array }>;
}

/** Parses `.onnx` bytes (the subset of fields this module writes). */
export async function decodeModel(bytes: Uint8Array): Promise<DecodedModel> {
  const type = await onnxModelType();
  const obj = type.toObject(type.decode(bytes), { longs: Number, defaults: true }) as ModelObject;
  const initializers: DecodedModel['initializers'] = {};
  for (const t of obj.graph.initializer) {
    if (t.dataType !== DataType.FLOAT) continue;
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float32Array(raw.byteLength / 4).map((_, i) => view.getFloat32(i * 4, true));
    initializers[t.name] = { dims: t.dims.map(Number), data };
  }
  return {
    irVersion: Number(obj.irVersion),
    opset: Number(obj.opsetImport[0]?.version ?? 0),
    producerName: obj.producerName,
    metadata: Object.fromEntries(obj.metadataProps.map((p) => [p.key, p.value])),
    inputs: obj.graph.input.map((i) => i.name),
    outputs: obj.graph.output.map((o) => o.name),
    ops: obj.graph.node.map((n) => n.opType),
    initializers,
  };
}
