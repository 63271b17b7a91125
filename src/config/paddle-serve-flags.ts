/**
 * The rest of Paddle Serving's `serve` flags (paddle_serving_server/serve.py), so that a
 * command line written for `python3 -m paddle_serving_server.serve` is accepted or refused
 * with a reason, never rejected as an unknown flag or silently ignored.
 *
 * Contract:
 * - `withPaddleServeFlags(specs)` adds each flag below that `specs` does not define already
 *   (flags the server implements elsewhere keep their own spec), keeping `help` last.
 * - `checkPaddleServeFlags(flags, problems)` pushes one "not supported" problem per flag that
 *   asks for something rec-serving cannot do, and one conflict for `--device cpu` with a GPU flag.
 *   Flags whose Paddle meaning already holds here are accepted: --workdir (with a start-up warning:
 *   rec-serving writes no working files), --use_multilang (gRPC is always on the same port), --device cpu, and the
 *   zero/false defaults of the rest. --use_mkl is accepted so Paddle command lines run, with a
 *   start-up warning that it has no effect (startup-warnings.ts). --max_concurrency is implemented
 *   (batching-config.ts), so it is not listed here.
 */
import type { FlagSpecs, ParsedFlags } from './parse-flags';

const unsupported = (what: string) => `not supported by rec-serving (${what}); the flag is accepted only at its default`;

const PADDLE_SERVE_FLAGS: FlagSpecs = {
  workdir: { kind: 'string', help: 'Paddle\'s working directory for generated configs; rec-serving generates none, so it is accepted with a start-up warning that it has no effect', defaultText: 'workdir' },
  device: { kind: 'string', help: 'cpu (default; refused together with --gpu_ids or --use_trt) or gpu (needs --gpu_ids); other devices are refused', defaultText: 'cpu' },
  use_mkl: { kind: 'boolean', help: 'accepted with a start-up warning that it has no effect: the npm build of ONNX Runtime has no oneDNN (MKL-DNN) provider; the CPU provider\'s MLAS kernels run either way', defaultText: 'false' },
  use_multilang: { kind: 'boolean', help: 'accepted: gRPC is always served on the same port', defaultText: 'false' },
  request_cache_size: { kind: 'integer', help: unsupported('no response cache'), defaultText: '0' },
  op_num: { kind: 'integer', help: unsupported('GPU multi-stream op concurrency'), defaultText: '0' },
  op_max_batch: { kind: 'integer', help: unsupported('GPU multi-stream op batching; see --batch_infer_size'), defaultText: '0' },
  min_subgraph_size: { kind: 'integer', help: unsupported('Paddle-TensorRT subgraph size'), defaultText: '3' },
  gpu_multi_stream: { kind: 'boolean', help: unsupported('GPU multi-stream'), defaultText: 'false' },
  use_lite: { kind: 'boolean', help: unsupported('Paddle Lite (ARM)'), defaultText: 'false' },
  use_xpu: { kind: 'boolean', help: unsupported('Baidu Kunlun XPU'), defaultText: 'false' },
  use_ascend_cl: { kind: 'boolean', help: unsupported('Huawei Ascend'), defaultText: 'false' },
  use_calib: { kind: 'boolean', help: unsupported('Paddle int8 calibration'), defaultText: 'false' },
  use_encryption_model: { kind: 'boolean', help: unsupported('encrypted Paddle models'), defaultText: 'false' },
  product_name: { kind: 'string', help: unsupported('encrypted-model product name') },
  container_id: { kind: 'string', help: unsupported('encrypted-model container id') },
  use_dist_model: { kind: 'boolean', help: unsupported('distributed (sharded) models'), defaultText: 'false' },
  dist_carrier_id: { kind: 'string', help: unsupported('distributed models') },
  dist_cfg_file: { kind: 'string', help: unsupported('distributed models') },
  dist_endpoints: { kind: 'list', help: unsupported('distributed models') },
  dist_nranks: { kind: 'integer', help: unsupported('distributed models') },
  dist_subgraph_index: { kind: 'integer', help: unsupported('distributed models') },
  dist_worker_serving_endpoints: { kind: 'list', help: unsupported('distributed models') },
  dist_master_serving: { kind: 'boolean', help: unsupported('distributed models'), defaultText: 'false' },
};

