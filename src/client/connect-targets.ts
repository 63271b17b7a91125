/**
 * The one parser of client addresses (`rec-client --connect`, `RecServingClient.connect`).
 *
 * Contract: `parseConnectTargets(text)` accepts a comma-separated list of
 * - `host:port` and `[v6]:port` (Paddle's `ip:port`, e.g. `127.0.0.1:9393`; `0.0.0.0:9393` as
 *   PaddleRec's docs write it dials the local host, as on Linux any connect to 0.0.0.0 does): one
 *   endpoint, dialled as written (a host name resolves to its first address);
 * - `dns:host:port`, `dns:///host:port` (gRPC's name syntax): every address the name resolves to
 *   (A and AAAA, /etc/hosts included) is one endpoint, re-resolved periodically and after a
 *   connection failure (see balanced-channel.ts);
 * and returns the targets in order, or throws a ConnectTargetError naming the entry, what was
 * expected and what was given. `singleEndpoint(text)` is the one `host:port` of a client with one
 * connection (Paddle's HTTP and baidu_std modes, GrpcUnaryChannel): several entries are refused.
 * Refused, never guessed: a missing port (no default port is
 * dialled, 443 least of all), a URL (`http://…`, `grpc://…`: the protocol is `--client_mode`),
 * a DNS authority (`dns://8.8.8.8/host:port`), a port outside 1..65535, an empty entry.
 */

export interface ConnectTarget {
  /** `static`: dial host:port as written; `dns`: one endpoint per resolved address. */
  readonly kind: 'static' | 'dns';
  /** Host name or address, without brackets. */
  readonly host: string;
  readonly port: number;
  /** The entry as the user wrote it (for messages). */
  readonly text: string;
}

export class ConnectTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectTargetError';
  }
}

const EXPECTED = 'expected host:port (e.g. 127.0.0.1:9393), [v6]:port or dns:host:port, comma-separated for several';

export function parseConnectTargets(text: string): ConnectTarget[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) throw new ConnectTargetError(`the address is empty; ${EXPECTED}`);
  return entries.map((entry, index) => {
    if (entry === '') throw new ConnectTargetError(`address ${index + 1} of "${text}" is empty; ${EXPECTED}`);
    return parseOne(entry);
  });
}

export function singleEndpoint(text: string): { host: string; port: number } {
  const targets = parseConnectTargets(text);
  if (targets.length !== 1) throw new ConnectTargetError(`"${text}" names ${targets.length} endpoints; this client connects to one host:port`);
  return { host: targets[0].host, port: targets[0].port };
}

/** `host:port` of a target, with brackets around an IPv6 literal. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseOne(entry: string): ConnectTarget {
  const url = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(entry);
  if (url !== null && url[1].toLowerCase() !== 'dns') {
    throw new ConnectTargetError(`"${entry}" is a URL; ${EXPECTED} (the protocol is chosen with --client_mode, not a scheme)`);
  }
  let kind: ConnectTarget['kind'] = 'static';
  let rest = entry;
  if (/^dns:/i.test(rest)) {
    kind = 'dns';
    rest = rest.slice(4);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
      if (authority !== '') throw new ConnectTargetError(`"${entry}" names a DNS server ("${authority}"), which is not supported; use dns:///host:port (the system resolver)`);
      rest = slash === -1 ? '' : rest.slice(slash + 1);
    }
  } else if (/^(unix|unix-abstract|ipv4|ipv6|vsock|xds):/i.test(rest)) {
    throw new ConnectTargetError(`"${entry}" uses a gRPC name scheme this client does not support; ${EXPECTED}`);
  }
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(rest);
  let host: string;
  let portText: string | undefined;
  if (bracketed !== null) {
    host = bracketed[1];
    portText = bracketed[2];
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) throw new ConnectTargetError(`"${entry}": an IPv6 address needs brackets, e.g. [::1]:9393; ${EXPECTED}`);
    const colon = rest.indexOf(':');
    host = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? undefined : rest.slice(colon + 1);
  }
  if (host === '' || /[\s/?#@]/.test(host)) throw new ConnectTargetError(`"${entry}" has no valid host; ${EXPECTED}`);
  if (portText === undefined || portText === '') {
    throw new ConnectTargetError(`"${entry}" has no port; ${EXPECTED} (rec-serve listens on 9393 by default: ${formatHostPort(host, 9393)})`);
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new ConnectTargetError(`"${entry}" has port "${portText}"; expected a port in 1..65535`);
  return { kind, host, port, text: entry };
}
