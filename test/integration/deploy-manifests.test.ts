/**
 * The Dockerfile and the Kubernetes manifests (serving_server/deploy/kubernetes/) against what
 * rec-serve really parses and serves, so they cannot rot: every container flag is a rec-serve
 * flag that loads, ports match the flags (or their defaults), the CPU request equals processes x
 * workers x intra-op threads, the grace period covers preStop + --shutdown_grace_ms + the
 * primary's kill margin, selectors match the pod labels, and the real `rec-serve` started with
 * the Deployment's own args (model, host and ports swapped for test ones) answers every gRPC
 * probe's health service with SERVING and the scrape annotation's path with 200.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GrpcUnaryChannel } from '../../src/client/grpc-unary-channel';
import { loadServeConfig, SERVE_FLAGS, type ServeConfig } from '../../src/config/serve-config';
import { parseFlags } from '../../src/config/parse-flags';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { makeTinyDeepFmDir } from '../helpers/test-server';
import { parseYamlDocuments } from '../helpers/yaml-subset';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = Record<string, any>;

const K8S_DIR = path.join(REPO_ROOT, 'serving_server', 'deploy', 'kubernetes');
const docs: Doc[] = fs.readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(K8S_DIR, f), 'utf8')) as Doc[]);
const byKind = (kind: string): Doc => {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} in ${K8S_DIR}`);
  return found[0];
};
const deployment = byKind('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const args: string[] = container.args;
/** The CPUs the pod requests, as cores. */
const cpuOf = (quantity: string | number): number => (typeof quantity === 'string' && quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity));
const config: ServeConfig = loadServeConfig(args, {}, cpuOf(container.resources.requests.cpu));
const portNamed = (name: string): number => container.ports.find((p: Doc) => p.name === name)?.containerPort;
const subset = (labels: Record<string, string>, of: Record<string, string>) => Object.entries(labels).every(([k, v]) => of[k] === v);

/** grpc.health.v1.Health/Check for `service`: the ServingStatus number (1 = SERVING). */
async function healthCheck(port: number, service: string): Promise<number> {
  const name = Buffer.from(service);
  const request = service === '' ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
  const channel = GrpcUnaryChannel.connect(`127.0.0.1:${port}`);
  try {
    const answer = await channel.unary('/grpc.health.v1.Health/Check', request, { deadlineMs: 5000 });
    return answer.length === 0 ? 0 : answer[1];
  } finally {
    channel.close();
  }
}

