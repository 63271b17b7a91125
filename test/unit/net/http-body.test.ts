/**
 * readBody on a stand-in request stream: chunks joined, gzip inflated, a body over the limit
 * refused with 413 and the request destroyed, and a client that leaves mid-body (the stream
 * closes or errors before its end) reported as CANCELLED with the bytes read so far.
 */
import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { Code, ServingError } from '../../../src/core/errors';
import { HttpBodyError, readBody } from '../../../src/net/http-body';

type FakeRequest = Readable & { headers: http.IncomingHttpHeaders; complete: boolean };

function fakeRequest(headers: http.IncomingHttpHeaders = {}): FakeRequest {
  const req = new Readable({ read() {} }) as FakeRequest;
  req.headers = headers;
  req.complete = false;
  return req;
}

function finish(req: FakeRequest, chunks: Buffer[]): void {
  for (const chunk of chunks) req.push(chunk);
  req.complete = true;
  req.push(null);
}

describe('readBody', () => {
  it('joins the chunks of a body, and inflates a gzip one', async () => {
    const plain = fakeRequest();
    const body = readBody(plain as unknown as http.IncomingMessage, 100);
    finish(plain, [Buffer.from('abc'), Buffer.from('defg')]);
    assert.equal((await body).toString(), 'abcdefg');

    const zipped = fakeRequest({ 'content-encoding': 'gzip' });
    const inflated = readBody(zipped as unknown as http.IncomingMessage, 100);
    finish(zipped, [zlib.gzipSync(Buffer.from('hello'))]);
    assert.equal((await inflated).toString(), 'hello');
  });

  it('refuses a body that grows over the limit with 413 and destroys the request', async () => {
    const req = fakeRequest();
    const body = readBody(req as unknown as http.IncomingMessage, 10);
    req.push(Buffer.alloc(6));
    req.push(Buffer.alloc(6));
    await assert.rejects(body, (error: unknown) => {
      assert.ok(error instanceof HttpBodyError);
      assert.equal(error.status, 413);
      assert.match(error.rawMessage, /over the 10-byte limit \(--max_body_size\)/);
      return true;
    });
    assert.equal(req.destroyed, true);
  });

  it('reports a client that leaves mid-body as CANCELLED, whether the stream closes or errors', { timeout: 10_000 }, async () => {
    for (const leave of ['close', 'error'] as const) {
      const req = fakeRequest();
      const body = readBody(req as unknown as http.IncomingMessage, 100);
      req.push(Buffer.alloc(4));
      await new Promise((resolve) => setImmediate(resolve));
      if (leave === 'close') req.destroy();
      else req.destroy(new Error('aborted'));
      await assert.rejects(body, (error: unknown) => {
        assert.ok(error instanceof ServingError);
        assert.equal(Code[error.code], 'CANCELLED');
        assert.match(error.rawMessage, /closed the connection after 4 bytes of the body/);
        return true;
      }, leave);
    }
  });
});
