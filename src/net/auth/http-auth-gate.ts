/**
 * Bearer-token check for every HTTP/1.1 request on the serving port, before any route sees it:
 * the `request` listeners of the HTTP server the one-port server hands connections to are
 * wrapped, whichever routes (Paddle's, KServe's) they serve.
 *
 * Contract: `gateHttpRequests(server, policy, log)` wraps the `request` listeners present when it
 * is called (install it once the routes are attached, before the one-port server adds its own).
 * A refused request gets 401 (no or wrong token; `WWW-Authenticate: Bearer realm="rec-serving"`,
 * with `error="invalid_token"` when a token was sent) or 403 (an inference token on an admin
 * path), a JSON body `{"error": message}`, and `Connection: close` (its body is not read). A
 * request with `Expect: 100-continue` is checked before `100 Continue` is sent, so a refused
 * client never sends its body.
 */
import type * as http from 'node:http';
import type { AuthPolicy } from './auth-policy';
import { classifyHttpRequest } from './call-classes';
import type { ThrottledLog } from '../throttled-log';

type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function gateHttpRequests(server: http.Server, policy: AuthPolicy, log: ThrottledLog): void {
  const inner = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (refused(req, res, policy, log)) return;
    for (const listener of inner) listener.call(server, req, res);
  });
  if (server.listenerCount('checkContinue') === 0) {
    // Node's default: answer 100 Continue and emit 'request'; here only once the token passed.
    server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (refused(req, res, policy, log)) return;
      res.writeContinue();
      server.emit('request', req, res);
    });
  }
}

/** True when the request was refused (and answered). */
function refused(req: http.IncomingMessage, res: http.ServerResponse, policy: AuthPolicy, log: ThrottledLog): boolean {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0];
  const authorization = req.headers.authorization;
  const verdict = policy.check(classifyHttpRequest(method, req.url ?? '/'), authorization, `${method} ${path}`);
  if (verdict.allowed) return false;
  log.warn('http-auth', 'HTTP request refused', { method, path, reason: verdict.message, peer: req.socket.remoteAddress });
  const status = verdict.kind === 'permission_denied' ? 403 : 401;
  const body = JSON.stringify({ error: verdict.message });
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  if (status === 401) headers['WWW-Authenticate'] = authorization === undefined ? 'Bearer realm="rec-serving"' : 'Bearer realm="rec-serving", error="invalid_token"';
  req.resume();
  res.writeHead(status, headers).end(body);
  return true;
}
