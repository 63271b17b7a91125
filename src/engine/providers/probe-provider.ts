/**
 * Probes execution providers: for each target (provider, device id) it forks `probe-child.js`,
 * which creates a session of the tiny half_plus_two model on that provider alone and runs it once.
 * The child's stderr is captured, so the result carries ONNX Runtime's real loader error (the
 * missing library), and a provider that crashes or hangs cannot take the server down.
 *
 * Contract: `probeProviders` never rejects for a provider failure: every target gets a
 * `ProviderProbeResult` (available or not, with a one-line `reason`), in the order given. A
 * child that exceeds `timeoutMs` is killed (SIGKILL) and reported as timed out. Targets whose
 * provider needs no probe (cpu) are reported available without a child process. GPU providers
 * whose installed libraries are for another ONNX Runtime version are refused without loading.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROVIDER_TRAITS, type ProviderName } from './provider-catalog';
import type { ProbeChildReply, ProbeChildRequest } from './probe-child';
import { loaderCauses, shortOrtError, stripAnsi, tail } from './loader-error-text';
import { GPU_PROVIDER_FILES, readProviderInstallState, type ProviderInstallState } from './provider-install-state';
import { writeProbeModel } from './tiny-probe-model';

export interface ProbeTarget {
  readonly provider: ProviderName;
  /** CUDA device for cuda/tensorrt; absent for device-less providers. */
  readonly deviceId?: number;
}

export interface ProviderProbeResult extends ProbeTarget {
  readonly available: boolean;
  /** One line: what ran, or why the provider cannot be used (the loader's own words where known). */
  readonly reason: string;
  /** Lines of ONNX Runtime's / Dawn's stderr that name the cause (missing libraries, no adapter). */
  readonly loaderErrors: readonly string[];
  /** The end of the child's stderr, colour codes removed (at most ~2 KiB). */
  readonly stderrTail: string;
  /** How the probe ended: 'ran', 'failed', 'crashed', 'timed-out', 'refused' or 'built-in'. */
  readonly outcome: 'ran' | 'failed' | 'crashed' | 'timed-out' | 'refused' | 'built-in';
  /** Wall time of the probe, milliseconds (0 when no child was started). */
  readonly elapsedMs: number;
}

export interface ProbeOptions {
  /** Kill a probe child after this long, milliseconds. CUDA context creation takes seconds. Default 60000. */
  readonly timeoutMs?: number;
  /** Extra environment for the children (merged over process.env), e.g. LD_LIBRARY_PATH in tests. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where onnxruntime-node lives; default: the one `require('onnxruntime-node')` resolves. */
  readonly installState?: ProviderInstallState;
}

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;
const STDERR_TAIL_CHARS = 2048;

export function describeTarget(target: ProbeTarget): string {
  return target.deviceId === undefined ? target.provider : `${target.provider} (device ${target.deviceId})`;
}

export async function probeProviders(targets: readonly ProbeTarget[], options: ProbeOptions = {}): Promise<ProviderProbeResult[]> {
  if (!targets.some((t) => PROVIDER_TRAITS[t.provider].needsProbe)) return targets.map(builtIn);
  const state = options.installState ?? readProviderInstallState();
  const dir = mkdtempSync(join(tmpdir(), 'rec-serving-probe-'));
  try {
    const modelPath = writeProbeModel(dir);
    // In parallel: each child is its own process; CUDA contexts on different devices do not interfere.
    return await Promise.all(targets.map((target) => probeOne(target, modelPath, state, options)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function builtIn(target: ProbeTarget): ProviderProbeResult {
  return { ...target, available: true, reason: 'built into libonnxruntime; checked by the workers\' warm-up', loaderErrors: [], stderrTail: '', outcome: 'built-in', elapsedMs: 0 };
}

async function probeOne(target: ProbeTarget, modelPath: string, state: ProviderInstallState, options: ProbeOptions): Promise<ProviderProbeResult> {
  if (!PROVIDER_TRAITS[target.provider].needsProbe) return builtIn(target);
  const usesGpuLibraries = target.provider === 'cuda' || target.provider === 'tensorrt';
  if (usesGpuLibraries && state.versionMismatch !== undefined) {
    return { ...target, available: false, reason: state.versionMismatch, loaderErrors: [], stderrTail: '', outcome: 'refused', elapsedMs: 0 };
  }
  const request: ProbeChildRequest = { modelPath, provider: target.provider, deviceId: target.deviceId };
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const started = performance.now();
  const { reply, stderr, code, signal, timedOut } = await runChild(request, timeoutMs, options.env);
  const elapsedMs = performance.now() - started;
  const clean = stripAnsi(stderr);
  const error = reply?.error === undefined ? undefined : shortOrtError(reply.error);
  const loaderErrors = loaderCauses(`${error ?? ''}\n${clean}`).filter((line) => line !== error);
  const stderrTail = tail(clean.trim(), STDERR_TAIL_CHARS);
  const base = { ...target, loaderErrors, stderrTail, elapsedMs };
  if (reply?.ok === true) {
    return { ...base, available: true, outcome: 'ran', reason: `ran half_plus_two (session ${fmtMs(reply.createMs)}, run ${fmtMs(reply.runMs)})` };
  }
  const cause = loaderErrors.length > 0 ? `: ${loaderErrors.join('; ')}` : '';
  const hint = usesGpuLibraries && state.presentFiles.length < GPU_PROVIDER_FILES.length
    ? ` (provider libraries missing from ${state.binDir}: ${GPU_PROVIDER_FILES.filter((f) => !state.presentFiles.includes(f)).join(', ')}; run npm run install-gpu)`
    : '';
  if (timedOut) {
    return { ...base, available: false, outcome: 'timed-out', reason: `probe did not finish within ${timeoutMs} ms and was killed${cause}` };
  }
  if (reply === undefined) {
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code} without a reply`;
    const last = loaderErrors.length === 0 && stderrTail !== '' ? `: ${stderrTail.split('\n').filter((l) => l.trim() !== '').pop()}` : cause;
    return { ...base, available: false, outcome: 'crashed', reason: `probe process ${how}${last}${hint}` };
  }
  return { ...base, available: false, outcome: 'failed', reason: `${error ?? 'failed'}${cause}${hint}` };
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '?' : `${ms.toFixed(1)} ms`;
}

interface ChildOutcome {
  reply?: ProbeChildReply;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

function runChild(request: ProbeChildRequest, timeoutMs: number, env: Readonly<Record<string, string>> | undefined): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = fork(join(__dirname, 'probe-child.js'), [JSON.stringify(request)], {
      silent: true, // stdout/stderr piped to us, not inherited
      env: { ...process.env, ...env },
      execArgv: [],
    });
    let stderr = '';
    let reply: ProbeChildReply | undefined;
    let timedOut = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
    });
    child.stdout?.resume(); // drain; the reply comes over IPC
    child.on('message', (message: ProbeChildReply) => {
      reply = message;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ reply, stderr, code, signal, timedOut });
    });
  });
}
