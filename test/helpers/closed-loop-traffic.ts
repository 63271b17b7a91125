/**
 * Closed-loop traffic for hot-reload tests: `inFlight` callers, each sending the next request as
 * soon as its previous one is answered, recording when each request started and ended, the model
 * version that answered, or the error. `switchesOnce` checks that versions change at one point in
 * time: no request started after a response from a version was received is answered by an older one.
 */
import type { RecServingClient } from '../../src/client/rec-serving-client';
import { ServingError } from '../../src/core/errors';
import type { HostTensor } from '../../src/core/tensor';
import { criteoFeed } from './feeds';

export interface CallRecord {
  readonly startMs: number;
  readonly endMs: number;
  readonly version: string;
  readonly error?: ServingError;
}

export interface ClosedLoop {
  readonly records: CallRecord[];
  /** Resolves when the first response from `version` arrives, with its receive time (performance.now()). */
  firstResponseFrom(version: string): Promise<number>;
  stop(): Promise<CallRecord[]>;
}

export function startClosedLoop(client: RecServingClient, options: { inFlight: number; rows: number; modelName?: string; modelVersion?: string }): ClosedLoop {
  const records: CallRecord[] = [];
  const feed: Record<string, HostTensor> = criteoFeed(options.rows);
  const waiters: Array<{ version: string; resolve: (at: number) => void }> = [];
  let running = true;
  const caller = async () => {
    while (running) {
      const startMs = performance.now();
      try {
        const result = await client.predict(feed, [], { modelName: options.modelName, modelVersion: options.modelVersion, deadlineMs: 30000 });
        const endMs = performance.now();
        records.push({ startMs, endMs, version: result.modelVersion });
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].version === result.modelVersion) waiters.splice(i, 1)[0].resolve(endMs);
        }
      } catch (error) {
        records.push({ startMs, endMs: performance.now(), version: '', error: ServingError.from(error) });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const callers = Array.from({ length: options.inFlight }, () => caller());
  return {
    records,
    firstResponseFrom(version) {
      const seen = records.find((record) => record.version === version);
      if (seen !== undefined) return Promise.resolve(seen.endMs);
      return new Promise((resolve) => waiters.push({ version, resolve }));
    },
    async stop() {
      running = false;
      await Promise.all(callers);
      return records;
    },
  };
}

/** Requests that violate a single switch-over: started after a newer version answered, yet answered by an older one. */
export function switchViolations(records: readonly CallRecord[]): CallRecord[] {
  const ok = records.filter((record) => record.error === undefined);
  const byEnd = [...ok].sort((a, b) => a.endMs - b.endMs);
  const byStart = [...ok].sort((a, b) => a.startMs - b.startMs);
  const violations: CallRecord[] = [];
  let newestSeen = 0;
  let i = 0;
  for (const record of byStart) {
    while (i < byEnd.length && byEnd[i].endMs < record.startMs) newestSeen = Math.max(newestSeen, Number(byEnd[i++].version));
    if (Number(record.version) < newestSeen) violations.push(record);
  }
  return violations;
}
