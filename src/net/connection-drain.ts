/**
 * In-flight request accounting for the connections the one-port server hands to its HTTP/1.1
 * and baidu_std handlers (gRPC keeps its own, in grpc-js), so that `stop(graceMs)` can let every
 * accepted request finish and close each connection as soon as it has nothing left to answer.
 *
 * Contract:
 * - `add(socket, protocol)` registers a handed-off connection and returns its `RequestTracker`;
 *   the connection is forgotten when the socket closes (its requests count as done).
 * - `tracker.begin()` marks one request accepted on that connection and returns `done`
 *   (idempotent), to call once its answer has been written.
 * - `beginStop()`: `stopping` turns true; every HTTP/1.1 connection with nothing in flight (idle
 *   keep-alive) is ended at once, the others when their last request is done (their responses
 *   say `Connection: close`). baidu_std has no way to tell a client to stop sending, so a
 *   baidu_std connection is ended only once it has had nothing in flight for `lingerMs`: a
 *   request sent right after an answer is read and refused (ELOGOFF), never cut off unread.
 *   A connection added while stopping (sniffed late) is kept until its first request is done,
 *   so that request gets its refusal instead of a reset.
 * - `whenIdle()` resolves once no request is in flight and, while stopping, every connection has
 *   closed (so answers already written are flushed, not destroyed); at once if none. A connection
 *   ended while stopping whose client does not close its side is destroyed after 1 s.
 * - `inFlight(protocol?)` counts the requests in flight, for one protocol or all.
 * Pure bookkeeping on `Duplex` sockets: no protocol parsing, no timers.
 */
import type { Duplex } from 'node:stream';

export type DrainedProtocol = 'http1' | 'baidu_std';

export interface RequestTracker {
  /** True once the server has begun to stop. */
  readonly stopping: boolean;
  /** One request accepted on this connection; call the returned function once it is answered. */
  begin(): () => void;
}

interface Connection {
  readonly protocol: DrainedProtocol;
  active: number;
  readonly tracker: RequestTracker;
  /** While stopping: ends an idle baidu_std connection once it stayed idle for `lingerMs`. */
  linger?: NodeJS.Timeout;
}

/** How long a baidu_std connection with nothing in flight stays open while stopping; default 200 ms. */
const DEFAULT_LINGER_MS = 200;
/** A connection ended while stopping is destroyed if its client has not closed it within this. */
const HALF_CLOSED_MS = 1000;

export class ConnectionDrain {
  private readonly connections = new Map<Duplex, Connection>();
  private stopRequested = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly lingerMs = DEFAULT_LINGER_MS) {}

  get stopping(): boolean {
    return this.stopRequested;
  }

  add(socket: Duplex, protocol: DrainedProtocol): RequestTracker {
    const existing = this.connections.get(socket);
    if (existing !== undefined) return existing.tracker;
    const drain = this;
    const connection: Connection = {
      protocol,
      active: 0,
      tracker: {
        get stopping() {
          return drain.stopRequested;
        },
        begin: () => this.begin(socket, connection),
      },
    };
    this.connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.linger);
      this.connections.delete(socket);
      this.settleIdle();
    });
    return connection.tracker;
  }

  /** The tracker of a registered connection (undefined once it closed or if never added). */
  trackerOf(socket: Duplex): RequestTracker | undefined {
    return this.connections.get(socket)?.tracker;
  }

  inFlight(protocol?: DrainedProtocol): number {
    let total = 0;
    for (const connection of this.connections.values()) {
      if (protocol === undefined || connection.protocol === protocol) total += connection.active;
    }
    return total;
  }

  beginStop(): void {
    this.stopRequested = true;
    for (const [socket, connection] of this.connections) {
      if (connection.active === 0) this.endIdle(socket, connection);
    }
    this.settleIdle();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight() === 0 && (!this.stopRequested || this.connections.size === 0);
  }

  private begin(socket: Duplex, connection: Connection): () => void {
    connection.active++;
    clearTimeout(connection.linger);
    connection.linger = undefined;
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      connection.active--;
      if (this.stopRequested && connection.active === 0 && this.connections.has(socket)) this.endIdle(socket, connection);
      this.settleIdle();
    };
  }

  /** While stopping: ends a connection with nothing in flight (a baidu_std one after `lingerMs` of that). */
  private endIdle(socket: Duplex, connection: Connection): void {
    if (connection.protocol !== 'baidu_std') {
      endThenDestroy(socket);
      return;
    }
    clearTimeout(connection.linger);
    connection.linger = setTimeout(() => {
      if (connection.active === 0) endThenDestroy(socket);
    }, this.lingerMs);
  }

  private settleIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function endThenDestroy(socket: Duplex): void {
  socket.end();
  setTimeout(() => socket.destroy(), HALF_CLOSED_MS).unref();
}