/** `specs` plus the Paddle flags it lacks, `help` last. */
export function withPaddleServeFlags(specs: FlagSpecs): FlagSpecs {
  const { help, ...rest } = specs;
  const added = Object.fromEntries(Object.entries(PADDLE_SERVE_FLAGS).filter(([name]) => !(name in rest)));
  return help === undefined ? { ...rest, ...added } : { ...rest, ...added, help };
}

/** Flags whose non-default value is refused, with what they would have enabled. */
const REFUSED: Readonly<Record<string, string>> = {
  request_cache_size: 'Paddle\'s response cache; rec-serving has none',
  op_num: 'GPU multi-stream op concurrency',
  op_max_batch: 'GPU multi-stream op batching; use --batch_infer_size',
  min_subgraph_size: 'Paddle-TensorRT\'s minimum subgraph size; ONNX Runtime\'s TensorRT provider does not take it',
  gpu_multi_stream: 'GPU multi-stream',
  use_lite: 'Paddle Lite (ARM CPUs) is a Paddle inference backend; rec-serving runs ONNX Runtime',
  use_xpu: 'Baidu Kunlun XPUs have no ONNX Runtime provider in onnxruntime-node',
  use_ascend_cl: 'Huawei Ascend NPUs have no ONNX Runtime provider in onnxruntime-node',
  use_calib: 'Paddle int8 calibration tables do not apply to ONNX models',
  use_encryption_model: 'encrypted Paddle models',
  product_name: 'encrypted Paddle models',
  container_id: 'encrypted Paddle models',
  use_dist_model: 'distributed (sharded) Paddle models',
  dist_carrier_id: 'distributed Paddle models',
  dist_cfg_file: 'distributed Paddle models',
  dist_endpoints: 'distributed Paddle models',
  dist_nranks: 'distributed Paddle models',
  dist_subgraph_index: 'distributed Paddle models',
  dist_worker_serving_endpoints: 'distributed Paddle models',
  dist_master_serving: 'distributed Paddle models',
};

const DEFAULT_VALUES: Readonly<Record<string, unknown>> = { min_subgraph_size: 3 };

export function checkPaddleServeFlags(flags: ParsedFlags, problems: string[]): void {
  for (const [name, what] of Object.entries(REFUSED)) {
    const value = flags[name];
    if (value === undefined || value === false || value === 0 || value === DEFAULT_VALUES[name]) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    problems.push(`--${name} ${Array.isArray(value) ? value.join(',') : String(value)} is not supported: ${what}`);
  }
  const device = flags.device;
  if (device !== undefined) {
    const lower = String(device).toLowerCase();
    const gpuIds = (flags.gpu_ids as string[] | undefined ?? []).filter((id) => id !== '' && id !== '-1');
    if (lower === 'gpu' && gpuIds.length === 0) problems.push('--device gpu needs --gpu_ids (e.g. --gpu_ids 0); without it rec-serving runs on the CPU');
    else if (lower === 'cpu' && gpuIds.length > 0) problems.push(`--device cpu conflicts with --gpu_ids ${gpuIds.join(',')} (which runs on CUDA); drop --gpu_ids to run on the CPU, or pass --device gpu`);
    else if (lower === 'cpu' && flags.use_trt === true) problems.push('--device cpu conflicts with --use_trt (TensorRT runs on a GPU); drop one of them');
    else if (lower !== 'cpu' && lower !== 'gpu') problems.push(`--device ${String(device)} is not supported: rec-serving runs on cpu or gpu (CUDA)`);
  }
}
