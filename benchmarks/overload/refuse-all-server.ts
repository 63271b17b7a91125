/**
 * The calibration server of the overload benchmark: a bare `node:http2` server that answers
 * every gRPC call at once with a trailers-only UNAVAILABLE, doing nothing else. Driving it at the
 * overload rate measures the load generator and the transport alone: the latency it sees there
 * is the least any server can be measured at on this host, and its CPU per call is the floor of
 * refusing a call on node:http2.
 *
 * Contract: `node dist/benchmarks/overload/refuse-all-server.js [port]` logs
 * "serving refuse-all on 127.0.0.1:<port>" on stderr once listening; SIGTERM stops it.
 */
import * as http2 from 'node:http2';

const REFUSAL = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-status': '14',
  'grpc-message': 'refuse-all calibration server',
};

const server = http2.createServer();
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.respond(REFUSAL, { endStream: true });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stderr.write(`serving refuse-all on 127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
