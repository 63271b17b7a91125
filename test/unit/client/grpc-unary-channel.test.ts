/**
 * GrpcUnaryChannel against small node:http2 servers: message framing both ways, the server's
 * status and percent-encoded message, deadlines (sent as grpc-timeout, enforced locally),
 * UNAVAILABLE with "No connection established" when nothing listens, reconnection after the
 * server went away, non-gRPC answers, and addresses it refuses.
 */
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { GrpcUnaryChannel } from '../../../src/client/grpc-unary-channel';
import { Code, ServingError } from '../../../src/core/errors';
import { servingRejection } from '../../helpers/serving-rejection';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

const servers: http2.Http2Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(handler: Handler, port = 0): Promise<number> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function frame(bytes: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/** Echoes the message reversed, with grpc-status 0. */
const reverseEcho: Handler = (stream, _headers, body) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frame(Buffer.from(body.subarray(5)).reverse()));
};

describe('GrpcUnaryChannel', () => {
  it('sends one length-prefixed message with gRPC headers and returns the answer message', async () => {
    let seen: http2.IncomingHttpHeaders = {};
    const port = await serve((stream, headers, body) => {
      seen = headers;
      reverseEcho(stream, headers, body);
    });
    const channel = GrpcUnaryChannel.connect(`127.0.0.1:${port}`);
    try {
      const answer = await channel.unary('/pkg.Svc/Method', Buffer.from('abc'), { deadlineMs: 5000 });
      assert.equal(answer.toString(), 'cba');
      assert.equal(seen[':path'], '/pkg.Svc/Method');
      assert.equal(seen['content-type'], 'application/grpc');
      assert.equal(seen.te, 'trailers');
      // The time left when the headers go out: 5000 ms less the connect, on a loaded machine.
      const timeout = /^(\d+)m$/.exec(String(seen['grpc-timeout']));
      assert.ok(timeout !== null && Number(timeout[1]) > 4500 && Number(timeout[1]) <= 5000, `grpc-timeout ${seen['grpc-timeout']}`);
    } finally {
      channel.close();
    }
  });

  it('rejects with the server status and its percent-decoded message, trailers-only or not', async () => {
    const port = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3', 'grpc-message': 'input "C1"%3A 100%25 wrong' }, { endStream: true });
    });
    const channel = GrpcUnaryChannel.connect(`dns:127.0.0.1:${port}`);
    const error = await servingRejection(channel.unary('/x/y', Buffer.alloc(0)));
    assert.equal(error.code, Code.INVALID_ARGUMENT);
    assert.equal(error.rawMessage, 'input "C1": 100% wrong');
    channel.close();
  });

  it('fails with DEADLINE_EXCEEDED when the server does not answer in time', async () => {
    const port = await serve(() => undefined);
    const channel = GrpcUnaryChannel.connect(`127.0.0.1:${port}`);
    const error = await servingRejection(channel.unary('/x/y', Buffer.alloc(1), { deadlineMs: 50 }));
    assert.equal(error.code, Code.DEADLINE_EXCEEDED);
    channel.close();
  });

  it('fails with UNAVAILABLE when nothing listens, and reconnects once a server is there', async () => {
    const probe = await serve(reverseEcho);
    const port = probe;
    servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const channel = GrpcUnaryChannel.connect(`127.0.0.1:${port}`);
    const error = await servingRejection(channel.unary('/x/y', Buffer.from('a')));
    assert.equal(error.code, Code.UNAVAILABLE);
    assert.match(error.rawMessage, /No connection established: .*ECONNREFUSED/);
    await serve(reverseEcho, port);
    assert.equal((await channel.unary('/x/y', Buffer.from('ab'))).toString(), 'ba');
    channel.close();
  });

  it('rejects an answer that is not gRPC with the HTTP status mapped as the gRPC spec says', async () => {
    const port = await serve((stream) => stream.respond({ ':status': 503 }, { endStream: true }));
    const channel = GrpcUnaryChannel.connect(`127.0.0.1:${port}`);
    const error = await servingRejection(channel.unary('/x/y', Buffer.alloc(0)));
    assert.equal(error.code, Code.UNAVAILABLE);
    assert.match(error.rawMessage, /HTTP 503/);
    channel.close();
  });

  it('refuses an address without a port, naming the expected form', () => {
    assert.throws(() => GrpcUnaryChannel.connect('127.0.0.1'), /expected host:port/);
    assert.throws(() => GrpcUnaryChannel.connect('http://127.0.0.1:9393'), /expected host:port/);
  });
});
