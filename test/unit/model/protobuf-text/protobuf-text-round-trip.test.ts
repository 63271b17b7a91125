/**
 * print -> parse gives the message back, on seeded random messages: every scalar type of the
 * test schema, Paddle's GeneralModelConfig (through the config module's own format/parse) and
 * the Triton ModelConfig subset read from config.pbtxt.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as protobuf from 'protobufjs';
import { SeededRandom } from '../../../../src/data/seeded-random';
import { parseProtobufText, printProtobufText } from '../../../../src/model/protobuf-text';
import {
  createGeneralModelConfig, formatGeneralModelConfigText, parseGeneralModelConfigText,
} from '../../../../src/model/paddle-config';
import { MODEL_CONFIG_TYPE, TRITON_DATA_TYPES, TRITON_INSTANCE_KINDS } from '../../../../src/repository/model-config-schema';
import { ScalarsType } from './text-format-schema';

const CASES = 200;

class Gen {
  constructor(private readonly rng: SeededRandom) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.rng.nextFloat() * (max - min + 1));
  }
  chance(p = 0.5): boolean {
    return this.rng.nextFloat() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  list<T>(max: number, make: () => T): T[] {
    return Array.from({ length: this.int(0, max) }, make);
  }
  /** Names with quotes, backslashes, controls, C1 controls, non-ASCII and astral characters. */
  text(max = 12): string {
    const alphabet = ['a', 'Z', '_', '.', '/', ' ', '"', "'", '\\', '\n', '\t', '\r', '\x00', '\x1f', '\x7f', '\u0085', 'é', '日', '😀', '#', '{', ']'];
    return this.list(max, () => this.pick(alphabet)).join('');
  }
  bytes(max = 12): Uint8Array {
    return Uint8Array.from(this.list(max, () => this.int(0, 255)));
  }
  /** Integers across the whole safe range, edges included. */
  safeInt(min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    if (this.chance(0.2)) return this.pick([min, max, 0, Math.max(min, -1), Math.min(max, 1)]);
    return Math.max(min, Math.min(max, Math.round((this.rng.nextFloat() * 2 - 1) * 10 ** this.int(0, 16)))) + 0; // never -0
  }
  double(): number {
    if (this.chance(0.1)) return this.pick([Infinity, -Infinity, NaN, 0, -0, Number.MIN_VALUE, Number.MAX_VALUE]);
    return (this.rng.nextFloat() - 0.5) * 10 ** this.int(-30, 30);
  }
}

/** A message compared as protobufjs sees it, every field filled with its default when absent. */
function canonical(type: protobuf.Type, message: object): unknown {
  return type.toObject(type.fromObject(message), { defaults: true, arrays: true, enums: Number, longs: Number, bytes: Array });
}

function randomScalars(g: Gen, depth: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const maybe = (name: string, make: () => unknown) => { if (g.chance(0.7)) m[name] = make(); };
  maybe('i32', () => g.safeInt(-(2 ** 31), 2 ** 31 - 1));
  maybe('u32', () => g.safeInt(0, 2 ** 32 - 1));
  maybe('s32', () => g.safeInt(-(2 ** 31), 2 ** 31 - 1));
  maybe('f32', () => g.safeInt(0, 2 ** 32 - 1));
  maybe('sf32', () => g.safeInt(-(2 ** 31), 2 ** 31 - 1));
  maybe('i64', () => g.safeInt());
  maybe('u64', () => g.safeInt(0));
  maybe('s64', () => g.safeInt());
  maybe('f64', () => g.safeInt(0));
  maybe('sf64', () => g.safeInt());
  maybe('fl', () => Math.fround(g.double()));
  maybe('db', () => g.double());
  maybe('ok', () => g.chance());
  maybe('text', () => g.text());
  maybe('raw', () => g.bytes());
  maybe('color', () => g.int(0, 4));
  maybe('ints', () => g.list(4, () => g.safeInt(-(2 ** 31), 2 ** 31 - 1)));
  maybe('texts', () => g.list(3, () => g.text()));
  if (depth < 3) {
    maybe('children', () => g.list(2, () => randomScalars(g, depth + 1)));
    maybe('child', () => randomScalars(g, depth + 1));
  }
  if (g.chance(0.3)) m.left = g.text();
  else if (g.chance(0.3)) m.right = g.safeInt(-(2 ** 31), 2 ** 31 - 1);
  maybe('maybe', () => g.safeInt(-3, 3));
  return m;
}

