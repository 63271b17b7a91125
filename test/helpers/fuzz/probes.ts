/**
 * Valid requests on each protocol (gRPC Predict, gRPC Paddle inference, HTTP/1.1 JSON, baidu_std),
 * each on a fresh connection, returning the scores the server sent. `probeAll` compares them
 * with the first answers (`baseline`) and returns one line per protocol that failed or differed
 * (empty when all four are served correctly). Every probe gives up after `PROBE_TIMEOUT_MS`.
 */
import * as http from 'node:http';
import { decodePaddleResponse } from '../../../src/paddle/service/paddle-messages';
import { PREDICT_PATH, decodePredictResponse } from '../../../src/protocol/predict-messages';
import { connectH2, rawUnary } from '../h2-raw';
import { GRPC_INFERENCE_PATH, prpcFrame } from '../paddle-requests';
import { RawConnection } from '../prpc-connection';
import { encodePaddleJson, encodePaddleProto, encodePredict, validRequest } from './feed-mutations';

export const PROBE_TIMEOUT_MS = 5000;
export type Scores = number[];
export type ProbeName = 'grpc-predict' | 'grpc-inference' | 'http-json' | 'baidu_std';
const PROBE_REQUEST = validRequest(3, 77);

function withTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function grpcProbe(port: number, paddle: boolean): Promise<Scores> {
  const session = await connectH2(`127.0.0.1:${port}`);
  try {
    const answer = await rawUnary(session, paddle ? GRPC_INFERENCE_PATH : PREDICT_PATH, paddle ? encodePaddleProto(PROBE_REQUEST) : encodePredict(PROBE_REQUEST));
    if (answer.status !== 0) throw new Error(`grpc-status ${answer.status} ${answer.message}`);
    const message = answer.body.subarray(5);
    if (paddle) return Array.from(decodePaddleResponse(message).outputs[0].tensor[0].float_data ?? []);
    const raw = decodePredictResponse(message).outputs[0].rawData;
    return Array.from(new Float32Array(Uint8Array.from(raw).buffer));
  } finally {
    session.destroy();
  }
}

function httpProbe(port: number): Promise<Scores> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/GeneralModelService/inference', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        try {
          resolve((JSON.parse(text) as { outputs: Array<{ tensor: Array<{ float_data: number[] }> }> }).outputs[0].tensor[0].float_data);
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(encodePaddleJson(PROBE_REQUEST));
  });
}

async function baiduStdProbe(port: number): Promise<Scores> {
  const connection = new RawConnection(port);
  try {
    connection.socket.write(prpcFrame(encodePaddleProto(PROBE_REQUEST), { correlationId: 9 }));
    const [answer] = await connection.next();
    const code = answer.meta.response?.error_code ?? 0;
    if (code !== 0) throw new Error(`error_code ${code} ${answer.meta.response?.error_text ?? ''}`);
    return Array.from(decodePaddleResponse(answer.body).outputs[0].tensor[0].float_data ?? []);
  } finally {
    connection.socket.destroy();
  }
}

export function probe(port: number, name: ProbeName): Promise<Scores> {
  const work = name === 'grpc-predict' ? grpcProbe(port, false) : name === 'grpc-inference' ? grpcProbe(port, true) : name === 'http-json' ? httpProbe(port) : baiduStdProbe(port);
  return withTimeout(name, work);
}

export const PROBES: readonly ProbeName[] = ['grpc-predict', 'grpc-inference', 'http-json', 'baidu_std'];

/** Scores of each protocol's valid request; throws when one is not served. */
export async function baseline(port: number): Promise<Map<ProbeName, Scores>> {
  const out = new Map<ProbeName, Scores>();
  for (const name of PROBES) out.set(name, await probe(port, name));
  return out;
}

export async function probeAll(port: number, expected: ReadonlyMap<ProbeName, Scores>): Promise<string[]> {
  const failures = await Promise.all(PROBES.map(async (name) => {
    try {
      const scores = await probe(port, name);
      const want = expected.get(name)!;
      const same = scores.length === want.length && scores.every((s, i) => Math.abs(s - want[i]) <= 1e-5);
      return same ? undefined : `${name}: scores ${JSON.stringify(scores)}, expected ${JSON.stringify(want)}`;
    } catch (error) {
      return `${name}: ${(error as Error).message}`;
    }
  }));
  return failures.filter((f): f is string => f !== undefined);
}
