/**
 * The project's protobufjs instance, configured once: 64-bit integers decode as JS numbers
 * instead of Long objects (an allocation per value on the request path). Values beyond 2^53 - 1
 * would be rounded, so none is served rounded: Predict carries tensors as raw bytes (exact), and
 * Paddle's `int64_data` values beyond ±(2^53 - 1) are refused with INVALID_ARGUMENT by
 * paddle/service/paddle-tensor-codec.ts; shapes and timestamps are far below 2^53.
 *
 * Contract: code that decodes requests imports protobufjs through this module, so the setting
 * holds before its first decode. The setting is process-wide: once this module is loaded, every
 * protobufjs user in the process decodes 64-bit integers as numbers. model/ sits below this
 * layer and imports protobufjs directly: model/onnx/onnx-schema.ts (the model generator runs
 * without this module) reads int64 fields through `toSafeNumber`/`toBigInt`, which accept both
 * a `Long` and a number; model/protobuf-text produces numbers itself, refusing values beyond
 * 2^53 - 1; Paddle's GeneralModelConfig has no 64-bit field.
 *
 * One protobuf runtime for first-party code: protobufjs, because @grpc/proto-loader (which
 * grpc-js's reflection and health services use) is built on it, so it is in the process anyway.
 * It handles everything on the wire (our requests, Paddle's and KServe's messages, ONNX models)
 * and, through model/protobuf-text (a schema-aware text-format reader and writer over protobufjs
 * reflection), the text-format configs: Paddle's serving_server_conf.prototxt and Triton's
 * config.pbtxt.
 */
import * as protobuf from 'protobufjs';

(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();

export { protobuf };
