/**
 * One load-generating thread of the overload benchmark: unary Predict calls of one pre-encoded
 * request over its own HTTP/2 connections, either closed loop (`callers` calls always in flight)
 * or open loop (`ratePerSecond` calls started per second whatever the answers, each with a
 * deadline). Encoding once and sending bytes keeps the generator's CPU per call low: on a host
 * it shares with the server, every microsecond the generator spends is one the server lacks.
 *
 * Contract (worker_threads): `workerData` is a `LoadWorkerTask`; the thread posts one
 * `LoadWorkerResult` (latencies in microseconds per outcome name: `OK` or a gRPC code name, and
 * one example message per failing outcome) and exits. Latency runs from the call's start to its
 * answer; in the open loop a call starts when it is due, so time the generator itself falls
 * behind counts against the call.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { GrpcUnaryChannel } from '../../src/client/grpc-unary-channel';
import { Code, ServingError } from '../../src/core/errors';
import { PREDICT_PATH } from '../../src/protocol/predict-messages';
import { installLeanAsyncResourceBind } from '../../src/client/lean-async-resource-bind';

export interface LoadWorkerTask {
  readonly address: string;
  readonly request: Uint8Array;
  readonly connections: number;
  readonly seconds: number;
  readonly deadlineMs: number;
  /** Closed loop: this many callers, each starting its next call when the last one answered. */
  readonly callers?: number;
  /** Open loop: calls started per second. */
  readonly ratePerSecond?: number;
}

export interface LoadWorkerResult {
  readonly latencies: Record<string, Float64Array>;
  readonly examples: Record<string, string>;
}

class Outcomes {
  private readonly values = new Map<string, number[]>();
  readonly examples: Record<string, string> = {};

  record(outcome: string, micros: number): void {
    let list = this.values.get(outcome);
    if (list === undefined) this.values.set(outcome, (list = []));
    list.push(micros);
  }

  fail(error: unknown, micros: number): void {
    const outcome = error instanceof ServingError ? Code[error.code] : 'other';
    if (this.examples[outcome] === undefined) this.examples[outcome] = error instanceof ServingError ? error.rawMessage : String(error);
    this.record(outcome, micros);
  }

  result(): LoadWorkerResult {
    const latencies: Record<string, Float64Array> = {};
    for (const [outcome, list] of this.values) latencies[outcome] = Float64Array.from(list);
    return { latencies, examples: this.examples };
  }
}

async function closedLoop(task: LoadWorkerTask, channels: GrpcUnaryChannel[], outcomes: Outcomes): Promise<void> {
  const until = performance.now() + task.seconds * 1000;
  await Promise.all(Array.from({ length: task.callers ?? 1 }, async (_, caller) => {
    const channel = channels[caller % channels.length];
    while (performance.now() < until) {
      const started = performance.now();
      try {
        await channel.unary(PREDICT_PATH, task.request, { deadlineMs: task.deadlineMs });
        outcomes.record('OK', (performance.now() - started) * 1000);
      } catch (error) {
        outcomes.fail(error, (performance.now() - started) * 1000);
      }
    }
  }));
}

async function openLoop(task: LoadWorkerTask, channels: GrpcUnaryChannel[], outcomes: Outcomes): Promise<void> {
  const rate = task.ratePerSecond ?? 0;
  const calls: Array<Promise<void>> = [];
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < task.seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      // The call was due at this instant: lateness of the generator counts against it.
      const dueAt = started + (sent / rate) * 1000;
      calls.push(channels[sent % channels.length].unary(PREDICT_PATH, task.request, { deadlineMs: task.deadlineMs }).then(
        () => outcomes.record('OK', (performance.now() - dueAt) * 1000),
        (error: unknown) => outcomes.fail(error, (performance.now() - dueAt) * 1000),
      ));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(calls);
}

async function run(task: LoadWorkerTask): Promise<LoadWorkerResult> {
  const channels = Array.from({ length: Math.max(1, task.connections) }, () => GrpcUnaryChannel.connect(task.address));
  const outcomes = new Outcomes();
  try {
    if (task.ratePerSecond !== undefined) await openLoop(task, channels, outcomes);
    else await closedLoop(task, channels, outcomes);
    return outcomes.result();
  } finally {
    for (const channel of channels) channel.close();
  }
}

if (parentPort !== null) {
  const port = parentPort;
  installLeanAsyncResourceBind(); // each thread has its own prototypes (client/lean-async-resource-bind.ts)
  // A failure is left unhandled: it ends the thread with an 'error' event the benchmark reports.
  void run(workerData as LoadWorkerTask).then((result) => port.postMessage(result, Object.values(result.latencies).map((values) => values.buffer as ArrayBuffer)));
}
