/**
 * Holds the runs of a real engine (the server's worker pool behind its batcher) until the test
 * opens the gate, so "every worker is busy" lasts exactly as long as the test needs, whatever the
 * machine's speed. Held runs then go through unchanged to the real engine.
 *
 * Start the server with `--inline_max_rows 0` so that lone requests reach the workers (and the
 * gate) instead of the main-thread session. Wraps `run` on that one engine instance (the batcher
 * calls `inner.run`); `restore()` removes the
 * wrapper. Runs started before the gate was installed are not held.
 */
import type { BatchingEngine } from '../../src/batching/batching-engine';
import type { InferenceEngine } from '../../src/core/inference-engine';
import type { RunningServer } from '../../src/server/start-server';

export interface RunGate {
  /** Runs that reached the engine while the gate was closed, released or not. */
  readonly held: number;
  /** Row counts of the held runs, in arrival order (rows of their first feed). */
  readonly heldRows: readonly number[];
  /** Dims of the first feed of every run that reached the engine since the gate was installed, held or not. */
  readonly runDims: ReadonlyArray<readonly number[]>;
  /** Resolves once `count` runs have been held. */
  whenHeld(count: number): Promise<void>;
  /** Lets every held run through, and every later one. */
  open(): void;
  restore(): void;
}

/** The server's real engine under the batcher: runs held here keep the batcher's slots busy. */
export function innerEngineOf(server: RunningServer): InferenceEngine {
  return (server.predictor.model().engine as BatchingEngine).inner;
}

export function gateRuns(engine: InferenceEngine): RunGate {
  const run = engine.run;
  const ownRun = Object.getOwnPropertyDescriptor(engine, 'run');
  let opened = false;
  const released: Array<() => void> = [];
  const watchers: Array<{ count: number; wake: () => void }> = [];
  const heldRows: number[] = [];
  const runDims: Array<readonly number[]> = [];
  const wrapped: InferenceEngine['run'] = async (feeds, outputNames, options) => {
    const first = Object.values(feeds)[0];
    runDims.push([...(first?.dims ?? [])]);
    if (!opened) {
      heldRows.push(first?.dims[0] ?? 0);
      for (const w of watchers.splice(0)) (heldRows.length >= w.count ? w.wake : () => watchers.push(w))();
      await new Promise<void>((resolve) => released.push(resolve));
    }
    return run.call(engine, feeds, outputNames, options);
  };
  Object.defineProperty(engine, 'run', { value: wrapped, configurable: true, writable: true });
  return {
    get held() { return heldRows.length; },
    heldRows,
    runDims,
    whenHeld(count) {
      return heldRows.length >= count ? Promise.resolve() : new Promise<void>((wake) => watchers.push({ count, wake }));
    },
    open() {
      opened = true;
      for (const release of released.splice(0)) release();
    },
    restore() {
      this.open();
      if (ownRun === undefined) delete (engine as { run?: unknown }).run;
      else Object.defineProperty(engine, 'run', ownRun);
    },
  };
}