function randomModelConfig(g: Gen): Record<string, unknown> {
  const dims = () => g.list(4, () => g.pick([-1, 1, g.safeInt(1, 4096), g.safeInt()]));
  const policy = g.pick([
    undefined, { latest: { numVersions: g.safeInt(0, 2 ** 32 - 1) } }, { all: {} }, { specific: { versions: g.list(4, () => g.safeInt()) } },
  ]);
  return {
    name: g.text(), platform: g.pick(['', 'onnxruntime_onnx', g.text()]), backend: g.pick(['', 'onnxruntime']),
    ...(policy === undefined ? {} : { versionPolicy: policy }),
    maxBatchSize: g.safeInt(-(2 ** 31), 2 ** 31 - 1),
    input: g.list(3, () => ({
      name: g.text(), dataType: g.int(0, TRITON_DATA_TYPES.length + 1), format: g.int(0, 2), dims: dims(),
      ...(g.chance(0.2) ? { reshape: { shape: dims() } } : {}), isShapeTensor: g.chance(), allowRaggedBatch: g.chance(), optional: g.chance(),
    })),
    output: g.list(3, () => ({ name: g.text(), dataType: g.int(0, TRITON_DATA_TYPES.length - 1), dims: dims(), labelFilename: g.text(), isShapeTensor: g.chance() })),
    instanceGroup: g.list(3, () => ({ name: g.text(), kind: g.int(0, TRITON_INSTANCE_KINDS.length - 1), count: g.safeInt(-5, 2 ** 31 - 1), gpus: g.list(3, () => g.int(0, 7)) })),
    defaultModelFilename: g.text(),
    ...(g.chance() ? { dynamicBatching: {
      preferredBatchSize: g.list(4, () => g.safeInt(-(2 ** 31), 2 ** 31 - 1)), maxQueueDelayMicroseconds: g.safeInt(0),
      preserveOrdering: g.chance(), priorityLevels: g.safeInt(0),
    } } : {}),
  };
}

describe('print -> parse round trip', () => {
  it(`gives back ${CASES} random messages of every scalar type`, () => {
    const g = new Gen(SeededRandom.create(1, 'text-format-scalars'));
    for (let i = 0; i < CASES; i++) {
      const message = ScalarsType.fromObject(randomScalars(g, 0));
      const text = printProtobufText(ScalarsType, message);
      const back = parseProtobufText(ScalarsType, text);
      assert.deepEqual(canonical(ScalarsType, back), canonical(ScalarsType, message), `case ${i}:\n${text}`);
      assert.equal(printProtobufText(ScalarsType, back), text, `case ${i}: printing is stable`);
    }
  });

  it(`gives back ${CASES} random Paddle GeneralModelConfigs through the config's format and parse`, () => {
    const g = new Gen(SeededRandom.create(2, 'text-format-paddle'));
    const vars = () => g.list(5, () => ({
      name: g.text(), aliasName: g.text(), isLodTensor: g.chance(), type: g.safeInt(-(2 ** 31), 2 ** 31 - 1),
      shape: g.list(4, () => g.safeInt(-(2 ** 31), 2 ** 31 - 1)),
    }));
    for (let i = 0; i < CASES; i++) {
      const config = createGeneralModelConfig({
        feedVar: vars().map(({ type, ...v }) => ({ ...v, feedType: type })),
        fetchVar: vars().map(({ type, ...v }) => ({ ...v, fetchType: type })),
      });
      const text = formatGeneralModelConfigText(config);
      assert.deepEqual(parseGeneralModelConfigText(text, `case ${i}`), config, `case ${i}:\n${text}`);
    }
  });

  it(`gives back ${CASES} random Triton ModelConfigs`, () => {
    const g = new Gen(SeededRandom.create(3, 'text-format-triton'));
    for (let i = 0; i < CASES; i++) {
      const message = MODEL_CONFIG_TYPE.fromObject(randomModelConfig(g));
      const text = printProtobufText(MODEL_CONFIG_TYPE, message);
      const back = parseProtobufText(MODEL_CONFIG_TYPE, text);
      assert.deepEqual(canonical(MODEL_CONFIG_TYPE, back), canonical(MODEL_CONFIG_TYPE, message), `case ${i}:\n${text}`);
    }
  });
});
