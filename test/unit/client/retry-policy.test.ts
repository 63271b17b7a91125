/**
 * gRPC service-config retry semantics: parsing with clear refusals, method matching, the backoff
 * bounds and retry throttling's token arithmetic.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/core/errors';
import { RetryThrottle, backoffMs, defaultRetryServiceConfig, parseServiceConfig, policyFor } from '../../../src/client/retry-policy';

const CONFIG = {
  methodConfig: [
    { name: [{}], retryPolicy: { maxAttempts: 2, initialBackoff: '0.05s', maxBackoff: '0.5s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } },
    { name: [{ service: 'rec_serving.v1.PredictionService', method: 'Predict' }], retryPolicy: { maxAttempts: 4, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 3, retryableStatusCodes: ['UNAVAILABLE', 8] } },
  ],
  retryThrottling: { maxTokens: 4, tokenRatio: 0.5 },
};

describe('retry policy', () => {
  it('parses the service config and picks the most specific method config', () => {
    const config = parseServiceConfig(JSON.stringify(CONFIG));
    const predict = policyFor(config, '/rec_serving.v1.PredictionService/Predict');
    assert.deepEqual(predict, { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 3, retryableCodes: [Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED] });
    assert.equal(policyFor(config, '/x.Y/Z')?.maxAttempts, 2);
    assert.equal(policyFor(undefined, '/x.Y/Z'), undefined);
    assert.equal(policyFor(parseServiceConfig({ methodConfig: [] }), '/x.Y/Z'), undefined);
    assert.deepEqual(config.retryThrottling, { maxTokens: 4, tokenRatio: 0.5 });
    assert.equal(policyFor(defaultRetryServiceConfig(3), '/a.B/C')?.maxAttempts, 3);
  });

  it('refuses out-of-range fields naming them', () => {
    const policy = (patch: object) => ({ methodConfig: [{ name: [{}], retryPolicy: { ...CONFIG.methodConfig[0].retryPolicy, ...patch } }] });
    assert.throws(() => parseServiceConfig('{'), /not JSON/);
    assert.throws(() => parseServiceConfig(policy({ maxAttempts: 6 })), /maxAttempts must be an integer in 2\.\.5 .*got 6/);
    assert.throws(() => parseServiceConfig(policy({ maxAttempts: 1 })), /maxAttempts/);
    assert.throws(() => parseServiceConfig(policy({ initialBackoff: 100 })), /initialBackoff must be a duration > 0 written like "0\.1s"; got 100/);
    assert.throws(() => parseServiceConfig(policy({ backoffMultiplier: 0 })), /backoffMultiplier must be a number > 0/);
    assert.throws(() => parseServiceConfig(policy({ retryableStatusCodes: ['NOPE'] })), /"NOPE" is not a gRPC status code name/);
    assert.throws(() => parseServiceConfig(policy({ retryableStatusCodes: [] })), /non-empty list/);
    assert.throws(() => parseServiceConfig({ retryThrottling: { maxTokens: 0, tokenRatio: 1 } }), /maxTokens must be a number in \(0, 1000\]/);
  });

  it('backs off uniformly below min(initial * multiplier^(n-1), max)', () => {
    const policy = policyFor(parseServiceConfig(CONFIG), '/rec_serving.v1.PredictionService/Predict')!;
    assert.equal(backoffMs(policy, 1, () => 0.999999) < 100, true);
    assert.ok(backoffMs(policy, 2, () => 0.999999) > 299 && backoffMs(policy, 2, () => 0.999999) < 300);
    assert.ok(backoffMs(policy, 5, () => 0.999999) <= 1000);
    assert.equal(backoffMs(policy, 3, () => 0), 0);
  });

  it('throttles retries once failures take the tokens to half of maxTokens', () => {
    const throttle = new RetryThrottle({ maxTokens: 4, tokenRatio: 0.5 });
    assert.equal(throttle.allowsRetry(), true);
    throttle.onRetryableFailure();
    assert.equal(throttle.allowsRetry(), true); // 3 > 2
    throttle.onRetryableFailure();
    assert.equal(throttle.allowsRetry(), false); // 2 is not > 2
    throttle.onSuccess();
    assert.equal(throttle.allowsRetry(), true); // 2.5
    for (let i = 0; i < 10; i++) throttle.onSuccess();
    assert.equal(throttle.tokenCount, 4);
  });
});
