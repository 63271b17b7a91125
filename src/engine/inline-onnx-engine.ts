/**
 * An `InferenceEngine` whose ONNX Runtime session lives on the calling (main) thread. The batcher
 * sends it a small request only when every worker is idle and nothing is queued: at one request
 * in flight that saves the two thread hand-offs of a worker round trip and runs on the thread
 * whose caches already hold the request.
 *
 * Contract: `create` loads the model with the workers' session options (CPU provider only) and
 * warms it at the given batch sizes; it rejects with ONNX Runtime's message on failure. `run`
 * blocks the event loop for the duration of one `session.run` (the caller bounds the rows), and
 * never runs two at once: `busy` is true from the call until it settles. ORT failures become
 * INTERNAL ServingErrors with the cause kept for the log.
 */
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import type { EngineDescription, EngineRunResult, InferenceEngine } from '../core/inference-engine';
import { sessionSource, type ModelImage } from './model-image';
import { OrtSessionRunner } from './ort-session-runner';
import { toOrtSessionOptions, type SessionConfig } from './session-config';

export interface InlineOnnxEngineOptions {
  readonly model: ModelImage;
  readonly session: SessionConfig;
  readonly warmupFeeds?: ReadonlyArray<Record<string, HostTensor>>;
  readonly warmupOutputNames?: readonly string[];
}

export class InlineOnnxEngine implements InferenceEngine {
  private running: Promise<unknown> | undefined;
  private closed = false;

  private constructor(private readonly runner: OrtSessionRunner, private readonly options: InlineOnnxEngineOptions) {}

  /** The CPU-only session options of `session`, or the reason a main-thread session cannot share them. */
  static cpuOnly(session: SessionConfig): { session: SessionConfig } | { reason: string } {
    const chains = session.workerExecutionProviders ?? [session.executionProviders];
    const other = chains.flat().find((provider) => provider.name !== 'cpu');
    if (other !== undefined) return { reason: `the workers run on ${other.name}; main-thread runs use the CPU provider only` };
    return { session: { ...session, executionProviders: [{ name: 'cpu' }], workerExecutionProviders: undefined } };
  }

  static async create(options: InlineOnnxEngineOptions): Promise<InlineOnnxEngine> {
    const runner = await OrtSessionRunner.create(sessionSource(options.model), toOrtSessionOptions(options.session), options.model.packings);
    const engine = new InlineOnnxEngine(runner, options);
    for (const feeds of options.warmupFeeds ?? []) await engine.run(feeds, options.warmupOutputNames ?? []);
    return engine;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  async run(feeds: Record<string, HostTensor>, outputNames: readonly string[]): Promise<EngineRunResult> {
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the engine is closed');
    if (this.running !== undefined) throw new ServingError(Code.INTERNAL, 'internal error', { cause: new Error('inline engine asked to run two requests at once') });
    const run = this.runner.run(feeds, outputNames);
    this.running = run;
    try {
      const { outputs, computeMicros } = await run;
      return { outputs, queueMicros: 0, computeMicros };
    } catch (cause) {
      throw new ServingError(Code.INTERNAL, 'internal error', { cause });
    } finally {
      this.running = undefined;
    }
  }

  describe(): EngineDescription {
    return { executionProviders: ['cpu'], workers: 1, details: { thread: 'main', session: toOrtSessionOptions(this.options.session) } };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.running?.catch(() => undefined);
    await this.runner.release();
  }
}
