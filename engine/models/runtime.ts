/**
 * The ONNX runtime adapter: loads a model once with onnxruntime-node (CPU) and runs float32
 * inference on named inputs, one tensor at a time or as a batch of rows. Domains (scaling's
 * forecaster, immune's anomaly model) depend on {@link OnnxModel}, never on onnxruntime directly.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { DependencyError, errorMessage } from '../errors.ts';

/** A dense float32 tensor: row-major data and its dimensions. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** Options of {@link OnnxModel.load}. */
export interface LoadOptions {
  /**
   * Threads inside one operator (default 1). The engine's models are tiny: a second thread costs
   * more in hand-off than it saves, and the machine is shared with the cells and NATS.
   */
  threads?: number;
}

/** Input or output of a loaded model: its name and declared shape (strings are symbolic). */
export interface ModelPort {
  name: string;
  shape: ReadonlyArray<number | string>;
}

/** A loaded ONNX model. Create with {@link OnnxModel.load}; {@link OnnxModel.close} when done. */
export class OnnxModel {
  readonly #session: ort.InferenceSession;
  /** Where the model came from (file path or `<bytes>`), for messages. */
  readonly source: string;

  private constructor(session: ort.InferenceSession, source: string) {
    this.#session = session;
    this.source = source;
  }

  /** Loads a model from a file or from bytes. Throws {@link DependencyError} when it cannot. */
  static async load(model: string | Uint8Array, options: LoadOptions = {}): Promise<OnnxModel> {
    const source = typeof model === 'string' ? model : '<bytes>';
    try {
      const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      return new OnnxModel(session, source);
    } catch (err) {
      throw new DependencyError(`cannot load ONNX model ${source}: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** The model's inputs, in declaration order. */
  get inputs(): ModelPort[] {
    return ports(this.#session.inputMetadata);
  }

  /** The model's outputs, in declaration order. */
  get outputs(): ModelPort[] {
    return ports(this.#session.outputMetadata);
  }

  /** Runs the model on named float32 tensors; returns every output as a float32 tensor. */
  async run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
    const results = await this.#session.run(inputs);
    const out: Record<string, FloatTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const tensor = value as ort.Tensor;
      if (tensor.type !== 'float32') throw new DependencyError(`${this.source}: output ${name} is ${tensor.type}, not float32`);
      out[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
    }
    return out;
  }

  /**
   * Runs a batch given as rows: each named input is a list of equally long rows (one per batch
   * item), stacked into a `[rows, width]` tensor. Returns each output split back into rows.
   */
  async runRows(rows: Record<string, ArrayLike<number>[]>): Promise<Record<string, Float32Array[]>> {
    const feeds: Record<string, FloatTensor> = {};
    let batch: number | undefined;
    for (const [name, list] of Object.entries(rows)) {
      if (batch !== undefined && list.length !== batch)
        throw new RangeError(`input ${name} has ${list.length} rows, not ${batch}`);
      batch = list.length;
      feeds[name] = stack(name, list);
    }
    const results = await this.run(feeds);
    const out: Record<string, Float32Array[]> = {};
    for (const [name, t] of Object.entries(results)) {
      const n = t.dims[0] ?? 1;
      const width = n > 0 ? t.data.length / n : 0;
      out[name] = Array.from({ length: n }, (_, i) => t.data.subarray(i * width, (i + 1) * width));
    }
    return out;
  }

  /** Releases the native session. */
  async close(): Promise<void> {
    await this.#session.release();
  }
}

function ports(meta: readonly ort.InferenceSession.ValueMetadata[]): ModelPort[] {
  return meta.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : [] }));
}

function stack(name: string, rows: ArrayLike<number>[]): FloatTensor {
  const width = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`input ${name}: row ${i} has ${row.length} values, not ${width}`);
    data.set(row, i * width);
  });
  return { data, dims: [rows.length, width] };
}
