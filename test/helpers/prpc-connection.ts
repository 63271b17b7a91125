/**
 * A raw baidu_std (PRPC) client connection for tests: collects answer frames in arrival order and
 * notices when the server closes the connection (`next()` then rejects instead of waiting forever).
 */
import * as net from 'node:net';
import { PrpcFrameReader, type PrpcFrame } from '../../src/paddle/brpc/prpc-frame';
import { decodeRpcMeta, type RpcMeta } from '../../src/paddle/service/paddle-messages';

export class RawConnection {
  readonly socket: net.Socket;
  readonly frames: PrpcFrame[] = [];
  readonly closed: Promise<void>;
  private readonly reader = new PrpcFrameReader(1 << 30);
  private waiters: Array<() => void> = [];
  private isClosed = false;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.reader.push(chunk));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      this.isClosed = true;
      this.waiters.splice(0).forEach((wake) => wake());
      resolve();
    }));
  }

  async next(count = 1): Promise<Array<{ meta: RpcMeta; body: Buffer }>> {
    while (this.frames.length < count) {
      if (this.isClosed) throw new Error(`the server closed the connection after ${this.frames.length} of ${count} answers`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
    return this.frames.splice(0, count).map((f) => ({ meta: decodeRpcMeta(f.meta), body: f.body }));
  }
}
