#!/usr/bin/env node
/**
 * The naive baseline: the Paddle-compatible server a Node developer writes in an afternoon.
 * @grpc/grpc-js + @grpc/proto-loader on Paddle's GeneralModelService/inference, one ONNX Runtime
 * session (1 intra-op thread) run on the main thread; no validation, workers, batching or metrics.
 *
 * Contract: feeds are bound by Tensor `name` (INT64 from int64_data, FP32 from float_data); the
 * answer holds every fetch var (or the model's outputs when none is named) as float_data in one
 * ModelOutput. Logs "serving naive on host:port" on stderr when ready; SIGTERM stops it.
 *
 *   node dist/benchmarks/naive/naive-server.js [--model serving_server/model.onnx] [--host 127.0.0.1] [--port 0]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as ort from 'onnxruntime-node';
import { PROTO_ROOT } from '../../src/protocol/proto-paths';

const INT64 = 0;
const FP32 = 1;

interface PaddleTensor { int64_data: number[]; float_data: number[]; elem_type: number; shape: number[]; name: string; alias_name: string }
interface PaddleRequest { tensor: PaddleTensor[]; fetch_var_names: string[]; log_id: number }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string', default: 'serving_server/model.onnx' }, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '9393' } } });
  const session = await ort.InferenceSession.create(values.model!, { intraOpNumThreads: 1 });
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'paddle', 'general_model_service.proto'), { keepCase: true, longs: Number, defaults: true });
  const paddle = grpc.loadPackageDefinition(definition).baidu as grpc.GrpcObject;
  const service = ((paddle.paddle_serving as grpc.GrpcObject).predictor as grpc.GrpcObject).general_model as grpc.GrpcObject;

  const inference = async (call: grpc.ServerUnaryCall<PaddleRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const t of call.request.tensor) {
        feeds[t.name || t.alias_name] = t.elem_type === INT64
          ? new ort.Tensor('int64', BigInt64Array.from(t.int64_data, (v) => BigInt(v)), t.shape)
          : new ort.Tensor('float32', Float32Array.from(t.float_data), t.shape);
      }
      const fetch = call.request.fetch_var_names.length > 0 ? call.request.fetch_var_names : session.outputNames;
      const results = await session.run(feeds, fetch);
      const tensor = fetch.map((name) => ({ name, alias_name: name, elem_type: FP32, shape: results[name].dims, float_data: Array.from(results[name].data as Float32Array) }));
      callback(null, { outputs: [{ tensor, engine_name: 'GeneralInferOp_0' }], log_id: call.request.log_id });
    } catch (error) {
      callback({ code: grpc.status.INTERNAL, details: String(error) });
    }
  };

  const server = new grpc.Server();
  server.addService((service.GeneralModelService as grpc.ServiceClientConstructor).service, { inference, debug: inference });
  server.bindAsync(`${values.host}:${values.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      process.stderr.write(`naive-server: cannot bind: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`serving naive on ${values.host}:${port}\n`);
  });
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
  process.once('SIGINT', () => server.tryShutdown(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`naive-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
