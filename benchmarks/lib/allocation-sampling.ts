/**
 * Preloaded into a server process (`node -r dist/benchmarks/lib/allocation-sampling.js ...`) by
 * benchmarks/allocation-per-call.sh: the first SIGUSR2 starts V8's sampling heap profiler, keeping
 * objects that minor and major GCs collected too (so short-lived garbage counts, not only what
 * survives); the second stops it and writes the profile as JSON to $ALLOCATION_PROFILE_OUT.
 * Contract: nothing happens until a signal; a failure to write is reported on stderr.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';

const out = process.env.ALLOCATION_PROFILE_OUT;
if (out !== undefined) {
  const session = new inspector.Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
      return;
    }
    sampling = false;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error !== null) process.stderr.write(`allocation-sampling: ${error.message}\n`);
      else fs.writeFileSync(out, JSON.stringify((result as { profile: unknown }).profile));
    });
  });
}
