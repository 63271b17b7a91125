/**
 * The one error type of rec-serving.
 *
 * Contract:
 * - `Code` uses gRPC's numbering, so protocol adapters map it by identity (gRPC) or through one
 *   table (HTTP). The client library imports this file, so client and server agree on codes.
 * - Only a `ServingError`'s message reaches a client. Anything else becomes
 *   `INTERNAL "internal error"` through `ServingError.from()`, the original kept in `cause`
 *   for the log.
 * - Messages state the constraint and the actual value: `input "C1": expected dtype int64; got float32`.
 */

export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** Longest message sent to a client, as TF Serving's kErrorMessageLimit. */
const MAX_ERROR_MESSAGE_CHARS = 1024;

export class ServingError extends Error {
  readonly code: Code;
  /** The message without any prefix, as sent to the client. */
  readonly rawMessage: string;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServingError';
    this.code = code;
    this.rawMessage = message;
  }

  /** Wraps anything thrown into a ServingError; unknown errors become INTERNAL with the cause kept. */
  static from(reason: unknown): ServingError {
    if (reason instanceof ServingError) return reason;
    return internal(reason);
  }

  /** The `{ code, details }` shape grpc-js honours in a callback's error argument. */
  toGrpcStatus(): { code: number; details: string } {
    return { code: this.code, details: truncate(this.rawMessage) };
  }
}

function truncate(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE_CHARS ? message : `${message.slice(0, MAX_ERROR_MESSAGE_CHARS - 3)}...`;
}

export const invalidArgument = (message: string) => new ServingError(Code.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new ServingError(Code.NOT_FOUND, message);
export const unavailable = (message: string) => new ServingError(Code.UNAVAILABLE, message);
export const deadlineExceeded = (message: string) => new ServingError(Code.DEADLINE_EXCEEDED, message);
export const cancelled = (message: string) => new ServingError(Code.CANCELLED, message);
export const internal = (cause: unknown) => new ServingError(Code.INTERNAL, 'internal error', { cause });

/** HTTP status for a code, as Triton and KServe map them. */
export function httpStatusOf(code: Code): number {
  switch (code) {
    case Code.OK: return 200;
    case Code.INVALID_ARGUMENT: case Code.OUT_OF_RANGE: case Code.FAILED_PRECONDITION: return 400;
    case Code.NOT_FOUND: return 404;
    case Code.UNAVAILABLE: case Code.RESOURCE_EXHAUSTED: return 503;
    case Code.DEADLINE_EXCEEDED: return 504;
    case Code.CANCELLED: return 499;
    case Code.UNIMPLEMENTED: return 501;
    default: return 500;
  }
}
