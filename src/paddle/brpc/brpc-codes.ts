/**
 * brpc's numeric codes that baidu_std carries: `compress_type` values and the errno values of
 * `RpcResponseMeta.error_code`, with the mapping from our gRPC-numbered `Code`.
 */
import { Code } from '../../core/errors';

/** brpc's compress_type values. */
export const CompressType = { NONE: 0, SNAPPY: 1, GZIP: 2, ZLIB: 3 } as const;

/** brpc errno values (brpc/errno.proto) used in RpcResponseMeta.error_code. */
export const BrpcErrno = {
  ENOSERVICE: 1001, ENOMETHOD: 1002, EREQUEST: 1003, ERPCTIMEDOUT: 1008, EINTERNAL: 2001, ELIMIT: 2004, ELOGOFF: 2005, ECANCELED: 125,
} as const;

export function brpcErrnoOf(code: Code): number {
  switch (code) {
    case Code.INVALID_ARGUMENT: case Code.OUT_OF_RANGE: case Code.FAILED_PRECONDITION: case Code.NOT_FOUND: return BrpcErrno.EREQUEST;
    case Code.DEADLINE_EXCEEDED: return BrpcErrno.ERPCTIMEDOUT;
    case Code.RESOURCE_EXHAUSTED: return BrpcErrno.ELIMIT;
    case Code.UNAVAILABLE: return BrpcErrno.ELOGOFF;
    case Code.CANCELLED: return BrpcErrno.ECANCELED;
    default: return BrpcErrno.EINTERNAL;
  }
}

