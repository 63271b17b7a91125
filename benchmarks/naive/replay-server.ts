#!/usr/bin/env node
/**
 * The HTTP/2 floor: a gRPC server on `node:http2` that does no work. It answers every unary call
 * with a stored answer: the first call of each method and request size class is forwarded to
 * `--upstream` (a real rec-serve) and its answer kept; every later call of that class gets that
 * answer back without its request being decoded or any model run. Not a usable server: it shows
 * how fast a client can be served over HTTP/2 on this host when the server costs nothing, the
 * ceiling any gRPC server here is measured against.
 *
 * Contract: a size class is the request body length rounded to a power of two, so batch-5 and
 * batch-2048 calls get answers with their own row counts. Answers go out as rec-serve's fast route
 * sends them (HEADERS, one DATA frame, `grpc-status: 0` trailers). Logs "serving replay on
 * host:port" on stderr when ready; SIGTERM stops it.
 *
 *   node dist/benchmarks/naive/replay-server.js --upstream 127.0.0.1:9393 [--host 127.0.0.1] [--port 0]
 */
import * as http2 from 'node:http2';
import { parseArgs } from 'node:util';
import { GrpcUnaryChannel } from '../../src/client/grpc-unary-channel';

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const OK_TRAILERS = { 'grpc-status': '0' };

function main(): void {
  const { values } = parseArgs({ options: { upstream: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } } });
  if (values.upstream === undefined) throw new Error('--upstream host:port (a running rec-serve) is required');
  const upstream = GrpcUnaryChannel.connect(values.upstream);
  const answers = new Map<string, Promise<Buffer>>();
  const answerFor = (path: string, message: Buffer): Promise<Buffer> => {
    const key = `${path} ${Math.round(Math.log2(Math.max(1, message.byteLength)))}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = upstream.unary(path, message).then((bytes) => {
        const framed = Buffer.allocUnsafe(5 + bytes.byteLength);
        framed[0] = 0;
        framed.writeUInt32BE(bytes.byteLength, 1);
        framed.set(bytes, 5);
        return framed;
      });
      answer.catch(() => answers.delete(key));
      answers.set(key, answer);
    }
    return answer;
  };

  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      answerFor(headers[':path'] as string, body.subarray(5)).then((framed) => {
        if (stream.closed || stream.destroyed) return;
        stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
        stream.end(framed);
      }, (error: unknown) => {
        if (!stream.closed && !stream.destroyed) stream.respond({ ...RESPONSE_HEADERS, 'grpc-status': '13', 'grpc-message': encodeURIComponent(String(error)) }, { endStream: true });
      });
    });
  });
  server.listen(Number(values.port), values.host, () => {
    const address = server.address();
    process.stderr.write(`serving replay on ${values.host}:${typeof address === 'object' && address !== null ? address.port : values.port}\n`);
  });
  const stop = () => {
    upstream.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`replay-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
