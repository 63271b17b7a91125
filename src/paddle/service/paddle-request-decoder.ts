/**
 * Decodes Paddle's `general_model.Request` (proto/paddle/general_model_service.proto) straight from
 * the wire into PaddleTensors whose numeric fields are typed arrays: packed ids go from varints
 * into one Float64Array per tensor, with no JS array grown per value and no garbage per id (the
 * reflection decoder's arrays were most of a batch-5 Paddle call's GC). Per tensor it allocates
 * the tensor object and one array per present repeated field; short ASCII names are reused from a
 * small bounded cache, since the same feed names arrive on every call.
 *
 * Contract: for any bytes, `decodePaddleRequest` returns what protobufjs's reflection decoder
 * returns with 64-bit integers read as JS numbers (protocol/protobuf-runtime.ts), field by field,
 * except that repeated numeric fields are typed arrays (int64 / uint32 / int32 / double / float
 * values as Float64Array, Uint32Array, Int32Array, Float64Array, Float32Array) but `shape` and
 * `lod`, int32 values in plain number arrays (a handful of dims: a typed array costs more to create
 * than it saves); bools are a plain array. Both packed and unpacked encodings are read (several
 * runs of one field append), unknown fields are skipped by wire type, the last value of a singular
 * field wins, absent fields take proto3 defaults. Malformed bytes (truncated varint or field, a
 * length past the end, a group or unknown wire type) throw an Error.
 */
import type { PaddleRequest, PaddleTensor } from './paddle-messages';
import { WireReader, expectWireType } from '../../protocol/wire-reader';
import { readDims, readFloat32s, readFloat64s, readInt32s, readInt64s, readUint32s } from './packed-fields';

const EMPTY_BYTES = new Uint8Array(0);


function decodeTensor(reader: WireReader, end: number): PaddleTensor {
  let int64: Float64Array | undefined;
  let float32: Float32Array | undefined;
  let int32: Int32Array | undefined;
  let float64: Float64Array | undefined;
  let uint32: Uint32Array | undefined;
  let complex64: Float32Array | undefined;
  let complex128: Float64Array | undefined;
  let shape: number[] | undefined;
  let lod: number[] | undefined;
  let bools: boolean[] = NO_BOOLS;
  let strings: string[] = NO_STRINGS;
  let elemType = 0;
  let name = '';
  let alias = '';
  let content: Uint8Array = EMPTY_BYTES;
  const r = reader;
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: int64 = readInt64s(r, wire, int64); break;
      case 2: float32 = readFloat32s(r, wire, float32); break;
      case 3: int32 = readInt32s(r, wire, int32); break;
      case 4: float64 = readFloat64s(r, wire, float64); break;
      case 5: uint32 = readUint32s(r, wire, uint32); break;
      case 6: {
        const values = readUint32s(r, wire, undefined);
        if (bools === NO_BOOLS) bools = [];
        for (let i = 0; i < values.length; i++) bools.push(values[i] !== 0);
        break;
      }
      case 7: complex64 = readFloat32s(r, wire, complex64); break;
      case 8: complex128 = readFloat64s(r, wire, complex128); break;
      case 9:
        expectWire(wire, 2, field);
        if (strings === NO_STRINGS) strings = [];
        strings.push(r.string());
        break;
      case 10: expectWire(wire, 0, field); elemType = r.uint32() | 0; break;
      case 11: shape = readDims(r, wire, shape); break;
      case 12: lod = readDims(r, wire, lod); break;
      case 13: expectWire(wire, 2, field); name = r.string(); break;
      case 14: expectWire(wire, 2, field); alias = r.string(); break;
      case 15: {
        expectWire(wire, 2, field);
        const length = r.length();
        content = r.bytes.subarray(r.pos, r.pos + length);
        r.pos += length;
        break;
      }
      default: r.skip(wire);
    }
  }
  if (r.pos !== end) throw new Error('a field runs past the end of its tensor');
  return {
    int64_data: int64 ?? EMPTY_F64, float_data: float32 ?? EMPTY_F32, int_data: int32 ?? EMPTY_I32,
    float64_data: float64 ?? EMPTY_F64, uint32_data: uint32 ?? EMPTY_U32, bool_data: bools,
    complex64_data: complex64 ?? EMPTY_F32, complex128_data: complex128 ?? EMPTY_F64, data: strings,
    elem_type: elemType, shape: shape ?? NO_DIMS, lod: lod ?? NO_DIMS, name, alias_name: alias, tensor_content: content,
  };
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_F32 = new Float32Array(0);
const EMPTY_I32 = new Int32Array(0);
const NO_DIMS = Object.freeze([]) as unknown as number[];
const EMPTY_U32 = new Uint32Array(0);
/** Shared, frozen: absent repeated fields read as empty (as protobufjs's shared defaults). */
const NO_BOOLS = Object.freeze([]) as unknown as boolean[];
const NO_STRINGS = Object.freeze([]) as unknown as string[];

function expectWire(wire: number, expected: number, field: number): void {
  expectWireType(wire, expected, `field ${field}`);
}

export function decodePaddleRequest(bytes: Uint8Array): PaddleRequest {
  const r = new WireReader(bytes, 0, bytes.byteLength);
  const tensors: PaddleTensor[] = [];
  const fetch: string[] = [];
  let profile = false;
  let logId = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: {
        expectWire(wire, 2, field);
        const length = r.length();
        tensors.push(decodeTensor(r, r.pos + length));
        break;
      }
      case 2: expectWire(wire, 2, field); fetch.push(r.string()); break;
      case 3: expectWire(wire, 0, field); profile = r.uint32() !== 0; break;
      case 4: expectWire(wire, 0, field); logId = r.uint64(); break;
      default: r.skip(wire);
    }
  }
  return { tensor: tensors, fetch_var_names: fetch, profile_server: profile, log_id: logId };
}
