/**
 * `FakeClock`: a `Clock` whose time moves only when the test calls `advance(micros)`, firing the
 * timers that fall due in order. No sleeps, no real timers. The event-loop turn ends at once
 * (`afterTurn` calls back synchronously, as if nothing else arrived in the turn) unless it was
 * built with `{ manualTurns: true }`; then `endTurn()` runs the callbacks.
 */
import type { Clock, TimerHandle } from '../../../src/batching/clock';

interface FakeTimer {
  readonly id: number;
  readonly dueMicros: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private now = 0;
  private nextId = 1;
  private timers: FakeTimer[] = [];
  private turnCallbacks: Array<() => void> = [];

  constructor(private readonly options: { readonly manualTurns?: boolean } = {}) {}

  nowMicros(): number {
    return this.now;
  }

  setTimer(fn: () => void, delayMicros: number): TimerHandle {
    const timer = { id: this.nextId++, dueMicros: this.now + delayMicros, fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle.id);
  }

  afterTurn(fn: () => void): void {
    if (this.options.manualTurns === true) this.turnCallbacks.push(fn);
    else fn();
  }

  /** Ends the event-loop turn: runs the `afterTurn` callbacks queued so far (manual turns). */
  endTurn(): void {
    for (const fn of this.turnCallbacks.splice(0)) fn();
  }

  /** `afterTurn` callbacks waiting for the end of the turn (manual turns). */
  get pendingTurnCallbacks(): number {
    return this.turnCallbacks.length;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(micros: number): void {
    const target = this.now + micros;
    for (;;) {
      this.timers.sort((a, b) => a.dueMicros - b.dueMicros);
      const next = this.timers[0];
      if (next === undefined || next.dueMicros > target) break;
      this.timers.shift();
      this.now = next.dueMicros;
      next.fn();
    }
    this.now = target;
  }
}
