/**
 * Reads an HTTP/1.1 request body for the HTTP front ends (Paddle's HTTP API, Paddle's WebService
 * path, the Open Inference Protocol's REST API), so each applies the same limits.
 *
 * Contract: `readBody` resolves with the body, inflated (gzip, deflate), within `maxBytes`: over it
 * (declared or read, before or after inflating) it rejects with a 413 HttpBodyError before reading
 * on; an unknown Content-Encoding is a 415 HttpBodyError; a client that leaves mid-body is
 * CANCELLED; a body that does not inflate is INVALID_ARGUMENT; a request its `admission` check
 * refuses gets that error before any of its body is read.
 */
import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { Code, ServingError, cancelled, invalidArgument } from '../core/errors';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/** A request-body error with its own HTTP status (413, 415); its code is INVALID_ARGUMENT. */
export class HttpBodyError extends ServingError {
  constructor(readonly status: number, message: string) {
    super(Code.INVALID_ARGUMENT, message);
  }
}

/**
 * The request body, inflated, within `maxBytes` (413 HttpBodyError), CANCELLED when the client
 * leaves mid-body. `admission`, asked first, refuses the request (its error is thrown) before
 * any of the body is read.
 */
export async function readBody(req: http.IncomingMessage, maxBytes: number, admission?: () => ServingError | undefined): Promise<Buffer> {
  const refused = admission?.();
  if (refused !== undefined) {
    req.resume();
    throw refused;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    // Refused before any of it is read, as gRPC refuses an oversized message.
    req.resume();
    throw new HttpBodyError(413, `request body of ${declared} bytes (Content-Length) is over the ${maxBytes}-byte limit (--max_body_size)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new HttpBodyError(413, `request body is over the ${maxBytes}-byte limit (--max_body_size)`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpBodyError) throw error;
    // Node reports a client that left mid-body as an 'aborted' / ECONNRESET error on the request.
    throw cancelled(`the HTTP client closed the connection after ${size} bytes of the body`);
  }
  const raw = Buffer.concat(chunks, size);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new HttpBodyError(415, `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
  }
  try {
    return await (encoding === 'gzip' ? gunzip : inflate)(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpBodyError(413, `${encoding} request body inflates to more than the ${maxBytes}-byte limit (--max_body_size); got ${raw.byteLength} compressed bytes`);
    }
    throw invalidArgument(`request body is not valid ${encoding} data: ${error instanceof Error ? error.message : String(error)}`);
  }
}
