/**
 * Small valid calls (1-row gRPC Predict, one connection, `callers` in a closed loop with a short
 * pause) made while hostile cases run; records each successful call's latency in milliseconds.
 * `stop()` ends the loop and returns the samples and the count of failed calls.
 */
import { performance } from 'node:perf_hooks';
import { RecServingClient } from '../../../src/client/rec-serving-client';
import { criteoFeed } from '../feeds';

export interface LatencyLoad {
  stop(): Promise<{ samplesMs: number[]; errors: string[] }>;
}

export function startLatencyLoad(port: number, callers: number, pauseMs = 2): LatencyLoad {
  const client = RecServingClient.connect(`127.0.0.1:${port}`);
  const feed = criteoFeed(1, 1000, 5);
  const samplesMs: number[] = [];
  const errors: string[] = [];
  let running = true;
  const loops = Array.from({ length: callers }, async () => {
    while (running) {
      const started = performance.now();
      try {
        await client.predict(feed, [], { deadlineMs: 5000 });
        samplesMs.push(performance.now() - started);
      } catch (error) {
        errors.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      client.close();
      return { samplesMs, errors };
    },
  };
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
