/**
 * Plays a fuzz case over one raw TCP connection and reads the first answer: an HTTP/1.1 status
 * line, a whole baidu_std frame (its RpcMeta's error_code), or only the close (`close` parser).
 * Resolves with the outcome once the server answers or closes, the case resets, or the case's
 * timeout passes (`hang`); the socket is always destroyed before it resolves.
 */
import * as net from 'node:net';
import { PrpcFrameReader } from '../../../src/paddle/brpc/prpc-frame';
import { decodeRpcMeta } from '../../../src/paddle/service/paddle-messages';
import type { FuzzCase, Step } from './cases';
import type { Outcome } from './outcome';

const HTTP_STATUS = /^HTTP\/1\.[01] (\d{3})/;

export function sendTcp(port: number, fuzzCase: FuzzCase, parser: 'http' | 'prpc' | 'close'): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ type: 'hang' }), fuzzCase.timeoutMs);
    let received = Buffer.alloc(0);
    const reader = new PrpcFrameReader(1 << 30);
    socket.on('data', (chunk: Buffer) => {
      if (parser === 'http') {
        received = Buffer.concat([received, chunk]);
        const match = HTTP_STATUS.exec(received.subarray(0, 32).toString('latin1'));
        if (match !== null) finish({ type: 'answered', status: `http ${match[1]}`, ok: match[1] === '200' });
      } else if (parser === 'prpc') {
        try {
          const [frame] = reader.push(chunk);
          if (frame === undefined) return;
          const code = decodeRpcMeta(frame.meta).response?.error_code ?? 0;
          finish({ type: 'answered', status: `baidu_std ${code}`, ok: code === 0 });
        } catch {
          finish({ type: 'answered', status: 'baidu_std unparsable-answer', ok: false });
        }
      }
    });
    socket.on('error', () => finish({ type: 'closed' }));
    socket.on('close', () => finish({ type: 'closed' }));
    void play(socket, fuzzCase.steps, () => settled).then((reset) => {
      if (reset) finish({ type: 'client-reset' });
    });
  });
}

/** Runs the steps until one resets (returns true) or the case is over. */
async function play(socket: net.Socket, steps: readonly Step[], over: () => boolean): Promise<boolean> {
  for (const step of steps) {
    if (over()) return false;
    if ('write' in step) await new Promise<void>((done) => socket.write(step.write, () => done()));
    else if ('wait' in step) await new Promise((done) => setTimeout(done, step.wait));
    else if ('end' in step) socket.end();
    else return true;
  }
  return false;
}
