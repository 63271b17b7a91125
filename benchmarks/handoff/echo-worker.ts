/**
 * Worker for benchmarks/worker-handoff.ts: answers every task at once with a tiny result, so the
 * measured round trip is piscina's hand-off plus cloning the task, nothing else.
 */
export = (task: unknown): { ok: boolean; got: boolean } => ({ ok: true, got: task !== undefined });
