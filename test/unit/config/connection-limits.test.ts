/**
 * Connection limit flags: documented defaults, values in milliseconds taken as given, and every
 * bad value refused with the flag, the constraint and the value.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/config/connection-limits';
import { loadServeConfig } from '../../../src/config/serve-config';

describe('connection limit flags', () => {
  it('defaults when no flag is given', () => {
    const config = loadServeConfig([], {}, 2);
    assert.deepEqual({ ...config.connections }, {
      sniffTimeoutMs: 10_000, httpHeaderTimeoutMs: 10_000, httpRequestTimeoutMs: 60_000, httpKeepAliveTimeoutMs: 65_000,
      baiduStdFrameTimeoutMs: 30_000, baiduStdIdleTimeoutMs: 300_000, h2IdleTimeoutMs: 300_000, grpcStreamBodyTimeoutMs: 30_000,
      grpcMaxConcurrentStreams: 1000,
    });
    assert.deepEqual({ ...config.connections }, { ...DEFAULT_CONNECTION_LIMITS });
  });

  it('takes each flag (and its REC_SERVING_ variable)', () => {
    const config = loadServeConfig(['--http_header_timeout_ms', '500', '--grpc_max_concurrent_streams', '64'], { REC_SERVING_BAIDU_STD_IDLE_TIMEOUT_MS: '1234' }, 2);
    assert.equal(config.connections.httpHeaderTimeoutMs, 500);
    assert.equal(config.connections.grpcMaxConcurrentStreams, 64);
    assert.equal(config.connections.baiduStdIdleTimeoutMs, 1234);
  });

  it('refuses 0, negatives and a header timeout above the request timeout, naming each', () => {
    assert.throws(
      () => loadServeConfig(['--h2_idle_timeout_ms', '0', '--grpc_stream_body_timeout_ms=-1', '--http_header_timeout_ms', '70000'], {}, 2),
      (error: Error) => {
        assert.match(error.message, /--h2_idle_timeout_ms must be an integer in 1\.\.2147483647; got 0/);
        assert.match(error.message, /--grpc_stream_body_timeout_ms must be an integer in 1\.\.2147483647; got -1/);
        assert.match(error.message, /--http_header_timeout_ms \(70000\) must not exceed --http_request_timeout_ms \(60000\)/);
        return true;
      },
    );
  });
});
