/**
 * Direct lanes to the pool's workers: one MessagePort per worker thread, over which a run goes
 * to an idle worker and its result comes back, without piscina's per-task bookkeeping (task
 * object, async resource, balancer, queue, Atomics.wait loop). Side by side in one process, a
 * batch-5 round trip after an idle spell costs 13–19 µs less main-thread CPU and 18–30 µs less CPU
 * in all than `piscina.run` (`node dist/benchmarks/worker-handoff.js --gap_ms 1`,
 * benchmarks/results/worker-handoff.md). Piscina still creates, warms up, replaces and destroys
 * the workers and runs the start-up barrier; each worker opens its lane once it is warm
 * (onnx-worker.ts).
 *
 * Contract:
 * - `run(message, transfer)` sends to an idle lane at once; while every lane is busy it waits in
 *   FIFO order for the next one to free (its `beforeSend()` runs just before it is sent; when it
 *   throws, the run is rejected with that error and never sent). With no lane at all it returns
 *   undefined and the caller uses piscina; runs waiting when the last lane goes go to `fallback`.
 * - A lane carries one run at a time. Its result settles that run: a `{ failed }` reply rejects
 *   with the worker's error, anything else resolves.
 * - `remove(threadId, cause)` (the worker died) and the port's 'close' reject the lane's run in
 *   flight with `cause`; the lane is never used again.
 * - `drain()` resolves once no run is in flight or waiting on any lane.
 * - Idle lanes do not keep the process alive (ports unref'd between runs).
 */
import type { MessagePort, TransferListItem } from 'node:worker_threads';

/** A lane run's failure as the worker posts it (the Error structured-cloned). */
export interface LaneFailure {
  readonly failed: unknown;
}

interface PendingRun<T> {
  readonly message: unknown;
  readonly transfer: readonly TransferListItem[];
  readonly beforeSend: () => void;
  resolve(result: T): void;
  reject(error: unknown): void;
}

interface Lane<T> {
  readonly port: MessagePort;
  running: PendingRun<T> | undefined;
  gone: boolean;
}

export class WorkerLanes<T> {
  private readonly lanes = new Map<number, Lane<T>>();
  private readonly idle: Array<Lane<T>> = [];
  private readonly waiting: Array<PendingRun<T>> = [];
  private inFlight = 0;
  private readonly drained: Array<() => void> = [];

  /** @param fallback sends a run through piscina (used for runs waiting when the last lane goes). */
  constructor(private readonly fallback: (message: unknown, transfer: readonly TransferListItem[]) => Promise<T>) {}

  get size(): number {
    return this.lanes.size;
  }

  add(threadId: number, port: MessagePort): void {
    this.remove(threadId, new Error(`worker ${threadId} opened a second lane`));
    const lane: Lane<T> = { port, running: undefined, gone: false };
    port.on('message', (reply: T | LaneFailure) => this.settle(lane, reply));
    // This lane, not whatever lane the id names by then (a closed port's event comes later).
    port.once('close', () => this.drop(threadId, lane, new Error(`worker thread ${threadId} exited during the run`)));
    port.unref();
    this.lanes.set(threadId, lane);
    this.release(lane);
  }

  /** The worker is gone: its run in flight (if any) fails with `cause`. */
  remove(threadId: number, cause: Error): void {
    const lane = this.lanes.get(threadId);
    if (lane !== undefined) this.drop(threadId, lane, cause);
  }

  private drop(threadId: number, lane: Lane<T>, cause: Error): void {
    if (lane.gone) return;
    lane.gone = true;
    this.lanes.delete(threadId);
    const at = this.idle.indexOf(lane);
    if (at >= 0) this.idle.splice(at, 1);
    lane.port.close();
    const run = lane.running;
    lane.running = undefined;
    if (run !== undefined) {
      this.inFlight--;
      run.reject(cause);
    }
    if (this.lanes.size === 0) {
      for (const waiting of this.waiting.splice(0)) {
        if (wantedStill(waiting)) this.fallback(waiting.message, waiting.transfer).then(waiting.resolve, waiting.reject);
      }
    }
    this.maybeDrained();
  }

  /** Undefined when no lane exists (the caller then uses piscina). */
  run(message: unknown, transfer: readonly TransferListItem[], beforeSend: () => void = noCheck): Promise<T> | undefined {
    if (this.lanes.size === 0) return undefined;
    return new Promise<T>((resolve, reject) => {
      const run: PendingRun<T> = { message, transfer, beforeSend, resolve, reject };
      const lane = this.idle.pop();
      if (lane === undefined) this.waiting.push(run);
      else this.send(lane, run);
    });
  }

  drain(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private send(lane: Lane<T>, run: PendingRun<T>): void {
    lane.running = run;
    this.inFlight++;
    lane.port.ref();
    try {
      lane.port.postMessage(run.message, run.transfer);
    } catch (error) {
      lane.running = undefined;
      this.inFlight--;
      run.reject(error);
      this.release(lane);
    }
  }

  private settle(lane: Lane<T>, reply: T | LaneFailure): void {
    const run = lane.running;
    if (run === undefined) return;
    lane.running = undefined;
    this.inFlight--;
    if (reply !== null && typeof reply === 'object' && 'failed' in reply) run.reject((reply as LaneFailure).failed);
    else run.resolve(reply as T);
    this.release(lane);
  }

  /** The lane is free: it takes the next waiting run still wanted, or goes idle. */
  private release(lane: Lane<T>): void {
    if (lane.gone) return;
    while (this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (wantedStill(next)) {
        this.send(lane, next);
        return;
      }
    }
    lane.port.unref();
    this.idle.push(lane);
    this.maybeDrained();
  }

  private maybeDrained(): void {
    if (this.inFlight !== 0 || this.waiting.length !== 0 || this.drained.length === 0) return;
    for (const resolve of this.drained.splice(0)) resolve();
  }
}

const noCheck = (): void => undefined;

/** Runs the run's last check; a run given up is rejected with the check's error. */
function wantedStill(run: PendingRun<unknown>): boolean {
  try {
    run.beforeSend();
    return true;
  } catch (error) {
    run.reject(error);
    return false;
  }
}
