/**
 * Typed TypeScript client for rec-serving's Predict API (gRPC, raw little-endian tensors).
 *
 * Contract: `RecServingClient.connect(address)` returns a client over HTTP/2 connections to one
 * or several endpoints (balanced-channel.ts: `host:port`, `a:9393,b:9393`, `dns:host:port`,
 * round robin, reconnecting after failures, retries per `serviceConfig`);
 * `predict(feed, fetch)` resolves with outputs by fetch alias plus the server's timings and the
 * client-side round trip, or rejects with a ServingError carrying the server's gRPC code and
 * message (the client shares exactly `core/errors.ts` with the server).
 */
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import {
  GET_MODEL_METADATA_PATH, GetModelMetadataRequestType, GetModelMetadataResponseType, PREDICT_PATH,
  decodePredictResponse, dtypeFromWire, int64ToNumber,
  type GetModelMetadataResponseMessage, type PredictResponseMessage,
} from '../protocol/predict-messages';
import { decodeRawTensor } from '../core/decode-tensor';
import { writePredictRequest } from '../protocol/predict-message-writer';
import { BalancedChannel, type BalancedChannelOptions, type BalancedChannelStats } from './balanced-channel';

export interface PredictOptions {
  /** Per-call deadline, milliseconds from now; undefined: the client default (none if 0). */
  readonly deadlineMs?: number;
  readonly modelName?: string;
  readonly modelVersion?: string;
  readonly requestId?: number;
}

export interface ServerTiming {
  readonly startMicros: number;
  readonly endMicros: number;
  readonly queueMicros: number;
  readonly computeMicros: number;
  readonly executedBatchRows: number;
}

export interface PredictResult {
  readonly outputs: Record<string, HostTensor>;
  readonly server: ServerTiming;
  /** Round trip seen by the client (encode, send, wait, receive, decode), microseconds. */
  readonly clientMicros: number;
  readonly requestId: number;
  /** The model version that answered (the newest ready one when the request named none). */
  readonly modelVersion: string;
}

/** Balancing and retries: `connectionsPerEndpoint`, `serviceConfig`, `dnsRefreshMs`, `maxMessageBytes` (balanced-channel.ts). */
export interface ClientOptions extends BalancedChannelOptions {
  /** Default per-call deadline in milliseconds; 0 = none. */
  readonly deadlineMs?: number;
}

/** The encoded PredictRequest `predict` sends: each feed as raw little-endian bytes (protocol/predict-message-writer.ts). */
export function encodePredictCall(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], options: PredictOptions = {}): Uint8Array {
  return writePredictRequest(feed, fetch, options);
}

export class RecServingClient {
  private constructor(
    private readonly channel: BalancedChannel,
    private readonly options: ClientOptions,
  ) {}

  static connect(address: string, options: ClientOptions = {}): RecServingClient {
    return new RecServingClient(BalancedChannel.connect(address, options), options);
  }

  /** Calls, attempts, retries and attempts per endpoint so far. */
  stats(): BalancedChannelStats {
    return this.channel.stats();
  }

  /** Waits until the server accepts a connection (or rejects with UNAVAILABLE after `timeoutMs`). */
  waitForReady(timeoutMs: number): Promise<void> {
    return this.channel.waitForReady(timeoutMs);
  }

  async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], options: PredictOptions = {}): Promise<PredictResult> {
    const started = performance.now();
    const bytes = await this.channel.unary(PREDICT_PATH, encodePredictCall(feed, fetch, options), { deadlineMs: this.deadlineOf(options.deadlineMs) });
    let response: PredictResponseMessage;
    try {
      response = decodePredictResponse(bytes);
      return toResult(response, (performance.now() - started) * 1000);
    } catch (decodeError) {
      throw new ServingError(Code.INTERNAL, `cannot decode the server's response: ${String(decodeError)}`, { cause: decodeError });
    }
  }

  async getModelMetadata(modelName = '', options: { deadlineMs?: number } = {}): Promise<GetModelMetadataResponseMessage> {
    const request = GetModelMetadataRequestType.encode({ modelName }).finish();
    const bytes = await this.channel.unary(GET_MODEL_METADATA_PATH, request, { deadlineMs: this.deadlineOf(options.deadlineMs) });
    return GetModelMetadataResponseType.decode(bytes) as unknown as GetModelMetadataResponseMessage;
  }

  close(): void {
    this.channel.close();
  }

  private deadlineOf(deadlineMs: number | undefined): number {
    return deadlineMs ?? this.options.deadlineMs ?? 0;
  }
}

function toResult(response: PredictResponseMessage, clientMicros: number): PredictResult {
  const outputs: Record<string, HostTensor> = {};
  for (const output of response.outputs) {
    const dtype = dtypeFromWire(output.dtype);
    if (dtype === undefined) throw new Error(`output "${output.name}" has unknown dtype code ${output.dtype}`);
    outputs[output.name] = decodeRawTensor(output.name, dtype, output.shape.map(int64ToNumber), output.rawData instanceof Uint8Array ? output.rawData : new Uint8Array(0));
  }
  const timing = response.timing;
  return {
    outputs,
    clientMicros,
    requestId: int64ToNumber(response.requestId),
    modelVersion: response.modelVersion ?? '',
    server: {
      startMicros: int64ToNumber(timing?.startUs),
      endMicros: int64ToNumber(timing?.endUs),
      queueMicros: int64ToNumber(timing?.queueUs),
      computeMicros: int64ToNumber(timing?.computeUs),
      executedBatchRows: int64ToNumber(timing?.executedBatchRows),
    },
  };
}
