/**
 * Flags that are accepted but cannot be honoured exactly: each gets one start-up warning that
 * names the flag, what it asked for and what happens instead.
 *
 * Contract: pure; `startupWarnings(flags, batching)` returns the warnings in flag order (empty
 * when none apply). `rec-serve` logs them at WARN before serving; they are also kept in the
 * effective config.
 */
import type { ParsedFlags } from './parse-flags';
import type { BatchingConfig } from './batching-config';

/** The batcher's timer is setTimeout: whole milliseconds, rounded up (batching/clock.ts). */
const QUEUE_DELAY_GRANULARITY_MICROS = 1000;

export function startupWarnings(flags: ParsedFlags, batching: BatchingConfig): string[] {
  const warnings: string[] = [];
  if (flags.workdir !== undefined) {
    warnings.push(`--workdir ${String(flags.workdir)} has no effect: Paddle writes generated configs there; rec-serving generates none`);
  }
  if (flags.use_mkl === true) {
    warnings.push('--use_mkl has no effect: the npm build of ONNX Runtime has no oneDNN (MKL-DNN) provider; the CPU provider runs its own MLAS kernels with or without this flag');
  }
  const pollMicros = flags.main_thread_poll_micros as number | undefined;
  if (pollMicros !== undefined && pollMicros > 0 && flags.inline_max_rows === 0) {
    warnings.push(`--main_thread_poll_micros ${pollMicros} has no effect with --inline_max_rows 0: the event loop polls only after a request ran on the main thread, and none does`);
  }
  const delays: Array<[string, number | undefined]> = [
    ['--max_queue_delay_micros', batching.maxQueueDelayMicros],
    ...Object.entries(batching.overrides).map(([model, o]): [string, number | undefined] => [`--batching_overrides "${model}" maxQueueDelayMicros`, o.maxQueueDelayMicros]),
  ];
  for (const [what, micros] of delays) {
    if (micros === undefined || micros <= 0 || micros % QUEUE_DELAY_GRANULARITY_MICROS === 0) continue;
    const effective = Math.ceil(micros / QUEUE_DELAY_GRANULARITY_MICROS) * QUEUE_DELAY_GRANULARITY_MICROS;
    warnings.push(`${what} ${micros} is not a whole number of milliseconds: the batcher's timer has ${QUEUE_DELAY_GRANULARITY_MICROS} µs granularity (setTimeout), so a free worker waits up to ${effective} µs, not ${micros} µs`);
  }
  return warnings;
}
