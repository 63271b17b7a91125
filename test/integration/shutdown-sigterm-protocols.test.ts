/**
 * SIGTERM to the real `rec-serve` process with 8 callers on each protocol of the one port
 * (gRPC, Paddle HTTP/1.1 keep-alive, baidu_std), each sending one request after another on its
 * own connection. Every request the server read gets an answer: its prediction, or a refusal
 * (UNAVAILABLE, HTTP 503, baidu_std ELOGOFF); a caller may also find its connection closed or
 * refused *between* requests (nothing read, nothing lost), but never closed under a request it
 * had written (silence). The process exits 0 within the grace period.
 *
 * HTTP/1.1 keep-alive has a race no server can close: the server ends an idle connection at the
 * moment the client sends its next request on it, and the client sees ECONNRESET on a reused
 * socket (RFC 9112 §9.3.1: the client may send such a request again). The test accepts that
 * ending only when the server's access log proves the request was never read: every HTTP
 * request the server read has an access line, and their number equals the answers the callers got.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { BrpcErrno } from '../../src/paddle/brpc/brpc-codes';
import { startServeProcess } from '../helpers/serve-process';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';

const CALLERS = 8;
const PATH = '/GeneralModelService/inference';

/** How one caller's last request ended. */
type Ending = 'refused' | 'closed-between' | 'reset-between' | 'lost';

describe('SIGTERM with callers on every protocol', () => {
  it(`answers or refuses every request of ${CALLERS} callers per protocol, and exits 0`, { timeout: 120_000 }, async () => {
    const fixture = makeAliasedDeepFmDir();
    const server = await startServeProcess([
      '--model', fixture.dir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1',
      '--max_queue_size', '256', '--shutdown_grace_ms', '30000', '--max_queue_delay_micros', '20000', '--access_log']);
    const { child, port, exited } = server;
    const body = paddleProtoBody(criteoFeed(4), { fetch: ['prob'] });
    let ok = 0;
    let okAfterSignal = 0;
    let signalled = false;
    const counted = () => { ok++; if (signalled) okAfterSignal++; };
    let httpAnswers = 0;

    const grpcCaller = async (): Promise<string> => {
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      try {
        for (;;) {
          const error = await new Promise<grpc.ServiceError | null>((resolve) => {
            client.makeUnaryRequest(GRPC_INFERENCE_PATH, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + 20_000 }, (e) => resolve(e));
          });
          if (error === null) { counted(); continue; }
          return error.code === grpc.status.UNAVAILABLE ? 'refused' : `lost: gRPC ${grpc.status[error.code]} ${error.details}`;
        }
      } finally {
        client.close();
      }
    };

    const httpCaller = async (): Promise<string> => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          const result = await new Promise<{ status?: number; error?: NodeJS.ErrnoException; reused: boolean }>((resolve) => {
            const req = http.request({ host: '127.0.0.1', port, path: PATH, method: 'POST', agent, headers: { 'Content-Type': 'application/proto' } }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
            });
            req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reused: req.reusedSocket }));
            req.end(body);
          });
          if (result.status !== undefined) httpAnswers++;
          if (result.status === 200) { counted(); continue; }
          if (result.status === 503) return 'refused';
          if (result.error?.code === 'ECONNREFUSED') return 'closed-between';
          if (result.error?.code === 'ECONNRESET' && result.reused) return 'reset-between';
          return `lost: HTTP ${result.status ?? result.error?.code} (reused socket: ${result.reused})`;
        }
      } finally {
        agent.destroy();
      }
    };

    const prpcCaller = async (): Promise<string> => {
      const connection = new RawConnection(port);
      try {
        for (let id = 1; ; id++) {
          if (connection.socket.destroyed || connection.socket.writableEnded || connection.socket.readableEnded) return 'closed-between';
          connection.socket.write(prpcFrame(body, { correlationId: id }));
          let answer;
          try {
            [answer] = await connection.next();
          } catch {
            return 'lost: baidu_std connection closed with a request unanswered';
          }
          const code = answer.meta.response?.error_code ?? 0;
          if (code === 0) { counted(); continue; }
          return code === BrpcErrno.ELOGOFF ? 'refused' : `lost: baidu_std errno ${code} ${answer.meta.response?.error_text}`;
        }
      } finally {
        connection.socket.destroy();
      }
    };

    const callers = [
      ...Array.from({ length: CALLERS }, grpcCaller),
      ...Array.from({ length: CALLERS }, httpCaller),
      ...Array.from({ length: CALLERS }, prpcCaller),
    ];
    while (ok < 3 * CALLERS * 4) await new Promise((resolve) => setTimeout(resolve, 5));
    signalled = true;
    child.kill('SIGTERM');
    const endings = await Promise.all(callers);
    const code = await exited;
    const lost = endings.filter((ending) => ending.startsWith('lost'));
    assert.deepEqual(lost, [], `requests lost (no answer); all endings: ${JSON.stringify(endings)}`);
    for (const ending of endings) assert.ok((['refused', 'closed-between', 'reset-between'] as Ending[]).includes(ending as Ending), ending);
    // Every HTTP request the server read was answered: a reset between requests lost nothing.
    const httpRead = server.log().split('\n').filter((line) => line.includes(' access {"protocol":"paddle_http"')).length;
    assert.equal(httpRead, httpAnswers, `HTTP requests the server read (access lines) vs answers the callers got; endings: ${JSON.stringify(endings)}`);
    assert.equal(code, 0, `exit code; log:\n${server.log()}`);
    assert.ok(okAfterSignal > 0, 'requests in flight at the signal were answered with predictions');
  });
});
