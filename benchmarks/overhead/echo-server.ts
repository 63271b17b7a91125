#!/usr/bin/env node
/**
 * The transport floor for the overhead benchmark: a grpc-js server on rec-serving's Predict path
 * that does no work. It neither decodes the request nor runs a model; it answers every call with
 * one pre-encoded PredictResponse shaped like the real one (`--rows` × 1 float32 output named
 * `--output_name`). It runs in its own process, as rec-serve does, so the measured round trip
 * holds the same costs: client encode, HTTP/2 both ways, grpc-js server dispatch, client decode.
 *
 *   node dist/benchmarks/overhead/echo-server.js [--rows 5] [--output_name sigmoid_0.tmp_0]
 * Prints "serving echo on 127.0.0.1:<port>" on stderr when ready; SIGTERM stops it.
 */
import * as grpc from '@grpc/grpc-js';
import { parseFlags } from '../../src/config/parse-flags';
import { PREDICT_PATH, encodePredictResponse } from '../../src/protocol/predict-messages';

const flags = parseFlags(process.argv.slice(2), {
  rows: { kind: 'integer', help: 'rows of the canned response' },
  output_name: { kind: 'string', help: 'output tensor name' },
});
const rows = (flags.rows as number | undefined) ?? 5;
const answer = encodePredictResponse({
  modelName: 'echo',
  modelVersion: '1',
  outputs: [{ name: (flags.output_name as string | undefined) ?? 'sigmoid_0.tmp_0', dtype: 2, shape: [rows, 1], rawData: new Uint8Array(rows * 4) }],
  requestId: 0,
  timing: { startUs: 0, endUs: 0, queueUs: 0, computeUs: 0, executedBatchRows: rows },
});

const server = new grpc.Server({ 'grpc.max_receive_message_length': 512 * 1024 * 1024 });
server.addService(
  { Predict: { path: PREDICT_PATH, requestStream: false, responseStream: false, requestSerialize: (v: Buffer) => v, requestDeserialize: (b: Buffer) => b, responseSerialize: (v: Buffer) => v, responseDeserialize: (b: Buffer) => b } },
  { Predict: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, answer) },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`echo-server: cannot bind: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`serving echo on 127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
process.once('SIGINT', () => server.tryShutdown(() => process.exit(0)));
