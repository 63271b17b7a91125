/**
 * Wall-clock time with sub-millisecond resolution, comparable across threads of one process:
 * `performance.timeOrigin + performance.now()`. Used for timings that cross a thread (worker
 * hand-off) or leave the process (Paddle's and Predict's reported server times).
 *
 * Contract: milliseconds (or microseconds) since the Unix epoch, as a fractional number;
 * monotonic within a thread.
 */

export const nowEpochMs = (): number => performance.timeOrigin + performance.now();

export const nowEpochMicros = (): number => Math.round(nowEpochMs() * 1000);
