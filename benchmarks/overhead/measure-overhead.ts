/**
 * The overhead measurement, all in one run so the ratios are taken side by side:
 * - compute floor: in-process ONNX Runtime on the default model at batch 5 and 2048, with 1
 *   intra-op thread and with the server's default session settings;
 * - transport floor: the grpc-js echo server (separate process) answering the batch-5 payload;
 * - served: the real rec-serve (separate process, default flags) at batch 5, one request in
 *   flight, with the server's own timing split (handler, queue, compute) from each response.
 *
 * Contract: the batch-5 measurements are interleaved in `rounds` rounds (in-process, echo,
 * served in turn) so that a noisy neighbour hits all of them alike; each series first runs
 * `warmup` untimed calls. The same generated batches feed every series. Besides the pooled
 * figures, each round's served p50 / (echo p50 + in-process p50, server default settings) is
 * kept: the three are measured within seconds of each other, so the machine's drift between
 * rounds cancels in it.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { Batch } from '../../src/client/closed-loop-runner';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { toOrtSessionOptions, type SessionConfig } from '../../src/engine/session-config';
import { LatencyHistogram, mean, type LatencySummary } from '../../src/client/latency-histogram';
import type { ServerProcess } from '../lib/server-process';

export interface OverheadOptions {
  readonly modelPath: string;
  readonly batches5: readonly Batch[];
  readonly batches2048: readonly Batch[];
  readonly sessionConfigs: ReadonlyArray<{ readonly name: string; readonly config: SessionConfig }>;
  readonly echo: ServerProcess;
  readonly served: ServerProcess;
  readonly requestsPerRound: number;
  readonly rounds: number;
  readonly runs2048: number;
  readonly warmup: number;
  readonly progress: (message: string) => void;
}

export interface InProcessFigure {
  readonly name: string;
  readonly intraOpThreads: number;
  readonly batchSize: number;
  readonly latency: LatencySummary;
}

export interface OverheadMeasurement {
  readonly inProcess: InProcessFigure[];
  readonly echo: LatencySummary;
  readonly servedClient: LatencySummary;
  readonly servedServer: LatencySummary;
  readonly servedMeanMicros: { readonly client: number; readonly serverHandler: number; readonly queue: number; readonly compute: number };
  /** Per round: served p50 / (echo p50 + in-process p50 with the server's default settings). */
  readonly roundRatiosP50: readonly number[];
}

type Feeds = Record<string, ort.Tensor>;

function toOrtFeeds(batch: Batch): Feeds {
  const feeds: Feeds = {};
  for (const [name, t] of Object.entries(batch.feed)) feeds[name] = new ort.Tensor(t.dtype as 'int64' | 'float32', t.data as BigInt64Array | Float32Array, t.dims as number[]);
  return feeds;
}

/**
 * Times `count` runs. With `idleMsBetween` > 0 the thread sleeps between runs, as a worker does
 * between served requests: a run after idling is slower than one in a tight loop (colder caches
 * and predictors), so the paced figure is the fair compute floor for one request in flight.
 */
async function timeRuns(session: ort.InferenceSession, feeds: readonly Feeds[], count: number, into: LatencyHistogram | undefined, offset: number, idleMsBetween = 0, alsoInto?: LatencyHistogram): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (idleMsBetween > 0) await new Promise((resolve) => setTimeout(resolve, idleMsBetween));
    const begin = performance.now();
    await session.run(feeds[(offset + i) % feeds.length]);
    const micros = (performance.now() - begin) * 1000;
    into?.record(micros);
    alsoInto?.record(micros);
  }
}

