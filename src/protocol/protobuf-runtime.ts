/**
 * The project's protobufjs instance, configured once: 64-bit integers decode as JS numbers
 * instead of Long objects (an allocation per value on the request path). Values beyond 2^53 - 1
 * would be rounded, so none is served rounded: Predict carries tensors as raw bytes (exact), and
 * Paddle's `int64_data` values beyond ±(2^53 - 1) are refused with INVALID_ARGUMENT by
 * paddle/service/paddle-tensor-codec.ts; shapes and timestamps are far below 2^53.
 *
 * Contract: code that decodes requests imports protobufjs through this module, so the setting
 * holds before its first decode. The setting is process-wide: once this module is loaded, every
 * protobufjs user in the process decodes 64-bit integers as numbers, including
 * model/onnx/onnx-schema.ts, which imports protobufjs directly (the model generator must run
 * without this module) and therefore reads int64 fields through `toSafeNumber`/`toBigInt`,
 * which accept both a `Long` and a number.
 *
 * Two protobuf runtimes, on purpose: protobufjs handles everything on the wire (our requests,
 * Paddle's and KServe's messages, ONNX models) because @grpc/proto-loader, which grpc-js's
 * reflection and health services use, is built on it. @bufbuild/protobuf reads and writes only
 * the text-format configs (Paddle's serving_server_conf.prototxt and its binary twin, Triton's
 * config.pbtxt) because protobufjs has no text-format parser and a hand-written one would not
 * reject unknown fields and wrong types with the line as `txtpb` does. Neither runtime reaches the
 * other's messages.
 */
import * as protobuf from 'protobufjs';

(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();

export { protobuf };
