/**
 * baidu_std payload compression (brpc's `compress_type`): none, gzip and zlib; snappy is refused.
 *
 * Contract: `decompressPayload` inflates at most `maxBytes` bytes (Paddle's --max_body_size):
 * inflating stops as soon as the output passes the limit, so a small compressed bomb never
 * allocates more than the limit, and the call fails with INVALID_ARGUMENT naming the limit.
 * Corrupt data and unsupported types fail with INVALID_ARGUMENT naming the problem.
 */
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { invalidArgument } from '../../core/errors';
import { CompressType } from './brpc-codes';

const gunzip = promisify(zlib.gunzip);
const gzip = promisify(zlib.gzip);
const inflate = promisify(zlib.inflate);
const deflate = promisify(zlib.deflate);

export async function decompressPayload(bytes: Uint8Array, type: number, maxBytes: number): Promise<Uint8Array> {
  if (type === CompressType.NONE) return bytes;
  if (type !== CompressType.GZIP && type !== CompressType.ZLIB) {
    throw invalidArgument(`compress_type ${type}${type === CompressType.SNAPPY ? ' (snappy)' : ''} is not supported; use 0 (none), 2 (gzip) or 3 (zlib)`);
  }
  const format = type === CompressType.GZIP ? 'gzip' : 'zlib';
  try {
    // maxOutputLength makes zlib stop (not finish, then check) once the output passes the limit.
    return await (type === CompressType.GZIP ? gunzip : inflate)(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw invalidArgument(`${format} payload inflates to more than the ${maxBytes}-byte limit (--max_body_size); got ${bytes.byteLength} compressed bytes`);
    }
    throw invalidArgument(`payload is not valid ${format} data: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function compressPayload(bytes: Uint8Array, type: number): Promise<Uint8Array> {
  if (type === CompressType.GZIP) return gzip(bytes);
  if (type === CompressType.ZLIB) return deflate(bytes);
  return bytes;
}
