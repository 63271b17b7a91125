/**
 * Answers a plaintext connection on a port where TLS is required, in the connection's own
 * protocol so the client shows why, then closes it:
 * - HTTP/1.1: `400 Bad Request`, a plain-text body naming the fix (`https://`), `Connection: close`;
 * - h2c (gRPC): the server preface (an empty SETTINGS frame) and GOAWAY `INADEQUATE_SECURITY`
 *   with the reason as debug data, so no stream is processed;
 * - baidu_std: closed (its frames have no way to carry a connection-level error).
 *
 * Contract: `refusePlaintext(socket, protocol)` writes at most one small answer, half-closes, and
 * destroys the socket after `LINGER_MS` if the client has not closed it by then.
 */
import type * as net from 'node:net';
import type { SniffedProtocol } from '../protocol-sniffer';

export const TLS_REQUIRED_MESSAGE = 'this port requires TLS (--tls_mode required): connect with TLS (https://, gRPC SSL credentials)';
const LINGER_MS = 1000;
const GOAWAY = 0x7;
const SETTINGS = 0x4;
const INADEQUATE_SECURITY = 0xc;

export function refusePlaintext(socket: net.Socket, protocol: SniffedProtocol): void {
  const answer = protocol === 'http1' ? http1Answer() : protocol === 'h2c' ? h2Answer() : undefined;
  socket.on('error', () => socket.destroy());
  // Unread request bytes are dropped, not kept in memory.
  socket.on('data', () => undefined);
  socket.resume();
  if (answer === undefined) {
    socket.destroy();
    return;
  }
  socket.end(answer);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

function http1Answer(): Buffer {
  const body = `${TLS_REQUIRED_MESSAGE}\n`;
  return Buffer.from(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, 'utf8');
}

function h2Answer(): Buffer {
  const debug = Buffer.from(TLS_REQUIRED_MESSAGE, 'utf8');
  const settings = frame(SETTINGS, Buffer.alloc(0));
  const payload = Buffer.alloc(8 + debug.byteLength);
  payload.writeUInt32BE(0, 0);
  payload.writeUInt32BE(INADEQUATE_SECURITY, 4);
  debug.copy(payload, 8);
  return Buffer.concat([settings, frame(GOAWAY, payload)]);
}

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.byteLength, 0, 3);
  header[3] = type;
  header[4] = 0;
  header.writeUInt32BE(0, 5);
  return Buffer.concat([header, payload]);
}
