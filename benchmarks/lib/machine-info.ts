/**
 * What the result files say about the machine: CPU model, cores, memory, OS, Node and ONNX Runtime
 * versions, the load average when the run started, and the exact command.
 *
 * Contract: `describeMachine()` never throws; a value it cannot read is "unknown".
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntimeNode: string;
  readonly grpcJs: string;
  readonly loadAverage1m: number;
  readonly command: string;
  readonly startedAt: string;
  /** Free-text caveat about the run (e.g. the machine was shared). */
  readonly note: string;
}

function packageVersion(name: string): string {
  try {
    const manifest = require.resolve(`${name}/package.json`, { paths: [process.cwd(), __dirname] });
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(note = ''): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() || 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    grpcJs: packageVersion('@grpc/grpc-js'),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    command: ['node', ...process.argv.slice(1).map((a, i) => (i === 0 ? path.relative(process.cwd(), a) : a))].join(' '),
    startedAt: new Date().toISOString(),
    note,
  };
}

export function machineMarkdown(machine: MachineInfo): string {
  return [
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}`,
    `- Software: Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}, @grpc/grpc-js ${machine.grpcJs}`,
    `- Load average (1 min) at start: ${machine.loadAverage1m}; started ${machine.startedAt}`,
    `- Command: \`${machine.command}\``,
    ...(machine.note ? [`- Note: ${machine.note}`] : []),
  ].join('\n');
}
