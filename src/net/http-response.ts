/**
 * Writes a whole HTTP/1.1 response in one go for the HTTP front ends: status, Content-Type,
 * Content-Length and the body.
 *
 * Contract: `sendJson` serialises `value` with JSON.stringify (application/json); `sendText`
 * writes `message` and a newline (text/plain; charset=utf-8). Both end the response.
 */
import type * as http from 'node:http';

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', Buffer.from(JSON.stringify(value), 'utf8'));
}

export function sendText(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, 'text/plain; charset=utf-8', Buffer.from(`${message}\n`, 'utf8'));
}

function send(res: http.ServerResponse, status: number, contentType: string, body: Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
}
