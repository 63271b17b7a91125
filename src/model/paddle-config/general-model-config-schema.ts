/**
 * Paddle's `GeneralModelConfig` (proto/paddle/general_model_config.proto) as a protobufjs type,
 * and the plain objects the rest of the code uses for it.
 *
 * Contract: `GENERAL_MODEL_CONFIG_TYPE` is loaded once from the repository's .proto (field
 * names camelCased by protobufjs; the text format uses the .proto names). `toGeneralModelConfig()`
 * turns a decoded or parsed message into plain objects with every field filled (proto2 defaults
 * for absent ones), so text and binary reads of the same config are deep-equal.
 */
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { REPO_ROOT } from '../../paths/repo-root';

export interface FeedVar {
  name: string;
  aliasName: string;
  isLodTensor: boolean;
  /** Paddle type code (see `PaddleTypeCode`). */
  feedType: number;
  /** Excludes the batch dimension; -1 is dynamic. */
  shape: number[];
}

export interface FetchVar {
  name: string;
  aliasName: string;
  isLodTensor: boolean;
  fetchType: number;
  shape: number[];
}

export interface GeneralModelConfig {
  feedVar: FeedVar[];
  fetchVar: FetchVar[];
}

const PROTO_FILE = path.join(REPO_ROOT, 'proto', 'paddle', 'general_model_config.proto');

function loadType(): protobuf.Type {
  const root = protobuf.loadSync(PROTO_FILE);
  root.resolveAll();
  return root.lookupType('baidu.paddle_serving.configure.GeneralModelConfig');
}

export const GENERAL_MODEL_CONFIG_TYPE: protobuf.Type = loadType();

/** The shape protobufjs gives a decoded or parsed message (defaults on the prototype). */
interface VarMessage { name: string; aliasName: string; isLodTensor: boolean; feedType?: number; fetchType?: number; shape: ArrayLike<number> }

/** Plain objects, every field filled, from a protobufjs message of GENERAL_MODEL_CONFIG_TYPE. */
export function toGeneralModelConfig(message: object): GeneralModelConfig {
  const m = message as { feedVar: VarMessage[]; fetchVar: VarMessage[] };
  const common = (v: VarMessage) => ({ name: v.name, aliasName: v.aliasName, isLodTensor: v.isLodTensor });
  return {
    feedVar: m.feedVar.map((v) => ({ ...common(v), feedType: v.feedType ?? 0, shape: Array.from(v.shape) })),
    fetchVar: m.fetchVar.map((v) => ({ ...common(v), fetchType: v.fetchType ?? 0, shape: Array.from(v.shape) })),
  };
}
