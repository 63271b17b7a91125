/**
 * The provider probe's child process (started by `probe-provider.ts` with child_process.fork):
 * creates an ONNX Runtime session of the tiny half_plus_two model on ONE execution provider, runs
 * it once and checks the numbers. A provider that aborts or segfaults takes only this process
 * down, and ONNX Runtime's own stderr (where the real loader error is printed) goes to the parent.
 *
 * Contract: argv[2] is a JSON `ProbeChildRequest`; the result is sent once over the IPC channel
 * as a `ProbeChildReply`, then the process exits 0 (ran and matched) or 3 (failed).
 *
 * @private
 */
import { performance } from 'node:perf_hooks';
import type { ProviderName } from './provider-catalog';
import { PROBE_INPUT, PROBE_INPUT_NAME, PROBE_OUTPUT_NAME, expectedProbeOutput } from './tiny-probe-model';

export interface ProbeChildRequest {
  readonly modelPath: string;
  readonly provider: ProviderName;
  readonly deviceId?: number;
}

export interface ProbeChildReply {
  readonly ok: boolean;
  /** session.create + run error message, or a mismatch description. */
  readonly error?: string;
  readonly output?: number[];
  readonly createMs?: number;
  readonly runMs?: number;
}

async function probe(request: ProbeChildRequest): Promise<ProbeChildReply> {
  // Loaded here, not at the top, so a failing native load is reported like any other failure.
  const ort = await import('onnxruntime-node');
  const provider = request.deviceId === undefined ? request.provider : { name: request.provider, deviceId: request.deviceId };
  const begin = performance.now();
  let session: import('onnxruntime-node').InferenceSession;
  try {
    // logSeverityLevel 2 (warning): ORT then also says which nodes left the provider for the CPU.
    session = await ort.InferenceSession.create(request.modelPath, { executionProviders: [provider], logSeverityLevel: 2 });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const createMs = performance.now() - begin;
  const feed = new ort.Tensor('float32', Float32Array.from(PROBE_INPUT), [PROBE_INPUT.length, 1]);
  const runBegin = performance.now();
  try {
    const result = await session.run({ [PROBE_INPUT_NAME]: feed });
    const runMs = performance.now() - runBegin;
    const output = Array.from(result[PROBE_OUTPUT_NAME].data as Float32Array);
    const expected = expectedProbeOutput();
    const ok = output.length === expected.length && output.every((v, i) => v === expected[i]);
    return ok
      ? { ok, output, createMs, runMs }
      : { ok, output, createMs, runMs, error: `half_plus_two returned [${output.join(', ')}]; expected [${expected.join(', ')}]` };
  } catch (error) {
    return { ok: false, createMs, error: `session created, but run() failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function send(reply: ProbeChildReply): void {
  const exitCode = reply.ok ? 0 : 3;
  if (process.send === undefined) {
    process.stdout.write(`${JSON.stringify(reply)}\n`);
    process.exit(exitCode);
  }
  process.send(reply, () => process.exit(exitCode));
}

function parseRequest(arg: string | undefined): ProbeChildRequest | undefined {
  try {
    return JSON.parse(arg ?? '') as ProbeChildRequest;
  } catch {
    return undefined;
  }
}

const request = parseRequest(process.argv[2]);
if (request === undefined) {
  send({ ok: false, error: `probe-child needs a JSON request as its first argument; got ${JSON.stringify(process.argv[2])}` });
} else {
  probe(request).then(send, (error: unknown) => send({ ok: false, error: error instanceof Error ? error.message : String(error) }));
}
