/**
 * Stopping the server closes each gRPC (h2c) connection in two steps, as gRPC servers do: first a
 * GOAWAY that refuses no stream (last stream id 2^31-1), then, after a PING round trip, the final
 * GOAWAY naming the last stream the server took. A client or proxy that sent a stream just before
 * the first GOAWAY reached it (nginx's grpc_pass answers such a refused stream with 502) has it
 * answered, not refused.
 */
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { describe, it } from 'node:test';
import { encodePredictCall } from '../../src/client/rec-serving-client';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer } from '../helpers/test-server';

function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** One Predict call on `session`: resolves with its grpc-status, or 'refused' when the stream was refused. */
function predict(session: http2.ClientHttp2Session): Promise<string> {
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': '/rec_serving.v1.PredictionService/Predict', 'content-type': 'application/grpc', te: 'trailers' });
    let status = 'no status';
    stream.on('response', (headers) => { if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']); });
    stream.on('trailers', (trailers) => { status = String(trailers['grpc-status']); });
    stream.on('error', () => { status = 'refused'; });
    stream.on('close', () => resolve(stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM ? 'refused' : status));
    stream.resume();
    stream.end(grpcFrame(encodePredictCall(criteoFeed(2))));
  });
}

describe('graceful GOAWAY on stop', () => {
  it('sends a GOAWAY that refuses nothing first, and answers a call sent as the stop began', { timeout: 30_000 }, async () => {
    const t = await startTestServer();
    const session = http2.connect(`http://${t.target}`);
    const goaways: number[] = [];
    session.on('goaway', (_code: number, lastStreamID: number) => goaways.push(lastStreamID));
    session.on('error', () => undefined);
    try {
      assert.equal(await predict(session), '0', 'a call before the stop');
      const stopping = t.stop();
      // Sent while the server is stopping, before this client can have seen any GOAWAY.
      const during = predict(session);
      assert.equal(await during, '0', 'a stream sent as the stop began is answered, not refused');
      await stopping;
      assert.ok(goaways.length >= 1, 'the server said GOAWAY');
      assert.equal(goaways[0], 2 ** 31 - 1, `the first GOAWAY refuses no stream (last stream ids seen: ${goaways.join(', ')})`);
    } finally {
      session.destroy();
    }
  });
});
