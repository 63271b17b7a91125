/**
 * Typed TypeScript client for rec-serving's Predict API (gRPC, raw little-endian tensors).
 *
 * Contract: `RecServingClient.connect(address)` returns a client over one HTTP/2 channel;
 * `predict(feed, fetch)` resolves with outputs by fetch alias plus the server's timings and the
 * client-side round trip, or rejects with a ServingError carrying the server's gRPC code and
 * message (the client shares exactly `core/errors.ts` with the server).
 */
import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import { toLittleEndianBytes, type HostTensor } from '../core/tensor';
import {
  DTYPE_TO_WIRE, GET_MODEL_METADATA_PATH, GetModelMetadataRequestType, GetModelMetadataResponseType, PREDICT_PATH,
  decodePredictResponse, dtypeFromWire, encodePredictRequest, int64ToNumber,
  type GetModelMetadataResponseMessage, type PredictRequestMessage, type PredictResponseMessage,
} from '../protocol/predict-messages';
import { decodeRawTensor } from '../core/decode-tensor';

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
}

export interface ClientOptions {
  /** Default per-call deadline in milliseconds; 0 = none. */
  readonly deadlineMs?: number;
  /** Largest response accepted, bytes. */
  readonly maxMessageBytes?: number;
}

const passThrough = (value: Buffer) => value;

export class RecServingClient {
  private constructor(
    private readonly client: grpc.Client,
    private readonly options: ClientOptions,
  ) {}

  static connect(address: string, options: ClientOptions = {}): RecServingClient {
    const maxMessageBytes = options.maxMessageBytes ?? 512 * 1024 * 1024;
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    });
    return new RecServingClient(client, options);
  }

  /** Waits until the channel is connected (or the deadline passes). */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(new ServingError(Code.UNAVAILABLE, `server not reachable: ${error.message}`)) : resolve()));
    });
  }

  predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], options: PredictOptions = {}): Promise<PredictResult> {
    const started = performance.now();
    const request: Partial<PredictRequestMessage> = {
      modelName: options.modelName ?? '',
      modelVersion: options.modelVersion ?? '',
      inputs: Object.keys(feed).map((name) => {
        const tensor = feed[name];
        return { name, dtype: DTYPE_TO_WIRE[tensor.dtype], shape: [...tensor.dims], rawData: toLittleEndianBytes(tensor.data) };
      }),
      outputNames: [...fetch],
      requestId: options.requestId ?? 0,
    };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Partial<PredictRequestMessage>, Buffer>(
        PREDICT_PATH,
        encodePredictRequest,
        passThrough,
        request,
        new grpc.Metadata(),
        this.callOptions(options.deadlineMs),
        (error, bytes) => {
          if (error) return reject(toServingError(error));
          try {
            const response = decodePredictResponse(bytes!);
            resolve(toResult(response, (performance.now() - started) * 1000));
          } catch (decodeError) {
            reject(new ServingError(Code.INTERNAL, `cannot decode the server's response: ${String(decodeError)}`, { cause: decodeError }));
          }
        },
      );
    });
  }

  getModelMetadata(modelName = '', options: { deadlineMs?: number } = {}): Promise<GetModelMetadataResponseMessage> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<object, Buffer>(
        GET_MODEL_METADATA_PATH,
        (value) => Buffer.from(GetModelMetadataRequestType.encode(value).finish()),
        passThrough,
        { modelName },
        new grpc.Metadata(),
        this.callOptions(options.deadlineMs),
        (error, bytes) => {
          if (error) return reject(toServingError(error));
          const message = GetModelMetadataResponseType.decode(bytes!) as unknown as GetModelMetadataResponseMessage;
          resolve(message);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }

  private callOptions(deadlineMs: number | undefined): grpc.CallOptions {
    const ms = deadlineMs ?? this.options.deadlineMs ?? 0;
    return ms > 0 ? { deadline: Date.now() + ms } : {};
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
    server: {
      startMicros: int64ToNumber(timing?.startUs),
      endMicros: int64ToNumber(timing?.endUs),
      queueMicros: int64ToNumber(timing?.queueUs),
      computeMicros: int64ToNumber(timing?.computeUs),
      executedBatchRows: int64ToNumber(timing?.executedBatchRows),
    },
  };
}

function toServingError(error: grpc.ServiceError): ServingError {
  return new ServingError(error.code as number as Code, error.details || error.message, { cause: error });
}
