/**
 * Serves a bytes-in, bytes-out `UnaryHandler` (net/grpc-unary-stream.ts) through grpc-js, for the
 * methods whose fast HTTP/2 route is not installed. The method definition must pass bytes through
 * (no (de)serialisation in grpc-js): `bytesUnaryMethod` defines one.
 *
 * Contract: the call's deadline and cancellation become the handler's `deadlineEpochMs` and
 * `signal` (call-signal.ts); a thrown ServingError becomes its gRPC status, anything else
 * INTERNAL "internal error".
 */
import { nowEpochMs } from '../core/epoch-time';
import type * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { ServingError } from '../core/errors';
import type { UnaryHandler } from './grpc-unary-stream';
import { signalForCall } from './call-signal';

/** The response serializer of a pass-through method: grpc-js frames what a serializer returns as a Buffer. */
export const asResponseBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

const passThrough = (bytes: Buffer): Buffer => bytes;

/** A unary grpc-js method at `path` that passes the encoded request and response through untouched. */
export function bytesUnaryMethod(path: string): grpc.MethodDefinition<Buffer, Uint8Array> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: asResponseBuffer,
    responseDeserialize: passThrough,
  };
}

/** grpc-js names peers `ipv4:1.2.3.4:5`, `ipv6:[::1]:5` or `unix:...`; parsed only when read (access log). */
function peerOf(call: { getPeer(): string }): { readonly remoteAddress: string; readonly remotePort?: number } {
  let parsed: { remoteAddress: string; remotePort?: number } | undefined;
  const parse = () => {
    if (parsed === undefined) {
      const text = call.getPeer();
      const match = /^(?:ipv4:|ipv6:)?\[?([^\]]*?)\]?:(\d+)$/.exec(text);
      parsed = match === null ? { remoteAddress: text } : { remoteAddress: match[1], remotePort: Number(match[2]) };
    }
    return parsed;
  };
  return { get remoteAddress() { return parse().remoteAddress; }, get remotePort() { return parse().remotePort; } };
}

export function grpcJsUnary(handler: UnaryHandler): grpc.handleUnaryCall<Buffer, Uint8Array> {
  return (call, callback) => {
    const callSignal = signalForCall(call, nowEpochMs());
    const deadline = call.getDeadline();
    const deadlineEpochMs = deadline instanceof Date ? deadline.getTime() : deadline;
    handler(call.request, { deadlineEpochMs, signal: callSignal.signal, get peer() { return peerOf(call); } }).then(
      (bytes) => callback(null, bytes),
      (error: unknown) => callback(ServingError.from(error).toGrpcStatus() as grpc.ServiceError, null),
    ).finally(() => callSignal.dispose());
  };
}
