/**
 * The mistakes a new user makes first, through the real CLIs (child processes): a client
 * pointed at a server that is not running, a wrong --data_dir, a mistyped flag, a busy serving
 * or metrics port, --batching_overrides for a model that is not served. Each gets one message
 * naming the input and what to do, and a non-zero exit.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busyPort, closedPort, runCli } from '../helpers/run-cli';
import { makeTinyDeepFmDir } from '../helpers/test-server';

describe('what a new user sees for common mistakes', () => {
  for (const mode of ['grpc', 'http', 'rpc']) {
    it(`rec-client --client_mode ${mode} against a port nothing listens on says so once and exits 1`, async () => {
      const port = await closedPort();
      const run = await runCli('rec-client.js', ['--connect', `127.0.0.1:${port}`, '--client_mode', mode, '--threads', '4', '--requests', '40']);
      assert.equal(run.code, 1, run.stderr);
      const mentions = run.stderr.split('\n').filter((line) => line.includes('nothing answers at'));
      assert.equal(mentions.length, 1, run.stderr);
      assert.match(mentions[0], new RegExp(`nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused, --client_mode ${mode}\\): is rec-serve running there`));
      assert.doesNotMatch(run.stderr, /\[client\]logid=/);
      assert.doesNotMatch(run.stdout + run.stderr, /NaN/);
    });
  }

  it('rec-client names --data_dir and --client_config when the path is wrong (exit 2)', async () => {
    const data = await runCli('rec-client.js', ['--data_dir', '/nonexistent/criteo']);
    assert.equal(data.code, 2);
    assert.match(data.stderr, /^rec-client: --data_dir \/nonexistent\/criteo does not exist; expected a Criteo data file or a directory of them/);
    assert.doesNotMatch(data.stderr, /ENOENT/);
    const config = await runCli('rec-client.js', ['--client_config', '/nonexistent/conf']);
    assert.equal(config.code, 2);
    assert.match(config.stderr, /--client_config \/nonexistent\/conf does not exist; expected serving_client_conf\.prototxt/);
  });

  it('a mistyped flag gets the closest one, in every CLI', async () => {
    const client = await runCli('rec-client.js', ['--batchsze', '5', '--conect=127.0.0.1:1']);
    assert.equal(client.code, 2);
    assert.match(client.stderr, /unknown flag --batchsze; did you mean --batchsize\?/);
    assert.match(client.stderr, /unknown flag --conect; did you mean --connect\?/);
    assert.doesNotMatch(client.stderr, /unexpected argument "5"/);
    const serve = await runCli('serve.js', ['--prot', '9393', '--max_batch_sise', '8']);
    assert.equal(serve.code, 2);
    assert.match(serve.stderr, /unknown flag --prot; did you mean --port\?/);
    assert.match(serve.stderr, /unknown flag --max_batch_sise; did you mean --max_batch_size\?/);
    const convert = await runCli('rec-serving.js', ['convert', '--dirnam', 'x']);
    assert.equal(convert.code, 2);
    assert.match(convert.stderr, /rec-serving convert: unknown flag --dirnam; did you mean --dirname\?/);
    const command = await runCli('rec-serving.js', ['generate_data']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "generate_data"; did you mean generate-data\?/);
    const unrelated = await runCli('rec-client.js', ['--zzzzzz']);
    assert.match(unrelated.stderr, /unknown flag --zzzzzz\n/);
  });

  it('rec-serve reports a busy serving port before loading the model, naming --port', async () => {
    const held = await busyPort();
    try {
      const run = await runCli('serve.js', ['--model', makeTinyDeepFmDir().dir, '--host', '127.0.0.1', '--port', String(held.port), '--thread', '1']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`--port ${held.port}: 127\\.0\\.0\\.1:${held.port} is already in use \\(is another rec-serve running\\?\\); choose another with --port <n> \\(0 = any free port\\)`));
      assert.doesNotMatch(run.stderr, /loading model|model ready/);
    } finally {
      await held.close();
    }
  });

  it('rec-serve names --prometheus_port (not --port) when the metrics port is busy', async () => {
    const held = await busyPort();
    try {
      const run = await runCli('serve.js', ['--model', makeTinyDeepFmDir().dir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--enable_prometheus', '--prometheus_port', String(held.port)]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`--prometheus_port ${held.port}: 127\\.0\\.0\\.1:${held.port} is already in use.*choose another with --prometheus_port <n>`));
      assert.doesNotMatch(run.stderr, /--port \d+:/);
      assert.doesNotMatch(run.stderr, /loading model/);
    } finally {
      await held.close();
    }
  });

  it('rec-serve refuses --batching_overrides for a model it does not serve, naming the served one', async () => {
    const dir = makeTinyDeepFmDir().dir;
    const run = await runCli('serve.js', ['--model', dir, '--port', '0', '--batching_overrides', '{"model":{"maxBatchSize":64}}']);
    assert.equal(run.code, 2, run.stderr);
    const served = dir.split('/').pop()!;
    assert.match(run.stderr, new RegExp(`--batching_overrides names "model", which is not served; served model: "${served}"`));
  });
});
