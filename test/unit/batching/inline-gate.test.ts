/**
 * InlineGate: a request may run on the main thread only when it is small enough, the engine is
 * idle, the previous arrival was at least twice the recent main-thread run time ago, and no
 * request showed load in the last QUIET_AFTER_LOAD_MICROS.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InlineGate, QUIET_AFTER_LOAD_MICROS } from '../../../src/batching/inline-gate';
import type { Clock } from '../../../src/batching/clock';

function fakeClock(): Clock & { now: number } {
  const clock = { now: 0, nowMicros: () => clock.now, setTimer: () => { throw new Error('no timers here'); }, clearTimer: () => undefined, afterTurn: () => { throw new Error('no turns here'); } };
  return clock as unknown as Clock & { now: number };
}

/** The event loop turns as soon as a main-thread run ends (the tests step the clock themselves). */
const turnAtOnce = (fn: () => void) => fn();

describe('InlineGate', () => {
  it('admits the first request and refuses one over maxRows', () => {
    const clock = fakeClock();
    const gate = new InlineGate(16, clock);
    assert.equal(gate.admits(5, true), true);
    clock.now += 1_000_000;
    assert.equal(gate.admits(17, true), false);
  });

  it('refuses arrivals closer together than twice the recent run time, and admits spaced ones', () => {
    const clock = fakeClock();
    const gate = new InlineGate(16, clock, turnAtOnce);
    assert.equal(gate.admits(5, true), true);
    gate.recordInlineRun(100);
    clock.now += 150; // closer than 2 x 100 µs: concurrent load
    assert.equal(gate.admits(5, true), false);
    clock.now += 199;
    assert.equal(gate.admits(5, true), false, 'measured from the previous arrival, refused or not');
    clock.now += QUIET_AFTER_LOAD_MICROS - 1;
    assert.equal(gate.admits(5, true), false, 'spaced, but within the quiet window after a request that showed load');
    clock.now += QUIET_AFTER_LOAD_MICROS;
    assert.equal(gate.admits(5, true), true);
  });

  it('a request that finds the engine busy keeps the main thread off for the quiet window', () => {
    const clock = fakeClock();
    const gate = new InlineGate(16, clock, turnAtOnce);
    gate.recordWorkerRun(100);
    assert.equal(gate.admits(5, false), false, 'the engine is running or queueing work');
    clock.now += QUIET_AFTER_LOAD_MICROS - 1;
    assert.equal(gate.admits(5, true), false, 'the first request of the next wave finds the engine idle, but load was seen within the window');
    clock.now += 300;
    assert.equal(gate.admits(5, true), true, 'the window is measured from the busy arrival; the refused idle one was no load');
    clock.now += 1000;
    assert.equal(gate.admits(17, true), false, 'over maxRows');
    clock.now += 1000;
    assert.equal(gate.admits(5, true), true, 'a refusal by size is not load');
  });

  it('follows the run time as it changes', () => {
    const clock = fakeClock();
    const gate = new InlineGate(16, clock, turnAtOnce);
    gate.recordInlineRun(100);
    for (let i = 0; i < 50; i++) gate.recordInlineRun(1000);
    assert.ok(gate.averageRunMicros > 990 && gate.averageRunMicros <= 1000);
    gate.admits(5, true);
    clock.now += 1500;
    assert.equal(gate.admits(5, true), false, '1.5 ms apart is load when a run takes 1 ms');
  });

  it('a stall moves the estimate at most OUTLIER_FACTOR times the estimate', () => {
    const clock = fakeClock();
    const gate = new InlineGate(16, clock, turnAtOnce);
    gate.recordInlineRun(100);
    gate.recordInlineRun(50_000); // a 50 ms stall: counted as 400 µs
    assert.equal(gate.averageRunMicros, 100 + 0.2 * (400 - 100));
    gate.admits(5, true);
    clock.now += 400;
    assert.equal(gate.admits(5, true), true, 'one stall does not turn a 400 µs gap into load');
  });

  it('refuses a request read right after a main-thread run ended: it waited behind the run', () => {
    const clock = fakeClock();
    const turns: Array<() => void> = [];
    const gate = new InlineGate(16, clock, (fn) => turns.push(fn));
    gate.recordWorkerRun(100);
    assert.equal(gate.admits(5, true), true);
    clock.now += 300; // the main-thread run blocks the event loop for 300 µs
    gate.recordInlineRun(300);
    clock.now += 10; // the next request was waiting in the socket
    assert.ok(clock.now >= 2 * gate.averageRunMicros, 'the arrival gap alone would admit it');
    assert.equal(gate.admits(5, true), false);
    clock.now += 1000;
    assert.equal(gate.admits(5, true), false, 'not before the event loop turned: requests read in the same turn waited behind the run');
    clock.now += QUIET_AFTER_LOAD_MICROS;
    turns.splice(0).forEach((fn) => fn());
    assert.equal(gate.admits(5, true), true, 'a quiet server admits again');
  });
});
