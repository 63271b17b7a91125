/**
 * A per-request garbage fix for HTTP/2 clients on Node.js 20: `AsyncResource.prototype.bind` without
 * the deprecated `asyncResource` accessor (DEP0172) on the functions it returns.
 *
 * Why: Node 20's `bind` defines that accessor with two fresh closures on every bound function.
 * V8 keeps accessor functions in the object's hidden class, so every bound function gets a hidden
 * class of its own, in the old generation, and that class holds the function's closure until the
 * next full GC. `node:http2` binds every client request (`ClientHttp2Session.request`), and the
 * closure reaches the request's stream, so a client's every stream, headers and callbacks survive
 * the minor GCs that should have freed them. rec-client at batch 5, 16 calls in flight promoted
 * 4.6 KB per call with Node's `bind` and 2.4 KB with this one, and spent ~9.2 against ~6.4 µs per
 * call in GC pauses (`SIDE=client IN_FLIGHT=16 bash benchmarks/gc-promotion.sh grpc`,
 * benchmarks/results/gc-promotion.md).
 *
 * Contract: `installLeanAsyncResourceBind()` replaces `AsyncResource.prototype.bind` only when the
 * runtime's bound functions carry that accessor, and returns whether it did; once it has, they
 * no longer do, so calling it again changes nothing. The replacement behaves as Node's in
 * every other way: `fn` must be a function (TypeError, code ERR_INVALID_ARG_TYPE); the bound
 * function runs `fn` in the resource's async scope (so AsyncLocalStorage sees the store current
 * when the resource was made), with the caller's `this`, or `thisArg` when one was given, and
 * has `fn`'s `length`. The static
 * `AsyncResource.bind` goes through it. It changes a process-wide prototype, so only rec-serving's
 * own client processes call it (rec-client, the benchmark drivers); importing the client library
 * never does. The library exports it for an application that wants the same for its process.
 */
import { AsyncResource } from 'node:async_hooks';

type AnyFunction = (...args: never[]) => unknown;

/** True when `bind` on this runtime gives bound functions the deprecated `asyncResource` property. */
export function bindAddsAsyncResourceProperty(): boolean {
  const bound = new AsyncResource('rec-serving-bind-probe').bind(() => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource') !== undefined;
}

export function installLeanAsyncResourceBind(): boolean {
  if (!bindAddsAsyncResourceProperty()) return false;
  AsyncResource.prototype.bind = leanBind as typeof AsyncResource.prototype.bind;
  return true;
}

function leanBind(this: AsyncResource, fn: AnyFunction, thisArg?: unknown): AnyFunction {
  if (typeof fn !== 'function') {
    throw Object.assign(new TypeError(`The "fn" argument must be of type function. Received ${fn === null ? 'null' : typeof fn}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const resource = this;
  const bound: AnyFunction = thisArg === undefined
    ? function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(fn as (...a: unknown[]) => unknown, this, ...args);
    }
    : resource.runInAsyncScope.bind(resource, fn as (...a: unknown[]) => unknown, thisArg) as AnyFunction;
  Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
  return bound;
}
