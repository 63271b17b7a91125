/**
 * A typed client of the Open Inference Protocol over gRPC (`inference.GRPCInferenceService`,
 * KServe V2 / Triton), usable against any OIP server: calls go over one `node:http2` session
 * (client/grpc-unary-channel.ts), messages are encoded with the published proto
 * (proto/kserve/grpc_service.proto); `ModelInfer` requests without request parameters by the
 * direct writer (kserve/oip-infer-request-writer.ts), the same bytes without message objects.
 *
 * Contract: `infer` sends `raw_input_contents` (one little-endian buffer per input, in the
 * feed's key order) and reads `raw_output_contents` or typed `contents`, whichever the server
 * answered. Every failure rejects with a ServingError: the server's gRPC code and message, or
 * the channel's (UNAVAILABLE, DEADLINE_EXCEEDED, ...).
 */
import { performance } from 'node:perf_hooks';
import type { HostTensor } from '../../core/tensor';
import { toLittleEndianBytes } from '../../core/tensor';
import { DATATYPE_OF_DTYPE } from '../../kserve/oip-tensors';
import { CONTENTS_FIELD, OIP_TYPES, decodeOip, encodeOip, oipPath, type OipMethod } from '../../kserve/oip-messages';
import { writeModelInferRequest } from '../../kserve/oip-infer-request-writer';
import { GrpcUnaryChannel } from '../grpc-unary-channel';
import {
  answeredTensor, inferParameter, type KServeClientOptions, type KServeInferOptions, type KServeInferResult,
  type KServeModelMetadata, type KServeRepositoryEntry, type KServeServerMetadata,
} from './kserve-types';

interface InferResponseMessage {
  model_name: string; model_version: string; id: string; raw_output_contents: Uint8Array[];
  outputs: Array<{ name: string; datatype: string; shape: number[]; contents?: Record<string, unknown[]> | null }>;
}

export class KServeGrpcClient {
  private constructor(private readonly channel: GrpcUnaryChannel, private readonly options: KServeClientOptions) {}

  static connect(address: string, options: KServeClientOptions = {}): KServeGrpcClient {
    return new KServeGrpcClient(GrpcUnaryChannel.connect(address, options.security === undefined ? {} : { security: options.security }), options);
  }

  async serverLive(): Promise<boolean> { return (await this.call<{ live: boolean }>('ServerLive', {})).live; }
  async serverReady(): Promise<boolean> { return (await this.call<{ ready: boolean }>('ServerReady', {})).ready; }
  async modelReady(name: string, version = ''): Promise<boolean> { return (await this.call<{ ready: boolean }>('ModelReady', { name, version })).ready; }
  serverMetadata(): Promise<KServeServerMetadata> { return this.call('ServerMetadata', {}); }
  modelMetadata(name: string, version = ''): Promise<KServeModelMetadata> { return this.call('ModelMetadata', { name, version }); }
  /** Triton's model configuration (model_config.proto field names). */
  async modelConfig(name: string, version = ''): Promise<Record<string, unknown>> { return (await this.call<{ config: Record<string, unknown> }>('ModelConfig', { name, version })).config; }
  /** Triton's statistics; every model when `name` is empty. */
  async modelStatistics(name = '', version = ''): Promise<Array<Record<string, unknown>>> { return (await this.call<{ model_stats: Array<Record<string, unknown>> }>('ModelStatistics', { name, version })).model_stats; }
  async repositoryIndex(readyOnly = false): Promise<KServeRepositoryEntry[]> { return (await this.call<{ models: KServeRepositoryEntry[] }>('RepositoryIndex', { ready: readyOnly })).models; }
  async loadModel(name: string): Promise<void> { await this.call('RepositoryModelLoad', { model_name: name }); }
  async unloadModel(name: string): Promise<void> { await this.call('RepositoryModelUnload', { model_name: name }); }

  async infer(modelName: string, inputs: Readonly<Record<string, HostTensor>>, options: KServeInferOptions = {}): Promise<KServeInferResult> {
    const started = performance.now();
    const type = OIP_TYPES.ModelInfer;
    const message = options.parameters === undefined || Object.keys(options.parameters).length === 0
      ? writeModelInferRequest({ modelName, modelVersion: options.modelVersion, id: options.id, inputs, outputs: options.outputs })
      : type.request.encode(requestWithParameters(modelName, inputs, options)).finish();
    const bytes = await this.channel.unary(oipPath('ModelInfer'), message, { deadlineMs: options.deadlineMs ?? this.options.deadlineMs ?? 0 });
    const response = type.response.decode(bytes) as unknown as InferResponseMessage;
    const raw = response.raw_output_contents;
    const outputs: Record<string, HostTensor> = {};
    response.outputs.forEach((o, i) => {
      outputs[o.name] = raw.length > 0
        ? answeredTensor(o.name, o.datatype, o.shape, { raw: raw[i] ?? new Uint8Array(0) })
        : answeredTensor(o.name, o.datatype, o.shape, { values: o.contents?.[CONTENTS_FIELD[o.datatype] ?? ''] ?? [] });
    });
    return { modelName: response.model_name, modelVersion: response.model_version, id: response.id, outputs, clientMicros: (performance.now() - started) * 1000 };
  }

  close(): void {
    this.channel.close();
  }

  private async call<T>(method: OipMethod, request: object): Promise<T> {
    const { request: requestType, response: responseType } = OIP_TYPES[method];
    const bytes = await this.channel.unary(oipPath(method), encodeOip(requestType, request), { deadlineMs: this.options.deadlineMs ?? 0 });
    return decodeOip<T>(responseType, bytes);
  }
}

/** The request as protobufjs encodes it, for calls with request parameters (the writer writes none). */
function requestWithParameters(modelName: string, inputs: Readonly<Record<string, HostTensor>>, options: KServeInferOptions): object {
  const names = Object.keys(inputs);
  return {
    model_name: modelName,
    model_version: options.modelVersion ?? '',
    id: options.id ?? '',
    parameters: Object.fromEntries(Object.entries(options.parameters ?? {}).map(([k, v]) => [k, inferParameter(v)])),
    inputs: names.map((name) => ({ name, datatype: DATATYPE_OF_DTYPE[inputs[name].dtype], shape: [...inputs[name].dims] })),
    outputs: (options.outputs ?? []).map((name) => ({ name })),
    raw_input_contents: names.map((name) => toLittleEndianBytes(inputs[name].data)),
  };
}
