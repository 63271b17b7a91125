/**
 * A model the server serves: its name, version, signature, limits and the engine that runs it.
 *
 * Contract: immutable after creation; `index` is built once so the request path does no setup.
 */
import type { InferenceEngine } from './inference-engine';
import type { ModelSignature } from './model-signature';
import { SignatureIndex } from './validate-request';

export interface ServedModelOptions {
  readonly name: string;
  readonly version: string;
  readonly signature: ModelSignature;
  readonly engine: InferenceEngine;
  /** Most rows one request may carry. */
  readonly maxRequestRows: number;
  /** Where the model came from (directory), for metadata and logs. */
  readonly source: string;
  /** The effective configuration, exposed in model metadata. */
  readonly effectiveConfig: Readonly<Record<string, unknown>>;
}

export class ServedModel {
  readonly index: SignatureIndex;

  private constructor(readonly options: ServedModelOptions) {
    this.index = new SignatureIndex(options.signature);
  }

  static create(options: ServedModelOptions): ServedModel {
    if (!Number.isSafeInteger(options.maxRequestRows) || options.maxRequestRows < 1) {
      throw new Error(`maxRequestRows must be a positive integer; got ${options.maxRequestRows}`);
    }
    return new ServedModel(options);
  }

  get name(): string { return this.options.name; }
  get version(): string { return this.options.version; }
  get signature(): ModelSignature { return this.options.signature; }
  get engine(): InferenceEngine { return this.options.engine; }
}
