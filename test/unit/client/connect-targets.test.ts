/**
 * The one `--connect` parser: the accepted forms and the refusals (missing port, URL, DNS
 * authority, IPv6 without brackets, bad port, empty entry), each naming the expected form.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectTargetError, parseConnectTargets, singleEndpoint } from '../../../src/client/connect-targets';
import { GrpcUnaryChannel } from '../../../src/client/grpc-unary-channel';
import { createTransport } from '../../../src/client/transports';

describe('parseConnectTargets', () => {
  it('accepts host:port, [v6]:port, dns: names and comma-separated lists', () => {
    assert.deepEqual(parseConnectTargets('127.0.0.1:9393'), [{ kind: 'static', host: '127.0.0.1', port: 9393, text: '127.0.0.1:9393' }]);
    assert.deepEqual(parseConnectTargets('0.0.0.0:9393')[0].host, '0.0.0.0');
    assert.deepEqual(parseConnectTargets('[::1]:9393')[0], { kind: 'static', host: '::1', port: 9393, text: '[::1]:9393' });
    assert.deepEqual(parseConnectTargets('dns:rec.svc:9393')[0], { kind: 'dns', host: 'rec.svc', port: 9393, text: 'dns:rec.svc:9393' });
    assert.deepEqual(parseConnectTargets('dns:///rec.svc:9393')[0].kind, 'dns');
    const list = parseConnectTargets('a:1, b:2,dns:c:3');
    assert.deepEqual(list.map((t) => `${t.kind} ${t.host}:${t.port}`), ['static a:1', 'static b:2', 'dns c:3']);
  });

  it('refuses a missing port instead of dialling a default', () => {
    assert.throws(() => parseConnectTargets('127.0.0.1'), (e: Error) => e instanceof ConnectTargetError && /"127\.0\.0\.1" has no port; expected host:port .*127\.0\.0\.1:9393/.test(e.message));
    assert.throws(() => parseConnectTargets('dns:rec.svc'), /has no port/);
    assert.throws(() => parseConnectTargets('host:'), /has no port/);
  });

  it('refuses URLs, DNS authorities, unbracketed IPv6, bad ports and empty entries', () => {
    assert.throws(() => parseConnectTargets('http://127.0.0.1:9393'), /is a URL; expected host:port.*--client_mode/);
    assert.throws(() => parseConnectTargets('https://x'), /is a URL/);
    assert.throws(() => parseConnectTargets('grpc://x:1'), /is a URL/);
    assert.throws(() => parseConnectTargets('dns://8.8.8.8/x:1'), /names a DNS server \("8\.8\.8\.8"\)/);
    assert.throws(() => parseConnectTargets('::1:9393'), /needs brackets/);
    assert.throws(() => parseConnectTargets('a:0'), /port "0"; expected a port in 1\.\.65535/);
    assert.throws(() => parseConnectTargets('a:70000'), /port "70000"/);
    assert.throws(() => parseConnectTargets('a:9x'), /port "9x"/);
    assert.throws(() => parseConnectTargets('a:1,,b:2'), /address 2 of "a:1,,b:2" is empty/);
    assert.throws(() => parseConnectTargets(''), /the address is empty/);
    assert.throws(() => parseConnectTargets('unix:/tmp/s'), /name scheme this client does not support/);
  });

  it('is the one parser of every client: one-connection modes take exactly one endpoint', () => {
    assert.deepEqual(singleEndpoint('[::1]:9393'), { host: '::1', port: 9393 });
    assert.throws(() => singleEndpoint('a:1,b:2'), /names 2 endpoints; this client connects to one host:port/);
    assert.throws(() => GrpcUnaryChannel.connect('127.0.0.1'), /has no port; expected host:port/);
    assert.throws(() => createTransport('http', 'http://127.0.0.1:9393', 0), /is a URL; expected host:port/);
    assert.throws(() => createTransport('rpc', '127.0.0.1', 0), /has no port/);
  });
});
