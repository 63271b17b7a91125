/**
 * What unauthenticated callers can read and reach: GetModelMetadata shows no absolute file path
 * and no internal switch, and the metrics/health port listens on the loopback interface by
 * default while the serving port keeps Paddle's all-interfaces default. Real server.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/test-server';

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

describe('exposure', () => {
  it('GetModelMetadata shows no absolute path and no fault-injection flag', async () => {
    const t = await startTestServer({ flags: ['--fault_injection'] });
    try {
      const meta = await t.client.getModelMetadata();
      const text = meta.effectiveConfigJson;
      assert.ok(path.isAbsolute(t.modelDir));
      assert.equal(text.includes(t.modelDir), false, `effective config shows ${t.modelDir}`);
      assert.doesNotMatch(text, /"\/|faultInjection|fault_injection/);
      const config = JSON.parse(text);
      assert.equal(config.modelDir, path.basename(t.modelDir));
      assert.equal(config.engine.details.modelPath, 'model.onnx');
      assert.equal(config.workers, 1);
      assert.equal('faultInjection' in config.ops, false);
    } finally {
      await t.stop();
    }
  });


  it('binds the metrics port to 127.0.0.1 by default while the serving port keeps --host', async () => {
    const t = await startTestServer({ flags: ['--host', '0.0.0.0', '--enable_prometheus', '--prometheus_port', '0'] });
    try {
      assert.equal(t.server.ops.opsHost, '127.0.0.1');
      assert.equal(await accepts('127.0.0.1', t.server.ops.opsPort!), true);
    } finally {
      await t.stop();
    }
  });

  it('binds the metrics port to every interface with --prometheus_host 0.0.0.0', async () => {
    const t = await startTestServer({ flags: ['--host', '127.0.0.1', '--enable_prometheus', '--prometheus_port', '0', '--prometheus_host', '0.0.0.0'] });
    try {
      assert.equal(t.server.ops.opsHost, '0.0.0.0');
      assert.equal(await accepts('127.0.0.1', t.server.ops.opsPort!), true);
    } finally {
      await t.stop();
    }
  });
});