describe('Kubernetes manifests match the server', () => {
  it('uses only rec-serve flags, and they load', () => {
    assert.doesNotThrow(() => parseFlags(args, SERVE_FLAGS));
    for (const arg of args) assert.ok(arg.split('=')[0].slice(2) in SERVE_FLAGS, arg);
    assert.equal(config.ops.enablePrometheus, true);
    assert.equal(config.ops.prometheusHost, '0.0.0.0', 'the metrics port must listen beyond loopback for Prometheus to scrape it');
    assert.equal(config.host, '0.0.0.0');
  });

  it('declares the ports the flags open, and probes and annotations point at them', () => {
    assert.equal(portNamed('grpc'), config.port);
    assert.equal(portNamed('metrics'), config.ops.prometheusPort);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      assert.ok(container[probe]?.grpc, `${probe} is a native gRPC probe`);
      assert.equal(container[probe].grpc.port, config.port, probe);
    }
    assert.equal(Number(pod.metadata.annotations['prometheus.io/port']), config.ops.prometheusPort);
  });

  it('requests exactly the CPUs of processes x workers x intra-op threads', () => {
    const cpus = config.processes * config.workers * config.cpuThreadsPerWorker;
    assert.equal(cpuOf(container.resources.requests.cpu), cpus);
    assert.equal(cpuOf(container.resources.limits.cpu), cpus);
    assert.ok(args.includes(`--thread=${config.workers}`) && args.includes(`--cpu_threads=${config.cpuThreadsPerWorker}`), 'workers and threads are explicit (Node sees the node\'s cores, not the limit)');
  });

  it('gives the drain its time: grace period >= preStop sleep + --shutdown_grace_ms + the primary\'s 5 s kill margin', () => {
    const command: string[] = container.lifecycle.preStop.exec.command;
    assert.equal(command[0], 'sleep');
    const needed = Number(command[1]) + config.shutdownGraceMs / 1000 + (config.processes > 1 ? 5 : 0);
    assert.ok(pod.spec.terminationGracePeriodSeconds >= needed, `terminationGracePeriodSeconds ${pod.spec.terminationGracePeriodSeconds} < ${needed}`);
    assert.ok(container.livenessProbe.periodSeconds * container.livenessProbe.failureThreshold > config.shutdownGraceMs / 1000, 'liveness does not fail during a drain');
  });

  it('selects the pods with the headless Service, the PodDisruptionBudget and the HPA', () => {
    const labels = pod.metadata.labels;
    assert.ok(subset(deployment.spec.selector.matchLabels, labels));
    const service = byKind('Service');
    assert.equal(service.spec.clusterIP, 'None', 'headless: DNS returns every pod for client-side balancing');
    assert.ok(subset(service.spec.selector, labels));
    for (const port of service.spec.ports) assert.equal(port.port, portNamed(port.targetPort), `Service port ${port.name}`);
    const pdb = byKind('PodDisruptionBudget');
    assert.ok(subset(pdb.spec.selector.matchLabels, labels));
    const hpa = byKind('HorizontalPodAutoscaler');
    assert.deepEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], ['Deployment', deployment.metadata.name]);
    assert.ok(hpa.spec.minReplicas > (pdb.spec.maxUnavailable ?? 0), 'a disruption never takes the last pod');
  });

  describe('rec-serve started with the Deployment\'s args', () => {
    let server: ServeProcess;
    before(async () => {
      const swapped = args.map((arg) => arg
        .replace(/^--model=.*/, `--model=${makeTinyDeepFmDir().dir}`)
        .replace(/^--host=.*/, '--host=127.0.0.1')
        .replace(/^--port=.*/, '--port=0')
        .replace(/^--prometheus_host=.*/, '--prometheus_host=127.0.0.1')
        .replace(/^--prometheus_port=.*/, '--prometheus_port=0'));
      server = await startServeProcess([...swapped, '--warmup_batch_sizes=1'], config.processes > 1 ? { ready: /all \d+ processes serving "[^"]*" on [^ ]+:(\d+)/, timeoutMs: 90_000 } : {});
    });
    after(() => { if (server?.child.exitCode === null) server.child.kill('SIGKILL'); });

    it('answers every probe\'s health service with SERVING and the scrape path with 200, and drains within the grace period', { timeout: 90_000 }, async () => {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const service = container[probe].grpc.service ?? '';
        assert.equal(await healthCheck(server.port, service), 1, `${probe} service "${service}" is SERVING`);
      }
      // A probe naming a service the server does not register would fail: the check above means something.
      await assert.rejects(healthCheck(server.port, 'no.such.Service'), /NOT_FOUND|unknown|not found/i);
      const scrape = await fetch(`http://127.0.0.1:${server.metricsPort}${pod.metadata.annotations['prometheus.io/path']}`);
      assert.equal(scrape.status, 200);
      assert.match(await scrape.text(), /nv_inference_request_success/);
      const started = Date.now();
      assert.equal(await server.stop(), 0, server.log());
      assert.ok(Date.now() - started < pod.spec.terminationGracePeriodSeconds * 1000);
    });
  });
});

describe('Dockerfile matches the server', () => {
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const code = instructions.join('\n');
  const json = (keyword: string): string[] => JSON.parse(instructions.find((l) => l.startsWith(`${keyword} `))!.slice(keyword.length + 1));

  it('builds in stages on Node 20 slim with npm ci, the GPU download skipped and the model generated', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2 && froms.every((l) => /^FROM node:20[-\w.]*slim\b/.test(l)), froms.join('\n'));
    assert.ok(/^ENV ONNXRUNTIME_NODE_INSTALL=skip$/m.test(code) && code.indexOf('ONNXRUNTIME_NODE_INSTALL=skip') < code.indexOf('npm ci'), 'the GPU download is skipped before npm ci');
    assert.match(code, /RUN npm ci[^\n]*\\\n\s*&& test -s serving_server\/model\.onnx/);
    assert.match(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts.prepare, /generate-default-model/);
    const ignore = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'serving_server/model.onnx']) assert.ok(ignore.includes(entry), `.dockerignore lists ${entry}`);
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
      for (const source of line.split(/\s+/).slice(1, -1)) assert.ok(fs.existsSync(path.join(REPO_ROOT, source)), `${line}: ${source} exists`);
    }
  });

  it('runs rec-serve with flags that load, exposing the ports they open', () => {
    const entry = json('ENTRYPOINT');
    assert.deepEqual(entry, ['node', JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).bin['rec-serve'].replace(/^\.\//, '')]);
    const cmd = json('CMD');
    const image = loadServeConfig(cmd, {}, 2);
    const exposed = instructions.find((l) => l.startsWith('EXPOSE '))!.split(/\s+/).slice(1).map(Number).sort();
    assert.deepEqual(exposed, [image.port, image.ops.prometheusPort].sort());
    assert.equal(image.ops.prometheusHost, '0.0.0.0');
    assert.equal(image.port, portNamed('grpc'), 'the image and the Deployment use one port');
  });
});
