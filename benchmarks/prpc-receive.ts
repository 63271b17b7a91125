#!/usr/bin/env node
/**
 * Time for the baidu_std frame reader to receive one large frame delivered in small reads (as a
 * client writing 16 KB at a time produces), per frame size: linear receiving keeps ms/MB flat.
 *
 *   npx tsc -p . && node dist/benchmarks/prpc-receive.js [--sizes_mb 4,32,64,256] [--chunk_kb 16]
 */
import { performance } from 'node:perf_hooks';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { PrpcFrameReader, encodePrpcFrame } from '../src/paddle/brpc/prpc-frame';

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/prpc-receive.js [flags]', {
    sizes_mb: { kind: 'list', help: 'frame body sizes, MiB' },
    chunk_kb: { kind: 'integer', help: 'bytes per read, KiB' },
  });
  if (flags === undefined) return 0;
  const sizesMb = ((flags.sizes_mb as string[] | undefined) ?? ['4', '32', '64', '256']).map(Number);
  const chunkBytes = ((flags.chunk_kb as number | undefined) ?? 16) * 1024;
  process.stdout.write('| frame MiB | reads | ms | ms per MiB |\n|---|---|---|---|\n');
  for (const mb of sizesMb) {
    const frame = encodePrpcFrame(new Uint8Array(16), Buffer.alloc(mb * 1024 * 1024, 1));
    const reader = new PrpcFrameReader(frame.byteLength);
    const started = performance.now();
    let frames = 0;
    for (let offset = 0; offset < frame.byteLength; offset += chunkBytes) frames += reader.push(frame.subarray(offset, offset + chunkBytes)).length;
    const ms = performance.now() - started;
    if (frames !== 1) throw new Error(`expected 1 frame; got ${frames}`);
    process.stdout.write(`| ${mb} | ${Math.ceil(frame.byteLength / chunkBytes)} | ${ms.toFixed(1)} | ${(ms / mb).toFixed(2)} |\n`);
  }
  return 0;
}

runMain('prpc-receive', main);
