/**
 * The project's protobufjs instance, configured once: 64-bit integers decode as JS numbers
 * instead of Long objects (an allocation per value on the request path). Values beyond 2^53 lose
 * precision; no field we decode carries such values (ids are < 2^31, timestamps are µs).
 *
 * Contract: import protobufjs through this module, never directly, so the setting always holds.
 */
import * as protobuf from 'protobufjs';

(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();

export { protobuf };
