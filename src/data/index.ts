/**
 * Public barrel of `src/data/`: Criteo data formats, the id hash, readers, batching and feeds,
 * offline metrics and the synthetic data generator. This folder depends on nothing else in
 * `src/` (its feed tensors are structurally `core/tensor`'s `HostTensor`).
 */
export { auc, logLoss } from './classification-metrics';
export { batchRecords, type BatchRecordsOptions } from './batch-records';
export { CRITEO_VOCABULARY_SIZE, cpython2StringHash, criteoCategoricalId } from './criteo-hash';
export { DEFAULT_FEED_NAMES, recordsToFeed, type CriteoFeed, type FeedTensor } from './criteo-feed';
export { createCriteoLineGenerator, MAX_GENERATED_ID, type CriteoLineGenerator } from './criteo-line-generator';
export {
  detectCriteoFormat, listCriteoFiles, readCriteoRecords, type CriteoFormat, type ReadCriteoOptions,
} from './criteo-reader';
export { createCriteoRecord, NUM_DENSE_FEATURES, NUM_SPARSE_SLOTS, type CriteoRecord } from './criteo-record';
export { formatFloat32, formatPython2Float } from './float-format';
export {
  DEFAULT_LINES, DEFAULT_SEED, generateCriteoSlotFiles, type GenerateCriteoOptions, type GenerateCriteoResult,
  type GenerateProgress,
} from './generate-criteo';
export {
  CRITEO_CONT_DIFF, CRITEO_CONT_MIN, parseRawLine, RAW_COLUMN_COUNT, type RawParseOptions,
} from './raw-format';
export { formatSlotLine, parseSlotLine } from './slot-format';
