/**
 * What rec-serving knows about each ONNX Runtime execution provider it accepts, as data: the
 * names users type (`--providers cpu,cuda,tensorrt,webgpu`), whether a provider is bound to a GPU
 * device id, whether it must be probed before use, and which precisions onnxruntime-node lets us
 * ask of it (see ../shared/docs/gpu.md, "Facts").
 *
 * Contract: pure data and pure functions; no ONNX Runtime import, so config validation and the
 * benchmarks can use it. `precisionProblems` returns one message per provider that cannot run the
 * requested precision, each naming the provider, the precision and why.
 */

export const PROVIDER_NAMES = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const PRECISIONS = ['fp32', 'fp16', 'int8', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface ProviderTraits {
  /** Takes a CUDA device id (`deviceId` in the provider options). */
  readonly usesDeviceId: boolean;
  /**
   * Must pass a probe (a tiny model in a child process) before a worker may use it. The CPU
   * provider is built into libonnxruntime and is checked by the workers' own warm-up instead.
   */
  readonly needsProbe: boolean;
  /** Precisions this server can honour on the provider from Node. */
  readonly precisions: readonly Precision[];
  /** Why the other precisions are refused (shown in the refusal). */
  readonly precisionNote: string;
}

export const PROVIDER_TRAITS: Readonly<Record<ProviderName, ProviderTraits>> = Object.freeze({
  cpu: {
    usesDeviceId: false,
    needsProbe: false,
    precisions: ['fp32'],
    precisionNote: 'the CPU provider (MLAS) runs the model in its own fp32 types and this server does not convert models',
  },
  cuda: {
    usesDeviceId: true,
    needsProbe: true,
    precisions: ['fp32'],
    precisionNote: 'onnxruntime-node passes only deviceId to the CUDA provider (no mixed-precision option), and this server does not convert models to fp16',
  },
  tensorrt: {
    usesDeviceId: true,
    needsProbe: true,
    precisions: ['fp32'],
    precisionNote: 'onnxruntime-node passes only deviceId to the TensorRT provider: trt_fp16_enable / trt_int8_enable cannot be set from Node today',
  },
  webgpu: {
    usesDeviceId: false,
    needsProbe: true,
    precisions: ['fp32'],
    precisionNote: 'the WebGPU provider runs the model in its own fp32 types and this server does not convert models',
  },
});

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

export function isPrecision(name: string): name is Precision {
  return (PRECISIONS as readonly string[]).includes(name);
}

/** One message per provider in `providers` that cannot run `precision`; empty when all can. */
export function precisionProblems(precision: Precision, providers: readonly ProviderName[]): string[] {
  const problems: string[] = [];
  for (const provider of providers) {
    const traits = PROVIDER_TRAITS[provider];
    if (traits.precisions.includes(precision)) continue;
    problems.push(`--precision ${precision} is not supported on provider ${provider} (supported: ${traits.precisions.join(', ')}): ${traits.precisionNote}`);
  }
  return problems;
}
