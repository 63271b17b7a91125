/**
 * Maps a Paddle `GeneralModelConfig` onto this server's `ModelSignature`.
 *
 * Contract:
 * - feed_var -> inputs, fetch_var -> outputs, in config order. `name` is the model's real name,
 *   `alias` is `alias_name` (or `name` when empty), `shape` is the config's (batch excluded).
 * - Everything this server cannot serve is rejected up front with one `INVALID_ARGUMENT` that
 *   lists every problem, each naming the var: a missing name, an unsupported or unknown type
 *   code, a LoD tensor, a dimension other than -1 or a positive size, a duplicate name or alias,
 *   and a config without feeds or fetches.
 * - The result is deep-frozen.
 */
import { invalidArgument } from '../../core/errors';
import type { ModelSignature, TensorSpec } from '../../core/model-signature';
import type { FeedVar, FetchVar, GeneralModelConfig } from './general-model-config-schema';
import { dtypeOfPaddleCode } from './paddle-dtype';

export interface ToModelSignatureOptions {
  /** The config file, prefixed to error messages. */
  readonly source?: string;
}

export function toModelSignature(config: GeneralModelConfig, options: ToModelSignatureOptions = {}): ModelSignature {
  const problems: string[] = [];
  const inputs = toSpecs('feed_var', config.feedVar, (v: FeedVar) => v.feedType, 'feed_type', problems);
  const outputs = toSpecs('fetch_var', config.fetchVar, (v: FetchVar) => v.fetchType, 'fetch_type', problems);
  if (problems.length > 0) {
    const prefix = options.source === undefined ? '' : `${options.source}: `;
    throw invalidArgument(`${prefix}invalid model config: ${problems.join('; ')}`);
  }
  return Object.freeze({ inputs: Object.freeze(inputs), outputs: Object.freeze(outputs) });
}

function toSpecs<V extends FeedVar | FetchVar>(
  kind: 'feed_var' | 'fetch_var',
  vars: readonly V[],
  typeOf: (v: V) => number,
  typeField: string,
  problems: string[],
): TensorSpec[] {
  if (vars.length === 0) problems.push(`no ${kind} entries; a model needs at least one`);
  const specs: TensorSpec[] = [];
  const names = new Set<string>();
  const aliases = new Set<string>();
  vars.forEach((v, i) => {
    const what = v.name === '' ? `${kind}[${i}]` : `${kind} "${v.name}"`;
    const alias = v.aliasName === '' ? v.name : v.aliasName;
    if (v.name === '') problems.push(`${what}: name is empty`);
    else if (names.has(v.name)) problems.push(`${what}: duplicate name "${v.name}"`);
    if (alias !== '' && aliases.has(alias)) problems.push(`${what}: duplicate alias_name "${alias}"`);
    names.add(v.name);
    aliases.add(alias);
    if (v.isLodTensor) {
      problems.push(`${what}: is_lod_tensor is true; LoD (variable-length) tensors are not supported by this server`);
    }
    const badDims = v.shape.filter((d) => d !== -1 && d < 1);
    if (badDims.length > 0) {
      problems.push(`${what}: shape dimensions must be positive or -1; got [${v.shape.join(', ')}]`);
    }
    try {
      const dtype = dtypeOfPaddleCode(typeOf(v), `${what} ${typeField}`);
      specs.push(Object.freeze({ name: v.name, alias, dtype, shape: Object.freeze([...v.shape]) }));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  });
  return specs;
}
