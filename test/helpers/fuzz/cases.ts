/**
 * The seeded case generator: `generateCase(seed, index)` is a pure function of its arguments, so
 * any case of any run can be rebuilt from the printed seed and its index. A case is a script of
 * writes, pauses, a half-close or a reset, over raw TCP (HTTP/1.1, baidu_std, the protocol
 * sniffer, raw h2c) or over one HTTP/2 stream (gRPC), with what the server must do: `refuse`
 * (a non-OK status or a closed connection) or `any` (the client resets, or the request is valid).
 * Slow cases rely on the server's 500 ms timeout flags (FUZZ_SERVER_FLAGS).
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import * as zlib from 'node:zlib';
import { PREDICT_PATH } from '../../../src/protocol/predict-messages';
import { encodeRpcMeta } from '../../../src/paddle/service/paddle-messages';
import { FULL_SERVICE, GRPC_INFERENCE_PATH } from '../paddle-requests';
import { MUTATIONS, encodePaddleJson, encodePaddleProto, encodePredict, mutate, validRequest, type Mutation } from './feed-mutations';
import { Prng } from './prng';

/** Low limits and timeouts so that bombs stay small and slow cases finish in about a second. */
export const FUZZ_MAX_BODY = 262_144;
export const FUZZ_SERVER_FLAGS: readonly string[] = [
  '--max_body_size', String(FUZZ_MAX_BODY),
  '--sniff_timeout_ms', '500', '--http_header_timeout_ms', '500', '--http_request_timeout_ms', '500', '--http_keepalive_timeout_ms', '1000',
  '--baidu_std_frame_timeout_ms', '500', '--baidu_std_idle_timeout_ms', '1000', '--h2_idle_timeout_ms', '1000', '--grpc_stream_body_timeout_ms', '500',
];

export type Step = { readonly write: Buffer } | { readonly wait: number } | { readonly end: true } | { readonly reset: true };
export type Protocol = 'http' | 'grpc' | 'baidu_std' | 'sniff';
export type Transport = { readonly type: 'tcp'; readonly parser: 'http' | 'prpc' | 'close' } | { readonly type: 'h2'; readonly headers: OutgoingHttpHeaders };

export interface FuzzCase {
  readonly seed: number;
  readonly index: number;
  readonly protocol: Protocol;
  /** `protocol/what`, the unit the reports count by. */
  readonly kind: string;
  readonly transport: Transport;
  readonly steps: readonly Step[];
  readonly expect: 'refuse' | 'any';
  /** Statuses that are precise for this case although they usually mean a server fault. */
  readonly alsoPrecise?: readonly string[];
  /** When set, the only statuses that are right for this case (a close still counts). */
  readonly wants?: readonly string[];
  readonly timeoutMs: number;
}

const FAST_MS = 3000;
const SLOW_MS = 4000;
const HTTP_PATH = '/GeneralModelService/inference';
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

type Draft = Omit<FuzzCase, 'seed' | 'index' | 'protocol'>;

const write = (bytes: Buffer | string): Step => ({ write: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes });
const tcp = (parser: 'http' | 'prpc' | 'close'): Transport => ({ type: 'tcp', parser });

function bomb(rng: Prng, format: 'gzip' | 'deflate'): Buffer {
  const zeros = Buffer.alloc(FUZZ_MAX_BODY * rng.int(2, 8));
  return format === 'gzip' ? zlib.gzipSync(zeros) : zlib.deflateSync(zeros);
}

function mutatedRequest(rng: Prng, mutation: Mutation) {
  return mutate(validRequest(rng.int(1, 4), rng.int(1, 1_000_000)), mutation, rng);
}

const pickMutation = (rng: Prng): Mutation => rng.pick(MUTATIONS.filter((m) => m !== 'none'));

