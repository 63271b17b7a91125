/**
 * Names the accelerator a GPU run happened on (nvidia-smi), or says plainly that there is none.
 *
 * Contract: never throws; `name` is what goes into result file titles.
 */
import { spawnSync } from 'node:child_process';

export interface GpuDevice {
  readonly present: boolean;
  /** e.g. "NVIDIA H100 80GB HBM3, driver 580.65.06, 81559 MiB" or "no NVIDIA GPU (nvidia-smi: ...)". */
  readonly name: string;
  /** Short label for file names: "h100", "no-gpu". */
  readonly label: string;
}

export function describeGpu(): GpuDevice {
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  if (smi.error !== undefined || smi.status !== 0 || smi.stdout.trim() === '') {
    const why = smi.error?.message ?? (smi.stderr.trim() || `exit ${smi.status}`);
    return { present: false, name: `no NVIDIA GPU (nvidia-smi: ${why.split('\n')[0]})`, label: 'no-gpu' };
  }
  const gpus = smi.stdout.trim().split('\n').map((line) => {
    const [name, driver, memory] = line.split(',').map((s) => s.trim());
    return `${name}, driver ${driver}, ${memory}`;
  });
  const model = /\b([A-Z]\d{2,4}[A-Z]?)\b/.exec(gpus[0])?.[1]?.toLowerCase() ?? 'gpu';
  return { present: true, name: gpus.length === 1 ? gpus[0] : `${gpus.length} x ${gpus[0]}`, label: model };
}