export async function measureOverhead(options: OverheadOptions): Promise<OverheadMeasurement> {
  const feeds5 = options.batches5.map(toOrtFeeds);
  const feeds2048 = options.batches2048.map(toOrtFeeds);
  const sessions = await Promise.all(options.sessionConfigs.map(async (s) => ({ ...s, session: await ort.InferenceSession.create(options.modelPath, toOrtSessionOptions(s.config) as unknown as ort.InferenceSession.SessionOptions) })));
  const inProcess5 = sessions.map(() => new LatencyHistogram());
  const paced5 = new LatencyHistogram();
  const echo = RecServingClient.connect(options.echo.address);
  const served = RecServingClient.connect(options.served.address);
  const echoHist = new LatencyHistogram();
  const clientHist = new LatencyHistogram();
  const serverHist = new LatencyHistogram();
  const client: number[] = [], handler: number[] = [], queue: number[] = [], compute: number[] = [];
  const roundRatiosP50: number[] = [];
  let roundEcho = new LatencyHistogram();
  let roundServed = new LatencyHistogram();
  try {
    await Promise.all([echo.waitForReady(10_000), served.waitForReady(10_000)]);
    const callEcho = async (i: number, record: boolean) => {
      const result = await echo.predict(options.batches5[i % options.batches5.length].feed);
      if (!record) return;
      echoHist.record(result.clientMicros);
      roundEcho.record(result.clientMicros);
    };
    const callServed = async (i: number, record: boolean) => {
      const result = await served.predict(options.batches5[i % options.batches5.length].feed);
      if (!record) return;
      const server = result.server.endMicros - result.server.startMicros;
      clientHist.record(result.clientMicros);
      roundServed.record(result.clientMicros);
      serverHist.record(Math.max(0, server));
      client.push(result.clientMicros);
      handler.push(server);
      queue.push(result.server.queueMicros);
      compute.push(result.server.computeMicros);
    };
    options.progress(`warm-up: ${options.warmup} calls each`);
    for (const s of sessions) await timeRuns(s.session, feeds5, options.warmup, undefined, 0);
    for (let i = 0; i < options.warmup; i++) await callEcho(i, false);
    for (let i = 0; i < options.warmup; i++) await callServed(i, false);
    for (let round = 0; round < options.rounds; round++) {
      const offset = round * options.requestsPerRound;
      const roundInProcess = new LatencyHistogram();
      roundEcho = new LatencyHistogram();
      roundServed = new LatencyHistogram();
      for (const [index, s] of sessions.entries()) {
        const last = index === sessions.length - 1;
        await timeRuns(s.session, feeds5, options.requestsPerRound, inProcess5[index], offset, 0, last ? roundInProcess : undefined);
      }
      await timeRuns(sessions[sessions.length - 1].session, feeds5, Math.min(options.requestsPerRound, 300), paced5, offset, 1);
      for (let i = 0; i < options.requestsPerRound; i++) await callEcho(offset + i, true);
      for (let i = 0; i < options.requestsPerRound; i++) await callServed(offset + i, true);
      roundRatiosP50.push(roundServed.summary().p50Micros / (roundEcho.summary().p50Micros + roundInProcess.summary().p50Micros));
      options.progress(`round ${round + 1}/${options.rounds}: in-process p50 ${inProcess5.map((h) => h.summary().p50Micros).join('/')} µs, echo p50 ${echoHist.summary().p50Micros} µs, served p50 ${clientHist.summary().p50Micros} µs`);
    }
    const inProcess: InProcessFigure[] = sessions.map((s, i) => ({ name: s.name, intraOpThreads: s.config.intraOpThreads, batchSize: 5, latency: inProcess5[i].summary() }));
    const last = sessions[sessions.length - 1];
    inProcess.push({ name: `${last.name}, paced (1 ms idle between runs)`, intraOpThreads: last.config.intraOpThreads, batchSize: 5, latency: paced5.summary() });
    for (const s of sessions) {
      const hist = new LatencyHistogram();
      await timeRuns(s.session, feeds2048, 2, undefined, 0);
      await timeRuns(s.session, feeds2048, options.runs2048, hist, 0);
      inProcess.push({ name: s.name, intraOpThreads: s.config.intraOpThreads, batchSize: 2048, latency: hist.summary() });
      options.progress(`in-process batch 2048 (${s.name}): p50 ${hist.summary().p50Micros} µs`);
    }
    return {
      inProcess,
      echo: echoHist.summary(),
      servedClient: clientHist.summary(),
      servedServer: serverHist.summary(),
      servedMeanMicros: { client: mean(client), serverHandler: mean(handler), queue: mean(queue), compute: mean(compute) },
      roundRatiosP50,
    };
  } finally {
    echo.close();
    served.close();
    for (const s of sessions) await s.session.release();
  }
}
