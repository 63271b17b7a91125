/**
 * The access log (`--access_log`): one line per finished request, successful or not, in the
 * log format (`--log_format text|json`): protocol, method, model, version, rows, status (gRPC
 * code name), latency, queue and compute time in microseconds, and the peer address.
 *
 * Contract: `createAccessLog(format, sink)` returns a CallObserver; it is only created when the
 * option is on, so the serving path pays nothing for it otherwise. Requests refused before a
 * protocol handler decodes them (load shedding, unknown HTTP paths, broken frames) are not calls
 * and are not logged here.
 */
import { Code } from '../core/errors';
import type { CallObserver, PeerSource } from '../core/call-observer';
import { formatLogLine, type LogFormat } from '../logging/logger';

export function createAccessLog(format: LogFormat, sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): CallObserver {
  return (event) => {
    sink(formatLogLine(format, 'info', 'access', {
      protocol: event.protocol ?? 'grpc',
      method: event.method,
      model: event.model,
      version: event.version ?? '',
      rows: event.rows,
      status: Code[event.code] ?? String(event.code),
      latency_us: Math.round(event.durationMicros),
      queue_us: Math.round(event.queueMicros),
      compute_us: Math.round(event.computeMicros),
      peer: peerText(event.peer),
    }));
  };
}

function peerText(peer: PeerSource | undefined): string {
  if (peer === undefined || peer.remoteAddress === undefined) return '';
  const address = peer.remoteAddress.includes(':') ? `[${peer.remoteAddress}]` : peer.remoteAddress;
  return peer.remotePort === undefined ? address : `${address}:${peer.remotePort}`;
}
