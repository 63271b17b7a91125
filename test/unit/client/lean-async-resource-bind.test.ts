/**
 * The lean `AsyncResource.prototype.bind` that rec-client installs: the client library does not
 * install it on import; once installed, bound functions lack the deprecated `asyncResource`
 * accessor and behave as Node's otherwise (async scope and AsyncLocalStorage store, `this` and
 * `thisArg`, arguments and result, `length`, the TypeError for a non-function), and node:http2
 * client requests, which bind every request, still complete. Each test file runs in its own
 * process, so the replaced prototype stays in this file.
 */
import * as assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import * as http2 from 'node:http2';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as clientPackage from '../../../src/index';
import { bindAddsAsyncResourceProperty, installLeanAsyncResourceBind } from '../../../src/client/lean-async-resource-bind';

const nodeBind = AsyncResource.prototype.bind;

describe('installLeanAsyncResourceBind', () => {
  it('is not installed by importing the client library', () => {
    assert.equal(typeof clientPackage.connect, 'function');
    assert.equal(clientPackage.installLeanAsyncResourceBind, installLeanAsyncResourceBind);
    assert.equal(AsyncResource.prototype.bind, nodeBind);
  });

  it('replaces bind once, and only on a runtime whose bound functions carry asyncResource', () => {
    const carries = bindAddsAsyncResourceProperty();
    assert.equal(installLeanAsyncResourceBind(), carries);
    assert.equal(installLeanAsyncResourceBind(), false);
    assert.equal(AsyncResource.prototype.bind !== nodeBind, carries);
    assert.equal(bindAddsAsyncResourceProperty(), false);
  });

  it('runs the function in the resource scope with the store current when the resource was made', () => {
    installLeanAsyncResourceBind();
    const storage = new AsyncLocalStorage<string>();
    let resource: AsyncResource | undefined;
    const bound = storage.run('at bind', () => {
      resource = new AsyncResource('lean-bind-test');
      return resource.bind((a: number, b: number) => ({ store: storage.getStore(), id: executionAsyncId(), sum: a + b }));
    });
    const seen = storage.run('at call', () => bound(2, 3));
    assert.deepEqual(seen, { store: 'at bind', id: resource!.asyncId(), sum: 5 });
    assert.equal(Object.getOwnPropertyDescriptor(bound, 'asyncResource'), undefined);
    assert.equal(bound.length, 2);
    const staticBound = storage.run('static', () => AsyncResource.bind(function three(_x: unknown, _y: unknown, _z: unknown) {
      return storage.getStore();
    }));
    assert.equal(staticBound(1, 2, 3), 'static');
    assert.equal(staticBound.length, 3);
  });

  it('keeps the caller\'s this, or thisArg when one was given', () => {
    installLeanAsyncResourceBind();
    const resource = new AsyncResource('lean-bind-this');
    function self(this: unknown) {
      return this;
    }
    const receiver = { name: 'receiver' };
    const fixed = { name: 'fixed' };
    // Node documents bind(fn[, thisArg]); @types/node declares only fn.
    const bindWithThis = resource.bind.bind(resource) as unknown as (fn: () => unknown, thisArg: unknown) => () => unknown;
    assert.equal(resource.bind(self).call(receiver), receiver);
    assert.equal(bindWithThis(self, fixed).call(receiver), fixed);
    assert.equal(bindWithThis(self, fixed).length, 0);
  });

  it('refuses a non-function as Node does', () => {
    installLeanAsyncResourceBind();
    const resource = new AsyncResource('lean-bind-refuse');
    assert.throws(() => resource.bind('not a function' as unknown as () => void), (error: NodeJS.ErrnoException) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
      assert.match(error.message, /"fn" argument must be of type function\. Received string/);
      return true;
    });
  });

  it('leaves node:http2 client requests working', async () => {
    installLeanAsyncResourceBind();
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('answered');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const answers = await Promise.all([1, 2, 3].map(() => new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      })));
      assert.deepEqual(answers, ['answered', 'answered', 'answered']);
    } finally {
      session.close();
      server.close();
    }
  });
});
