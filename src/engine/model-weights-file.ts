/**
 * One copy of a model version's weights for all its sessions: the validated image is split into a
 * graph file and a weights file (ONNX external data, 64 KiB-aligned) in a private directory (0700,
 * files read-only); sessions load the graph by path and ONNX Runtime memory-maps the weights. A
 * file is needed: onnxruntime-node refuses SharedArrayBuffer model bytes and copies in-memory
 * external data into each session (benchmarks/results/model-memory.md has the figures).
 *
 * Contract: `pinWeightsToFile(image)` returns the image with `file` set (and `bytes` cut to the
 * graph) plus a log sentence, or the image unchanged with the reason. The files come from the
 * validated bytes, never the user's file. `release()` removes the directory; leftovers go at
 * process exit, and a later server sweeps those of a server killed by a signal (pid in the name).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnxModelProtoType } from '../model/onnx/onnx-schema';
import type { ModelImage } from './model-image';

const ALIGN_BYTES = 65536;
const MIN_TENSOR_BYTES = 4096;
const WEIGHTS_FILE = 'weights.bin';
const PREFIX = 'rec-serving-weights-';
const live = new Set<string>();
let exitHookInstalled = false;
let swept = false;

interface TensorLike { raw_data?: Uint8Array | null; data_location?: number; external_data?: Array<{ key: string; value: string }> }

export interface PinnedImage {
  readonly image: ModelImage;
  readonly note: string;
  release(): void;
}

export function pinWeightsToFile(image: ModelImage): PinnedImage {
  const unchanged = (reason: string): PinnedImage => ({ image, note: `weights are copied into each session: ${reason}`, release: () => undefined });
  const type = onnxModelProtoType();
  let model: { graph?: { initializer?: TensorLike[] } };
  try {
    model = type.decode(image.bytes) as unknown as typeof model;
  } catch (error) {
    return unchanged(`the model cannot be decoded for splitting (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!sameBytes(type.encode(model as object).finish(), image.bytes)) return unchanged('the model does not re-encode to its own bytes with the ONNX subset this server rewrites');
  const initializers = model.graph?.initializer ?? [];
  if (initializers.some((t) => t.data_location === 1 || (t.external_data?.length ?? 0) > 0)) return unchanged('the model already keeps tensors in external data');
  const large = initializers.filter((t) => (t.raw_data?.byteLength ?? 0) >= MIN_TENSOR_BYTES);
  if (large.length === 0) return unchanged(`no tensor of at least ${MIN_TENSOR_BYTES} bytes`);
  sweepStale();
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
    fs.chmodSync(dir, 0o700);
  } catch (error) {
    return unchanged(`no private directory could be made in ${os.tmpdir()} (${error instanceof Error ? error.message : String(error)})`);
  }
  track(dir);
  try {
    const weightsPath = path.join(dir, WEIGHTS_FILE);
    const fd = fs.openSync(weightsPath, 'w', 0o600);
    let offset = 0;
    let total = 0;
    try {
      for (const tensor of large) {
        const raw = tensor.raw_data!;
        offset = Math.ceil(offset / ALIGN_BYTES) * ALIGN_BYTES;
        fs.writeSync(fd, raw, 0, raw.byteLength, offset);
        tensor.external_data = [{ key: 'location', value: WEIGHTS_FILE }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.byteLength) }];
        tensor.data_location = 1;
        tensor.raw_data = undefined;
        offset += raw.byteLength;
        total += raw.byteLength;
      }
    } finally {
      fs.closeSync(fd);
    }
    const graphPath = path.join(dir, 'model.onnx');
    const graph = type.encode(model as object).finish();
    fs.writeFileSync(graphPath, graph, { mode: 0o600 });
    // The full bytes are no longer needed in memory: sessions load the graph file (and map the weights).
    const bytes = new Uint8Array(new SharedArrayBuffer(graph.byteLength));
    bytes.set(graph);
    fs.chmodSync(weightsPath, 0o400);
    fs.chmodSync(graphPath, 0o400);
    return {
      image: { ...image, bytes, file: graphPath },
      note: `weights (${(total / 1048576).toFixed(1)} MiB in ${large.length} tensors) are memory-mapped read-only by every session from a private copy of the validated bytes in ${dir}`,
      release: () => remove(dir),
    };
  } catch (error) {
    remove(dir);
    return unchanged(`the weights file could not be written (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Removes the directories of servers that died without cleaning up (killed by a signal): their pid is gone. */
function sweepStale(): void {
  if (swept) return;
  swept = true;
  let entries: string[];
  try {
    entries = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(/^rec-serving-weights-(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function track(dir: string): void {
  live.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const left of live) fs.rmSync(left, { recursive: true, force: true });
  });
}

function remove(dir: string): void {
  live.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
