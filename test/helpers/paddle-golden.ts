/**
 * The requests captured from Paddle Serving's own Python HttpClient (`../shared/data/paddle-golden`
 * beside the checkout, never copied into it) and what that client parsed from the answers.
 * Tests pass `{ skip: SKIP_WITHOUT_PADDLE_GOLDEN }`: false when the captures are present, else the
 * reason to print.
 *
 * `readPaddleResponseWire` decodes a Response with a hand-written protobuf reader whose field
 * numbers come from Paddle Serving's `general_model_service.proto` (v0.9+), not from this
 * project's `proto/paddle/`, so a wrong field number there cannot confirm itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { buildDeepFmOnnx } from '../../src/model/deepfm/build-deepfm-onnx';
import { createDeepFmWeights } from '../../src/model/deepfm/deepfm-weights';
import { makeTempDir } from './test-server';

export const PADDLE_GOLDEN_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'paddle-golden');

export const SKIP_WITHOUT_PADDLE_GOLDEN: string | false = fs.existsSync(path.join(PADDLE_GOLDEN_DIR, 'captures.json'))
  ? false
  : `Paddle client captures not found at ${PADDLE_GOLDEN_DIR} (they sit beside the checkout, not in it); skipped`;

export type GoldenMode = 'http-proto' | 'http-json' | 'http-json-gzip' | 'grpc';

export interface GoldenCapture {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly request_file: string;
  readonly request_bytes: number;
  readonly client_parsed_probabilities: readonly number[];
}

export interface GoldenCaptures {
  readonly feed_rows: readonly (readonly string[])[];
  readonly modes: Readonly<Record<GoldenMode, GoldenCapture>>;
}

export function loadGoldenCaptures(): GoldenCaptures {
  return JSON.parse(fs.readFileSync(path.join(PADDLE_GOLDEN_DIR, 'captures.json'), 'utf8')) as GoldenCaptures;
}

/** The exact request bytes of one mode, checked against the size captures.json records. */
export function readGoldenRequest(captures: GoldenCaptures, mode: GoldenMode): Buffer {
  const capture = captures.modes[mode];
  const bytes = fs.readFileSync(path.join(PADDLE_GOLDEN_DIR, capture.request_file));
  if (bytes.length !== capture.request_bytes) throw new Error(`${capture.request_file}: ${bytes.length} bytes; captures.json says ${capture.request_bytes}`);
  return bytes;
}

/**
 * A model directory with the default DeepFM (PaddleRec's Criteo shape, the project's seeded
 * weights: the model the captures were answered by), generated afresh so a regenerated or
 * edited serving_server/model.onnx cannot change the expected scores, and the repo's Paddle config.
 */
export function makeDefaultDeepFmDir(): string {
  const dir = makeTempDir('default-deepfm');
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildDeepFmOnnx(createDeepFmWeights()));
  fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), path.join(dir, 'serving_server_conf.prototxt'));
  return dir;
}

export interface WireTensor {
  floatData: number[];
  elemType: number;
  shape: number[];
  name: string;
  aliasName: string;
}

export interface WireResponse {
  outputs: Array<{ tensors: WireTensor[]; engineName: string }>;
  profileTime: bigint[];
  logId: bigint;
  errNo: number;
  errMsg: string;
}

/**
 * Paddle Serving's Response: outputs=1 (ModelOutput: tensor=1, engine_name=2), profile_time=2,
 * profile_server=3, log_id=4, err_no=5, err_msg=6; Tensor: float_data=2, elem_type=10, shape=11,
 * name=13, alias_name=14 (fields not listed are skipped).
 */
export function readPaddleResponseWire(bytes: Uint8Array): WireResponse {
  const response: WireResponse = { outputs: [], profileTime: [], logId: 0n, errNo: 0, errMsg: '' };
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.bytes) {
      const output = { tensors: [] as WireTensor[], engineName: '' };
      for (const f of readFields(field.bytes)) {
        if (f.number === 1 && f.bytes) output.tensors.push(readTensor(f.bytes));
        else if (f.number === 2 && f.bytes) output.engineName = Buffer.from(f.bytes).toString('utf8');
      }
      response.outputs.push(output);
    } else if (field.number === 2) {
      response.profileTime.push(...varintsOf(field).map((v) => BigInt.asIntN(64, v)));
    } else if (field.number === 4 && field.varint !== undefined) {
      response.logId = field.varint;
    } else if (field.number === 5 && field.varint !== undefined) {
      response.errNo = Number(BigInt.asIntN(32, field.varint));
    } else if (field.number === 6 && field.bytes) {
      response.errMsg = Buffer.from(field.bytes).toString('utf8');
    }
  }
  return response;
}

function readTensor(bytes: Uint8Array): WireTensor {
  const tensor: WireTensor = { floatData: [], elemType: 0, shape: [], name: '', aliasName: '' };
  for (const f of readFields(bytes)) {
    if (f.number === 2) {
      if (f.bytes) {
        const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
        for (let i = 0; i + 4 <= f.bytes.byteLength; i += 4) tensor.floatData.push(view.getFloat32(i, true));
      } else if (f.fixed32 !== undefined) {
        tensor.floatData.push(f.fixed32);
      }
    } else if (f.number === 10 && f.varint !== undefined) {
      tensor.elemType = Number(f.varint);
    } else if (f.number === 11) {
      tensor.shape.push(...varintsOf(f).map(Number));
    } else if (f.number === 13 && f.bytes) {
      tensor.name = Buffer.from(f.bytes).toString('utf8');
    } else if (f.number === 14 && f.bytes) {
      tensor.aliasName = Buffer.from(f.bytes).toString('utf8');
    }
  }
  return tensor;
}

interface WireField { number: number; varint?: bigint; bytes?: Uint8Array; fixed32?: number }

function varintsOf(field: WireField): bigint[] {
  if (field.varint !== undefined) return [field.varint];
  const out: bigint[] = [];
  if (!field.bytes) return out;
  for (let pos = 0; pos < field.bytes.length;) {
    const [value, next] = readVarint(field.bytes, pos);
    out.push(value);
    pos = next;
  }
  return out;
}

function* readFields(bytes: Uint8Array): Generator<WireField> {
  let pos = 0;
  while (pos < bytes.length) {
    const [key, afterKey] = readVarint(bytes, pos);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    pos = afterKey;
    if (wireType === 0) {
      const [varint, next] = readVarint(bytes, pos);
      pos = next;
      yield { number, varint };
    } else if (wireType === 2) {
      const [length, next] = readVarint(bytes, pos);
      const end = next + Number(length);
      if (end > bytes.length) throw new Error(`field ${number}: length ${length} runs past the message`);
      pos = end;
      yield { number, bytes: bytes.subarray(next, end) };
    } else if (wireType === 5) {
      yield { number, fixed32: Buffer.from(bytes.buffer, bytes.byteOffset + pos, 4).readFloatLE(0) };
      pos += 4;
    } else if (wireType === 1) {
      pos += 8;
    } else {
      throw new Error(`field ${number}: unsupported wire type ${wireType}`);
    }
  }
}

function readVarint(bytes: Uint8Array, start: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let pos = start; pos < bytes.length; pos++) {
    value |= BigInt(bytes[pos]! & 0x7f) << shift;
    if ((bytes[pos]! & 0x80) === 0) return [value, pos + 1];
    shift += 7n;
  }
  throw new Error(`truncated varint at ${start}`);
}
