/**
 * The project's protobufjs instance, configured once: 64-bit integers decode as JS numbers
 * instead of Long objects (an allocation per value on the request path). Values beyond 2^53 lose
 * precision; no field we decode carries such values (ids are < 2^31, timestamps are µs).
 *
 * Contract: code that decodes requests imports protobufjs through this module, so the setting
 * holds before its first decode. The setting is process-wide: once this module is loaded, every
 * protobufjs user in the process decodes 64-bit integers as numbers, including
 * model/onnx/onnx-schema.ts, which imports protobufjs directly (the model generator must run
 * without this module) and therefore reads int64 fields through `toSafeNumber`/`toBigInt`,
 * which accept both a `Long` and a number.
 */
import * as protobuf from 'protobufjs';

(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();

export { protobuf };
