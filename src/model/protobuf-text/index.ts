/**
 * Protobuf text format over protobufjs reflection: `parseProtobufText()` (schema-aware, refuses
 * with line and column) and `printProtobufText()` (the layout protobuf C++ and Paddle write).
 * Used for the text-format model configs (Paddle's prototxt, Triton's config.pbtxt).
 */
export { parseProtobufText, type ParseProtobufTextOptions } from './parse-protobuf-text';
export { printProtobufText } from './print-protobuf-text';
export { ProtobufTextError } from './protobuf-text-error';