function httpHead(headers: Record<string, string | number>, method = 'POST', path = HTTP_PATH): string {
  return `${method} ${path} HTTP/1.1\r\nHost: fuzz\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function httpCase(rng: Prng): Draft {
  const refuse = (what: string, steps: Step[], timeoutMs = FAST_MS): Draft => ({ kind: `http/${what}`, transport: tcp('http'), steps, expect: 'refuse', timeoutMs });
  const json = () => Buffer.from(encodePaddleJson(validRequest(2, rng.int(1, 1000))));
  switch (rng.int(0, 13)) {
    case 0: { const mutation = pickMutation(rng); const body = Buffer.from(encodePaddleJson(mutatedRequest(rng, mutation)));
      return refuse(`json:${mutation}`, [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': body.length })), write(body)]); }
    case 1: { const mutation = pickMutation(rng); const body = encodePaddleProto(mutatedRequest(rng, mutation));
      return refuse(`proto:${mutation}`, [write(httpHead({ 'Content-Type': 'application/proto', 'Content-Length': body.length })), write(body)]); }
    case 2: { const body = rng.corrupt(json()); return { ...refuse('corrupt-json', [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': body.length })), write(body)]), expect: 'any' }; }
    case 3: { const body = rng.bytes(rng.int(1, 2048)); return refuse('proto-garbage', [write(httpHead({ 'Content-Type': 'application/proto', 'Content-Length': body.length })), write(body)]); }
    case 4: return refuse('garbage-after-request-line', [write(`POST ${HTTP_PATH} HTTP/1.1\r\n`), write(rng.bytes(rng.int(1, 4096))), { end: true }]);
    case 5: { const body = json(); const cut = rng.int(0, body.length - 1);
      return refuse('truncated-body', [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': body.length })), write(body.subarray(0, cut)), ...(rng.next() < 0.5 ? [{ end: true } as Step] : [])], SLOW_MS); }
    case 6: { const body = json(); return refuse('short-content-length', [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': rng.int(1, body.length - 1) })), write(body)]); }
    case 7: { const format = rng.pick(['gzip', 'deflate'] as const); const body = bomb(rng, format);
      return { ...refuse(`${format}-bomb`, [write(httpHead({ 'Content-Type': 'application/json', 'Content-Encoding': format, 'Content-Length': body.length })), write(body)]), wants: ['http 413'] }; }
    case 8: { const [name, value] = rng.pick([['1e11', '99999999999'], ['limit+1', String(FUZZ_MAX_BODY + 1)], ['2^64', '18446744073709551616'], ['negative', '-1'], ['exponent', '1e3']]);
      const over = name === '1e11' || name === 'limit+1';
      return { ...refuse(`content-length-${name}`, [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': value }))], SLOW_MS), ...(over ? { wants: ['http 413'] } : {}) }; }
    case 9: { const body = Buffer.alloc(FUZZ_MAX_BODY + rng.int(1, 65536), 0x20); return { ...refuse('oversized-body', [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': body.length })), write(body)]), wants: ['http 413'] }; }
    case 10: { const head = httpHead({ 'Content-Type': 'application/json', 'Content-Length': 10 }); const cut = rng.int(5, head.length - 3);
      const steps: Step[] = [write(head.slice(0, cut))];
      for (let i = 0; i < 12; i++) steps.push({ wait: 250 }, write(head.slice(cut + i, cut + i + 1) === '\n' ? 'X' : 'x'));
      return refuse('slow-headers', steps, SLOW_MS); }
    case 11: return refuse('unterminated-chunked', [write(httpHead({ 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' })), write(`ff\r\n${'{'.repeat(rng.int(1, 200))}`)], SLOW_MS);
    case 12: { const body = json(); return { kind: 'http/reset-mid-body', transport: tcp('http'), steps: [write(httpHead({ 'Content-Type': 'application/json', 'Content-Length': body.length })), write(body.subarray(0, rng.int(0, body.length - 1))), { wait: rng.int(0, 20) }, { reset: true }], expect: 'any', timeoutMs: FAST_MS }; }
    default: return refuse('bad-method-or-type', [write(rng.pick([httpHead({ 'Content-Length': 0 }, 'DELETE'), httpHead({ 'Content-Type': 'text/plain', 'Content-Length': 2 }) + '{}', httpHead({ 'Content-Length': 0 }, 'GET', '/nope/../../etc/passwd')]))]);
  }
}

function grpcFrame(payload: Buffer, options: { compressed?: boolean; declared?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head[0] = options.compressed === true ? 1 : 0;
  head.writeUInt32BE(options.declared ?? payload.length, 1);
  return Buffer.concat([head, payload]);
}

function grpcCase(rng: Prng): Draft {
  const paddle = rng.next() < 0.4;
  const path = paddle ? GRPC_INFERENCE_PATH : PREDICT_PATH;
  const route = paddle ? 'inference' : 'predict';
  const headers = (extra: Record<string, string> = {}): OutgoingHttpHeaders => ({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
  const valid = () => (paddle ? encodePaddleProto(validRequest(2, rng.int(1, 1000))) : encodePredict(validRequest(2, rng.int(1, 1000))));
  const refuse = (what: string, steps: Step[], extra: Record<string, string> = {}, timeoutMs = FAST_MS): Draft => ({ kind: `grpc/${route}:${what}`, transport: { type: 'h2', headers: headers(extra) }, steps, expect: 'refuse', timeoutMs });
  switch (rng.int(0, 10)) {
    case 0: case 1: { const mutation = pickMutation(rng); const request = mutatedRequest(rng, mutation);
      return refuse(mutation, [write(grpcFrame(paddle ? encodePaddleProto(request) : encodePredict(request))), { end: true }]); }
    case 2: return refuse('garbage-message', [write(grpcFrame(rng.bytes(rng.int(1, 2048)))), { end: true }]);
    // A stream that ends inside its message: INTERNAL is what grpc-js answers, and the fast route's contract.
    case 3: { const body = grpcFrame(valid()); return { ...refuse('truncated-message', [write(body.subarray(0, rng.int(1, body.length - 1))), { end: true }]), alsoPrecise: ['grpc 13'] }; }
    case 4: { const payload = valid(); return { ...refuse('length-prefix-too-long', [write(grpcFrame(payload, { declared: payload.length + rng.int(1, 1000) })), ...(rng.next() < 0.5 ? [{ end: true } as Step] : [])], {}, SLOW_MS), alsoPrecise: ['grpc 13'] }; }
    case 5: return refuse('huge-declared-length', [write(grpcFrame(Buffer.alloc(rng.int(0, 64)), { declared: rng.pick([0xffffffff, FUZZ_MAX_BODY + 1, 0x7fffffff]) }))], {}, SLOW_MS);
    case 6: { const format = rng.pick(['gzip', 'deflate'] as const); return refuse(`${format}-bomb`, [write(grpcFrame(bomb(rng, format), { compressed: true })), { end: true }], { 'grpc-encoding': format }); }
    case 7: return refuse('oversized-message', [write(grpcFrame(Buffer.alloc(FUZZ_MAX_BODY + rng.int(1, 65536), 0x0a))), { end: true }]);
    case 8: return refuse('no-body', rng.next() < 0.5 ? [] : [write(Buffer.from([0, 0]))], {}, SLOW_MS);
    case 9: return { kind: `grpc/${route}:reset-mid-call`, transport: { type: 'h2', headers: headers() }, steps: [write(grpcFrame(valid())), ...(rng.next() < 0.5 ? [{ end: true } as Step] : []), { wait: rng.int(0, 5) }, { reset: true }], expect: 'any', timeoutMs: FAST_MS };
    default: return refuse('compressed-flag-unknown-encoding', [write(grpcFrame(valid(), { compressed: true })), { end: true }], rng.next() < 0.5 ? { 'grpc-encoding': 'snappy' } : {});
  }
}

function prpcFrameBytes(payload: Buffer, meta: Uint8Array, options: { bodySize?: number; metaSize?: number } = {}): Buffer {
  const header = Buffer.alloc(12);
  header.write('PRPC', 0, 'latin1');
  header.writeUInt32BE(options.bodySize ?? meta.byteLength + payload.byteLength, 4);
  header.writeUInt32BE(options.metaSize ?? meta.byteLength, 8);
  return Buffer.concat([header, meta, payload]);
}

function rpcMeta(rng: Prng, options: { compressType?: number; service?: string; method?: string } = {}): Uint8Array {
  return encodeRpcMeta({ request: { service_name: options.service ?? FULL_SERVICE, method_name: options.method ?? 'inference', log_id: 0 }, compress_type: options.compressType ?? 0, correlation_id: rng.int(1, 1_000_000) });
}

function baiduStdCase(rng: Prng): Draft {
  const refuse = (what: string, steps: Step[], timeoutMs = FAST_MS): Draft => ({ kind: `baidu_std/${what}`, transport: tcp('prpc'), steps, expect: 'refuse', timeoutMs });
  const valid = () => encodePaddleProto(validRequest(2, rng.int(1, 1000)));
  switch (rng.int(0, 10)) {
    case 0: case 1: { const mutation = pickMutation(rng); return refuse(mutation, [write(prpcFrameBytes(encodePaddleProto(mutatedRequest(rng, mutation)), rpcMeta(rng)))]); }
    case 2: return refuse('garbage-after-magic', [write(Buffer.concat([Buffer.from('PRPC'), rng.bytes(rng.int(1, 4096))]))], SLOW_MS);
    case 3: { const frame = prpcFrameBytes(valid(), rpcMeta(rng)); return refuse('truncated-frame', [write(frame.subarray(0, rng.int(4, frame.length - 1))), ...(rng.next() < 0.5 ? [{ end: true } as Step] : [])], SLOW_MS); }
    case 4: { const payload = valid(); const meta = rpcMeta(rng); const total = meta.byteLength + payload.length;
      const sizes = rng.pick([{ metaSize: total + 1 }, { bodySize: meta.byteLength - 1 }, { bodySize: total - rng.int(1, 10) }, { bodySize: total + rng.int(1, 10) }, { metaSize: 0 }]);
      return refuse('wrong-length-prefix', [write(prpcFrameBytes(payload, meta, sizes))], SLOW_MS); }
    case 5: return refuse('huge-declared-length', [write(prpcFrameBytes(Buffer.alloc(0), new Uint8Array(0), { bodySize: rng.pick([0xffffffff, FUZZ_MAX_BODY + 100, 0x80000000]), metaSize: rng.int(0, 100) }))], SLOW_MS);
    case 6: return refuse('garbage-meta', [write(prpcFrameBytes(valid(), rng.bytes(rng.int(1, 200))))], SLOW_MS);
    case 7: { const which = rng.int(0, 2);
      const meta = which === 0 ? rpcMeta(rng, { service: rng.pick(['', 'nope.Service', FULL_SERVICE + 'x']) }) : which === 1 ? rpcMeta(rng, { method: rng.pick(['', 'predict', 'inference\u0000']) }) : rpcMeta(rng, { compressType: rng.pick([1, 4, 99, -1]) });
      return refuse(['unknown-service', 'unknown-method', 'unknown-compress-type'][which], [write(prpcFrameBytes(valid(), meta))]); }
    case 8: { const type = rng.pick([2, 3]); return refuse(type === 2 ? 'gzip-bomb' : 'zlib-bomb', [write(prpcFrameBytes(bomb(rng, type === 2 ? 'gzip' : 'deflate'), rpcMeta(rng, { compressType: type })))]); }
    case 9: return refuse('garbage-payload', [write(prpcFrameBytes(rng.bytes(rng.int(1, 2048)), rpcMeta(rng)))]);
    default: { const frame = prpcFrameBytes(valid(), rpcMeta(rng)); const whole = rng.next() < 0.5;
      return { kind: 'baidu_std/reset-mid-call', transport: tcp('prpc'), steps: [write(whole ? frame : frame.subarray(0, rng.int(1, frame.length - 1))), { wait: rng.int(0, 5) }, { reset: true }], expect: 'any', timeoutMs: FAST_MS }; }
  }
}

function sniffCase(rng: Prng): Draft {
  const closed = (what: string, steps: Step[], parser: 'http' | 'close' = 'http'): Draft => ({ kind: `sniff/${what}`, transport: tcp(parser), steps, expect: 'refuse', timeoutMs: SLOW_MS });
  switch (rng.int(0, 4)) {
    case 0: return closed('silent', []);
    case 1: return closed('partial-sniff', [write(rng.pick(['P', 'PR', 'PRP', 'PO', 'G']))]);
    case 2: { let bytes = rng.bytes(rng.int(4, 4096)); if (bytes[0] === 0x50 || bytes[0] === 0x47) bytes = Buffer.concat([Buffer.from([0xff]), bytes]); return closed('garbage', [write(bytes)]); }
    case 3: return closed('h2-garbage-after-preface', [write(Buffer.concat([H2_PREFACE, rng.bytes(rng.int(1, 2048))]))], 'close');
    default: return closed('h2-truncated-preface', [write(H2_PREFACE.subarray(0, rng.int(4, H2_PREFACE.length - 1)))], 'close');
  }
}

const BY_PROTOCOL: ReadonlyArray<readonly [Protocol, (rng: Prng) => Draft]> = [['http', httpCase], ['grpc', grpcCase], ['baidu_std', baiduStdCase], ['sniff', sniffCase]];
const WEIGHTS = [0.3, 0.3, 0.3, 0.1];

export function generateCase(seed: number, index: number): FuzzCase {
  const rng = new Prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  let roll = rng.next();
  let chosen = 0;
  while (chosen < WEIGHTS.length - 1 && roll >= WEIGHTS[chosen]) roll -= WEIGHTS[chosen++];
  const [protocol, make] = BY_PROTOCOL[chosen];
  return { seed, index, protocol, ...make(rng) };
}
