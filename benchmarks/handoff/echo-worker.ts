/**
 * Worker for benchmarks/worker-handoff.ts: answers every task at once with a tiny result, so the
 * measured round trip is the hand-off itself plus moving the task, nothing else. It answers
 * piscina's tasks, and the same tasks over a direct lane (engine/worker-lanes.ts) whose port it
 * posts to the pool's 'message' event when it starts, as onnx-worker.ts does.
 */
import { MessageChannel, parentPort } from 'node:worker_threads';

const answer = (task: unknown): { ok: boolean; got: boolean } => ({ ok: true, got: task !== undefined });

const { port1, port2 } = new MessageChannel();
port1.on('message', (task: unknown) => port1.postMessage(answer(task)));
parentPort?.postMessage({ lane: port2 }, [port2]);

export = answer;
