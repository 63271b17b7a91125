/**
 * Serve flags of the model repository (Triton's names): `--model_repository`,
 * `--model_control_mode none|poll|explicit`, `--repository_poll_secs` and `--load_model`; and
 * `--mmap_weights` (how each version's sessions hold the weights). Kept out
 * of serve-config.ts so that file only wires them in.
 *
 * Contract: `repositoryConfigFromFlags(flags, problems)` never throws: it pushes one message per
 * bad value or conflicting combination into `problems` (a flag that would have no effect in the
 * chosen mode is refused with the reason) and returns the defaults for those.
 */
import type { FlagSpecs, ParsedFlags } from './parse-flags';

export type ModelControlMode = 'none' | 'poll' | 'explicit';

export interface RepositoryConfig {
  /** Directory of models (`<model>/<version>/model.onnx`); undefined: `--model DIR` is the one model. */
  readonly modelRepository: string | undefined;
  readonly modelControlMode: ModelControlMode;
  /** Seconds between repository scans in poll mode. */
  readonly repositoryPollSecs: number;
  /** Explicit mode: models loaded at start-up (empty: every model in the repository). */
  readonly loadModels: readonly string[];
  /** Sessions of a version map one private read-only weights file (engine/model-weights-file.ts) instead of copying the weights each. */
  readonly mmapWeights: boolean;
}

export const REPOSITORY_FLAGS: FlagSpecs = {
  model_repository: { kind: 'string', help: 'directory with one sub-directory per model (<model>/<version>/model.onnx, config.pbtxt and/or serving_server_conf.prototxt); replaces --model', defaultText: 'none (serve --model)' },
  model_control_mode: { kind: 'string', help: 'none (load at start and on SIGHUP) | poll (also re-read the repository every --repository_poll_secs) | explicit (also load/unload through the repository API)', defaultText: 'none' },
  repository_poll_secs: { kind: 'integer', help: 'seconds between repository scans with --model_control_mode poll', defaultText: '15' },
  mmap_weights: { kind: 'boolean', help: 'every session of a model version memory-maps one private, read-only copy of its validated weights instead of holding its own copy (one copy per version, not per worker)', defaultText: 'true' },
  load_model: { kind: 'list', help: 'with --model_control_mode explicit: the models loaded at start-up', defaultText: 'every model in the repository' },
};

const MODES: readonly ModelControlMode[] = ['none', 'poll', 'explicit'];

export function repositoryConfigFromFlags(flags: ParsedFlags, problems: string[]): RepositoryConfig {
  const modelRepository = flags.model_repository as string | undefined;
  if (modelRepository !== undefined && flags.model !== undefined) problems.push(`--model ${String(flags.model)} and --model_repository ${modelRepository} are both given: serve one model directory (--model) or a repository of models (--model_repository)`);
  if (modelRepository === '') problems.push('--model_repository must name a directory; got ""');
  const mode = (flags.model_control_mode as string | undefined) ?? 'none';
  if (!(MODES as readonly string[]).includes(mode)) problems.push(`--model_control_mode must be one of ${MODES.join(', ')}; got "${mode}"`);
  const pollSecs = (flags.repository_poll_secs as number | undefined) ?? 15;
  if (!Number.isSafeInteger(pollSecs) || pollSecs < 1) problems.push(`--repository_poll_secs must be an integer >= 1 (seconds); got ${String(flags.repository_poll_secs)}`);
  if (flags.repository_poll_secs !== undefined && mode !== 'poll') problems.push(`--repository_poll_secs applies only with --model_control_mode poll (mode is ${mode})`);
  const loadModels = (flags.load_model as string[] | undefined ?? []).filter((name) => name !== '');
  if (loadModels.length > 0 && mode !== 'explicit') problems.push(`--load_model applies only with --model_control_mode explicit (mode is ${mode}); the other modes load every model`);
  return Object.freeze({ modelRepository, modelControlMode: mode as ModelControlMode, repositoryPollSecs: pollSecs, loadModels: Object.freeze(loadModels), mmapWeights: (flags.mmap_weights as boolean | undefined) ?? true });
}
