/**
 * The time source the batcher reads, injected so tests drive it with a fake clock and no sleeps.
 *
 * Contract: `nowMicros()` is monotonic microseconds; `setTimer(fn, delayMicros)` calls `fn` once
 * after at least `delayMicros` (never synchronously) unless `clearTimer` is called first;
 * `afterTurn(fn)` calls `fn` once at the end of the current event-loop turn, after the I/O
 * callbacks of the turn (so after every request read with this one).
 */

export interface TimerHandle {
  readonly id: unknown;
}

export interface Clock {
  nowMicros(): number;
  setTimer(fn: () => void, delayMicros: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  afterTurn(fn: () => void): void;
}

/** The real clock: performance.now(), setTimeout (millisecond resolution, rounded up) and setImmediate. */
export const systemClock: Clock = {
  nowMicros: () => performance.now() * 1000,
  setTimer: (fn, delayMicros) => {
    const timer = setTimeout(fn, Math.max(1, Math.ceil(delayMicros / 1000)));
    return { id: timer };
  },
  clearTimer: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
  afterTurn: (fn) => {
    setImmediate(fn);
  },
};
