/**
 * Public surface of Paddle Serving's model config support: read/write the text and binary
 * `serving_*_conf` files and map them onto `ModelSignature`. Everything else in this folder
 * (the text/binary codecs, the protobufjs schema) is internal.
 */
export {
  CONFIG_FILES, CONFIG_FILE_NAMES, type ConfigKind, type WriteGeneralModelConfigOptions,
  findGeneralModelConfigFile, readGeneralModelConfig, readGeneralModelConfigFromDir,
  readModelSignatureFromDir, writeGeneralModelConfig,
} from './general-model-config';
export {
  type FeedVarInit, type FetchVarInit, type GeneralModelConfigInit,
  createGeneralModelConfig, fromModelSignature,
} from './create-general-model-config';
export { toModelSignature, type ToModelSignatureOptions } from './to-model-signature';
export { PaddleTypeCode, describePaddleCode, dtypeOfPaddleCode, paddleCodeOfDType } from './paddle-dtype';
export { parseGeneralModelConfigText, formatGeneralModelConfigText } from './general-model-config-text';
export { parseGeneralModelConfigBinary, serializeGeneralModelConfigBinary } from './general-model-config-binary';
export type { FeedVar, FetchVar, GeneralModelConfig } from './general-model-config-schema';
