/**
 * Overall progress of a run made of steps of similar length: `step 12/90, 3m20s left`.
 *
 * Contract: `createEta(total, now?)` returns `done()` (one step finished) and `text()`; the time
 * left is the mean time per finished step times the steps left ("time left unknown" before the
 * first step ends). `now` (ms) is injectable for tests.
 */
export function createEta(total: number, now: () => number = Date.now): { done(): void; text(): string } {
  const started = now();
  let finished = 0;
  return {
    done() {
      finished = Math.min(total, finished + 1);
    },
    text() {
      const elapsed = now() - started;
      const left = finished === 0 ? undefined : (elapsed / finished) * (total - finished);
      return `step ${finished}/${total}, ${formatDuration(elapsed)} elapsed, ${left === undefined ? 'time left unknown' : `~${formatDuration(left)} left`}`;
    },
  };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
