/**
 * Public surface of the ONNX helpers: a graph builder that writes ModelProto bytes, and a
 * reader of model info (inputs, outputs, metadata, id ranges) that never loads ONNX Runtime.
 */
export { OnnxGraphBuilder, attr, littleEndianBytes } from './onnx-graph-builder';
export type { OnnxAttribute, OnnxDim, OnnxModelOptions, OnnxValueSpec } from './onnx-graph-builder';
export { ONNX_DATA_TYPE, onnxDTypeFromCode, isIntegerDType } from './onnx-data-type';
export type { OnnxDType, OnnxTensorData } from './onnx-data-type';
export { readOnnxModelInfo } from './read-onnx-model-info';
export type { OnnxModelInfo, OnnxTensorInfo } from './read-onnx-model-info';
export { ID_RANGE_METADATA_PREFIX, parseIdRange } from './infer-id-ranges';
export type { IdRange } from './infer-id-ranges';
