/**
 * Development entry: `node dist/test/helpers/fuzz/quick-run.js SEED CASES` runs the fuzz cases
 * against a tiny-DeepFM server process and prints the counts and failures as JSON.
 */
import { makeTinyDeepFmDir } from '../test-server';
import { startFuzzServer } from './fuzz-server';
import { runFuzz } from './runner';

async function main(): Promise<void> {
  const seed = Number(process.argv[2] ?? 1);
  const cases = Number(process.argv[3] ?? 200);
  const server = await startFuzzServer(makeTinyDeepFmDir().dir);
  try {
    const report = await runFuzz({ port: server.port, pid: server.pid, seed, cases, concurrency: 6, probeEvery: 50, latencyCallers: 2 });
    const counts = Object.fromEntries([...report.counts].sort().map(([kind, m]) => [kind, Object.fromEntries(m)]));
    console.log(JSON.stringify({ ...report, counts, failures: report.failures.slice(0, 60), latency: { ...report.latency, errors: report.latency.errors.slice(0, 5) } }, null, 1));
  } finally {
    await server.process.stop();
  }
}

if (require.main === module) void main();
