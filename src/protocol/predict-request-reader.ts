/**
 * Reads a rec_serving.v1.PredictRequest (proto/rec_serving/v1/predict.proto) from the wire without
 * building protobufjs message objects: each input keeps its name, dtype code, shape and where its
 * raw_data lies in the message, so the server can check it and copy the bytes once, into the
 * request's tensor arena (grpc/tensor-wire.ts). This is the server's per-call decoding of every
 * Predict call; protobufjs's reflection decoder allocated about half of a call's garbage here.
 *
 * Contract: for a well-formed message, the same values protobufjs's reflection decoder gives
 * (predict-messages.ts `decodePredictRequest`: int64 and uint64 as JS numbers, rounded beyond
 * 2^53; dtype as a signed int32; absent fields as proto3 defaults; the last value of a repeated
 * singular field wins; `shape` packed or not, runs appended; unknown fields skipped by wire type).
 * Malformed bytes throw an Error naming what is wrong: truncated or overlong varints and fields,
 * a wire type that does not fit the field, a group (wire type 3 or 4), invalid UTF-8 in a string.
 */
import { WireReader, expectWireType as expectWire } from './wire-reader';

/** One input as it lies on the wire; its raw_data is `message[dataStart, dataStart + dataLength)`. */
export interface WireTensor {
  readonly name: string;
  /** The DataType code as sent (unknown codes included). */
  readonly dtype: number;
  readonly shape: number[];
  readonly dataStart: number;
  readonly dataLength: number;
}

export interface PredictRequestView {
  /** The message the inputs' raw_data ranges refer to. */
  readonly message: Uint8Array;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly inputs: WireTensor[];
  readonly outputNames: string[];
  readonly requestId: number;
}

const EMPTY_SHAPE: readonly number[] = Object.freeze([]);

function readTensor(r: WireReader, end: number): WireTensor {
  let name = '';
  let dtype = 0;
  let shape: number[] | undefined;
  let dataStart = 0;
  let dataLength = 0;
  const outerEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(wire, 2, 'Tensor.name'); name = r.strictString(); break;
      case 2: expectWire(wire, 0, 'Tensor.dtype'); dtype = r.uint32() | 0; break;
      case 3:
        if (wire === 2) {
          const runLength = r.length();
          const runEnd = r.pos + runLength;
          // Sized up front (one varint ends at each byte below 0x80): no array grown per dim.
          let count = 0;
          for (let i = r.pos; i < runEnd; i++) if (r.bytes[i] < 0x80) count++;
          const from = shape?.length ?? 0;
          const run = new Array<number>(from + count);
          for (let i = 0; i < from; i++) run[i] = shape![i];
          for (let i = from; i < run.length && r.pos < runEnd; i++) run[i] = r.int64();
          if (r.pos !== runEnd) throw new Error('a packed Tensor.shape does not end on a varint');
          shape = run;
        } else {
          expectWire(wire, 0, 'Tensor.shape');
          (shape ??= []).push(r.int64());
        }
        break;
      case 4:
        expectWire(wire, 2, 'Tensor.raw_data');
        dataLength = r.length();
        dataStart = r.pos;
        r.pos += dataLength;
        break;
      default: r.skip(wire);
    }
  }
  r.end = outerEnd;
  return { name, dtype, shape: shape ?? (EMPTY_SHAPE as number[]), dataStart, dataLength };
}

export function readPredictRequest(message: Uint8Array): PredictRequestView {
  const r = new WireReader(message, 0, message.byteLength);
  let modelName = '';
  let modelVersion = '';
  const inputs: WireTensor[] = [];
  const outputNames: string[] = [];
  let requestId = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(wire, 2, 'PredictRequest.model_name'); modelName = r.strictString(); break;
      case 2: expectWire(wire, 2, 'PredictRequest.model_version'); modelVersion = r.strictString(); break;
      case 3: {
        expectWire(wire, 2, 'PredictRequest.inputs');
        const length = r.length();
        inputs.push(readTensor(r, r.pos + length));
        break;
      }
      case 4: expectWire(wire, 2, 'PredictRequest.output_names'); outputNames.push(r.strictString()); break;
      case 5: expectWire(wire, 0, 'PredictRequest.request_id'); requestId = r.uint64(); break;
      default: r.skip(wire);
    }
  }
  return { message, modelName, modelVersion, inputs, outputNames, requestId };
}
