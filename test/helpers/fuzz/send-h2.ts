/**
 * Plays a fuzz case as one stream on a fresh HTTP/2 session (gRPC): the case's headers, then
 * DATA writes, pauses, END_STREAM or a client RST_STREAM. The outcome is the grpc-status from the
 * response headers or trailers (`http N` when a non-gRPC answer has none), `closed` when the
 * stream or session ended without one. The session is destroyed before it resolves.
 */
import * as http2 from 'node:http2';
import type { FuzzCase, Step } from './cases';
import type { Outcome } from './outcome';

export function sendH2(port: number, fuzzCase: FuzzCase, headers: http2.OutgoingHttpHeaders): Promise<Outcome> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let settled = false;
    let status: string | undefined;
    let httpStatus: string | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ type: 'hang' }), fuzzCase.timeoutMs);
    session.on('error', () => finish({ type: 'closed' }));
    session.on('close', () => finish({ type: 'closed' }));
    const stream = session.request(headers);
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h[':status'] !== undefined) httpStatus = String(h[':status']);
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (status !== undefined) finish({ type: 'answered', status: `grpc ${status}`, ok: status === '0' });
      else if (httpStatus !== undefined && httpStatus !== '200') finish({ type: 'answered', status: `http ${httpStatus}`, ok: false });
      else finish({ type: 'closed' });
    });
    void play(stream, fuzzCase.steps, () => settled).then((reset) => {
      if (reset) finish({ type: 'client-reset' });
    });
  });
}

async function play(stream: http2.ClientHttp2Stream, steps: readonly Step[], over: () => boolean): Promise<boolean> {
  for (const step of steps) {
    if (over() || stream.destroyed) return false;
    if ('write' in step) await new Promise<void>((done) => stream.write(step.write, () => done()));
    else if ('wait' in step) await new Promise((done) => setTimeout(done, step.wait));
    else if ('end' in step) stream.end();
    else {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      return true;
    }
  }
  return false;
}
