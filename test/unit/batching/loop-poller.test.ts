/**
 * LoopPoller on a fake clock with manual turns: the window keeps one turn callback pending while
 * it lasts, `extend()` moves its end without starting a second chain, it closes at the first turn
 * past its end or after `stop()`, and a zero window never polls.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopPoller } from '../../../src/batching/loop-poller';
import { FakeClock } from './fake-clock';

describe('LoopPoller', () => {
  it('keeps the loop turning for the window after the last extend, then lets it sleep', () => {
    const clock = new FakeClock({ manualTurns: true });
    const poller = new LoopPoller(500, clock);
    assert.equal(poller.active, false);
    poller.extend();
    assert.equal(poller.active, true);
    assert.equal(clock.pendingTurnCallbacks, 1);
    clock.advance(300);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 1, 'inside the window the next turn is asked for');
    poller.extend(); // a new answer at 300 µs: the window now ends at 800 µs
    assert.equal(clock.pendingTurnCallbacks, 1, 'one chain of turns, not two');
    clock.advance(400);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 1, 'at 700 µs the moved window is still open');
    clock.advance(100);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 0, 'at 800 µs the window is over');
    assert.equal(poller.active, false);
    poller.extend();
    assert.equal(clock.pendingTurnCallbacks, 1, 'a later answer opens a new window');
  });

  it('closes at the next turn after stop()', () => {
    const clock = new FakeClock({ manualTurns: true });
    const poller = new LoopPoller(500, clock);
    poller.extend();
    poller.stop();
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 0);
    assert.equal(poller.active, false);
  });

  it('does nothing with a zero window', () => {
    const clock = new FakeClock({ manualTurns: true });
    const poller = new LoopPoller(0, clock);
    poller.extend();
    assert.equal(clock.pendingTurnCallbacks, 0);
    assert.equal(poller.active, false);
  });
});
