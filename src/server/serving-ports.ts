/**
 * The ports a ServeConfig listens on, with the flag that chose each: the serving port (gRPC,
 * HTTP/1.1 and baidu_std on one port) first, then the metrics/health port. The metrics port is
 * 0 (nothing to check) when --enable_prometheus is off.
 */
import type { ServeConfig } from '../config/serve-config';
import type { PortToCheck } from '../net/check-ports';

export function servingPorts(config: ServeConfig): [PortToCheck, PortToCheck] {
  return [
    { flag: 'port', host: config.host, port: config.port },
    { flag: 'prometheus_port', host: config.ops.prometheusHost, port: config.ops.enablePrometheus ? config.ops.prometheusPort : 0 },
  ];
}
