#!/usr/bin/env node
/**
 * CPU per call of the server's Paddle wire codec, in process (no sockets, no engine): a batch-5
 * DeepFM `general_model.Request` (C1..C26 int64 [5,1], dense_input float32 [5,13], encoded by the
 * project's client) decoded as the server does (decodePaddleRequest, then decodePaddleFeed of
 * every tensor into one FeedArena), and a `Response` with one float32 [5,1] output encoded as the
 * server does (encodePaddleFetch, then encodePaddleResponse). Then the client side, side by side:
 * the same batch-5 feed encoded as a Paddle Request, a Predict request and an Open Inference
 * Protocol ModelInferRequest, once through a message object and protobufjs's reflection encoder
 * and once by the direct writers the clients send with (paddle-request-writer.ts,
 * predict-message-writer.ts, kserve/oip-infer-request-writer.ts).
 *
 *   npx tsc -p . && node dist/benchmarks/paddle-codec.js [--calls 200000] [--rounds 7]
 *
 * Prints µs per call, the median of `rounds` timed rounds of `calls` calls each, after a warm-up
 * round. Run it on a quiet machine: the numbers are only comparable run against run there.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { REPO_ROOT } from '../src/paths/repo-root';
import { SignatureIndex } from '../src/core/validate-request';
import type { HostTensor } from '../src/core/tensor';
import { readModelSignatureFromDir } from '../src/model/paddle-config';
import { createCriteoLineGenerator } from '../src/data/criteo-line-generator';
import { parseSlotLine } from '../src/data/slot-format';
import { recordsToFeed } from '../src/data/criteo-feed';
import { buildPaddleRequest } from '../src/client/paddle-wire-codec';
import { ENGINE_NAME, type PaddleResponse, encodePaddleRequest } from '../src/paddle/service/paddle-messages';
import { decodePaddleRequest } from '../src/paddle/service/paddle-request-decoder';
import { writePaddleRequest } from '../src/paddle/service/paddle-request-writer';
import { DTYPE_TO_WIRE, encodePredictRequest } from '../src/protocol/predict-messages';
import { writePredictRequest } from '../src/protocol/predict-message-writer';
import { OIP_TYPES } from '../src/kserve/oip-messages';
import { DATATYPE_OF_DTYPE } from '../src/kserve/oip-tensors';
import { writeModelInferRequest } from '../src/kserve/oip-infer-request-writer';
import { encodePaddleResponse } from '../src/paddle/service/paddle-response-encoder';
import { FeedArena, decodePaddleFeed, encodePaddleFetch } from '../src/paddle/service/paddle-tensor-codec';

const BATCH = 5;

/** Median µs per call of `rounds` rounds of `calls` calls of `fn`, after one warm-up round. */
function time(calls: number, rounds: number, fn: () => unknown): number {
  let sink = 0;
  const perCall: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) if (fn() === undefined) sink++;
    const us = ((performance.now() - started) * 1000) / calls;
    if (round > 0) perCall.push(us);
  }
  if (sink > 0) throw new Error('a codec call returned nothing');
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/paddle-codec.js [flags]', {
    calls: { kind: 'integer', help: 'calls per timed round', defaultText: '200000' },
    rounds: { kind: 'integer', help: 'timed rounds (the median is printed)', defaultText: '7' },
  });
  if (flags === undefined) return 0;
  const calls = (flags.calls as number | undefined) ?? 200_000;
  const rounds = (flags.rounds as number | undefined) ?? 7;

  const signature = readModelSignatureFromDir(path.join(REPO_ROOT, 'serving_server'));
  const index = new SignatureIndex(signature);
  const lines = createCriteoLineGenerator(20261130);
  const { feed } = recordsToFeed(Array.from({ length: BATCH }, (_v, i) => parseSlotLine(lines.nextLine(), i + 1)), signature.inputs.map((spec) => spec.alias));
  const outputSpec = signature.outputs[0];
  const request = buildPaddleRequest(feed as unknown as Record<string, HostTensor>, [outputSpec.alias], 7, signature);
  const requestBytes = encodePaddleRequest(request);
  const output: HostTensor = { dtype: 'float32', dims: [BATCH, 1], data: Float32Array.of(0.11, 0.22, 0.33, 0.44, 0.55) };

  const decode = () => {
    const decoded = decodePaddleRequest(requestBytes);
    const arena = FeedArena.forTensors(decoded.tensor);
    return decoded.tensor.map((tensor) => decodePaddleFeed(tensor, index, arena));
  };
  const encode = () => {
    const response: PaddleResponse = {
      outputs: [{ tensor: [encodePaddleFetch(outputSpec, output)], engine_name: ENGINE_NAME }],
      profile_time: [1764500000000000, 1764500000000123],
      profile_server: false,
      log_id: 7,
    };
    return encodePaddleResponse(response);
  };
  if (decode().length !== signature.inputs.length) throw new Error(`decoded ${decode().length} feeds; the signature has ${signature.inputs.length}`);

  process.stdout.write(`request: ${requestBytes.byteLength} bytes, ${request.tensor.length} tensors; response: ${encode().byteLength} bytes\n`);
  process.stdout.write(`${calls} calls per round, median of ${rounds} rounds, node ${process.version}\n`);
  process.stdout.write('| step | µs per call |\n|---|---|\n');
  process.stdout.write(`| decode: decodePaddleRequest + decodePaddleFeed x${request.tensor.length} | ${time(calls, rounds, decode).toFixed(2)} |\n`);
  process.stdout.write(`| encode: encodePaddleFetch + encodePaddleResponse | ${time(calls, rounds, encode).toFixed(2)} |\n`);
  const hostFeed = feed as unknown as Record<string, HostTensor>;
  const fetch = [outputSpec.alias];
  const predictMessage = () => encodePredictRequest({
    inputs: Object.keys(hostFeed).map((name) => {
      const t = hostFeed[name];
      return { name, dtype: DTYPE_TO_WIRE[t.dtype], shape: [...t.dims], rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
    }),
    outputNames: fetch,
    requestId: 7,
  });
  if (!writePaddleRequest(hostFeed, fetch, 7, signature).equals(Buffer.from(requestBytes))) throw new Error('the Paddle writer and protobufjs disagree');
  if (!writePredictRequest(hostFeed, fetch, { requestId: 7 }).equals(predictMessage())) throw new Error('the Predict writer and protobufjs disagree');
  process.stdout.write(`| client, Paddle Request: buildPaddleRequest + protobufjs | ${time(calls, rounds, () => encodePaddleRequest(buildPaddleRequest(hostFeed, fetch, 7, signature))).toFixed(2)} |\n`);
  process.stdout.write(`| client, Paddle Request: writePaddleRequest | ${time(calls, rounds, () => writePaddleRequest(hostFeed, fetch, 7, signature)).toFixed(2)} |\n`);
  process.stdout.write(`| client, Predict request: message + protobufjs | ${time(calls, rounds, predictMessage).toFixed(2)} |\n`);
  process.stdout.write(`| client, Predict request: writePredictRequest | ${time(calls, rounds, () => writePredictRequest(hostFeed, fetch, { requestId: 7 })).toFixed(2)} |\n`);
  const oipMessage = () => Buffer.from(OIP_TYPES.ModelInfer.request.encode({
    model_name: 'serving_server',
    parameters: {},
    inputs: Object.keys(hostFeed).map((name) => ({ name, datatype: DATATYPE_OF_DTYPE[hostFeed[name].dtype], shape: [...hostFeed[name].dims] })),
    outputs: fetch.map((name) => ({ name })),
    raw_input_contents: Object.keys(hostFeed).map((name) => new Uint8Array(hostFeed[name].data.buffer, hostFeed[name].data.byteOffset, hostFeed[name].data.byteLength)),
  }).finish());
  const oipWrite = () => writeModelInferRequest({ modelName: 'serving_server', inputs: hostFeed, outputs: fetch });
  if (!oipWrite().equals(oipMessage())) throw new Error('the OIP writer and protobufjs disagree');
  process.stdout.write(`| client, OIP ModelInferRequest: message + protobufjs | ${time(calls, rounds, oipMessage).toFixed(2)} |\n`);
  process.stdout.write(`| client, OIP ModelInferRequest: writeModelInferRequest | ${time(calls, rounds, oipWrite).toFixed(2)} |\n`);
  return 0;
}

runMain('paddle-codec', main);
