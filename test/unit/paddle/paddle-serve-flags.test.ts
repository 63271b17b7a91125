/**
 * Paddle `serve` flags: accepted where their meaning holds, refused with a reason otherwise.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError } from '../../../src/config/parse-flags';
import { loadServeConfig } from '../../../src/config/serve-config';

const load = (...argv: string[]) => loadServeConfig(argv, {}, 2);
const refused = (argv: string[], message: RegExp) => assert.throws(() => load(...argv), (e: unknown) => e instanceof FlagError && e.problems.some((p) => message.test(p)));

describe('Paddle serve flags', () => {
  it('accepts the flags whose Paddle meaning holds here', () => {
    const config = load('--workdir', 'workdir_9393', '--use_mkl', '--use_multilang', '--device', 'cpu', '--request_cache_size', '0', '--thread', '2', '--max_body_size', '1024');
    assert.equal(config.workers, 2);
    assert.equal(config.maxBodyBytes, 1024);
  });

  it('refuses unsupported hardware and features with the reason', () => {
    refused(['--use_lite'], /--use_lite true is not supported: Paddle Lite/);
    refused(['--use_xpu', 'true'], /--use_xpu true is not supported: Baidu Kunlun/);
    refused(['--use_ascend_cl'], /--use_ascend_cl true is not supported/);
    refused(['--request_cache_size', '1000'], /--request_cache_size 1000 is not supported/);
    refused(['--use_encryption_model'], /encrypted Paddle models/);
    refused(['--device', 'xpu'], /--device xpu is not supported/);
    refused(['--device', 'gpu'], /--device gpu needs --gpu_ids/);
  });
});
