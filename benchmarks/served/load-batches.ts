/**
 * Reads request batches for the served benchmarks from a Criteo data file: up to `maxBatches`
 * batches of exactly `batchSize` rows (the last short one dropped), fed under the model's
 * default feed names (`C1`..`C26`, `dense_input`).
 *
 * Contract: stops reading once `maxBatches` are built, so a large file costs only what is used;
 * throws when the file holds fewer than `batchSize` lines.
 */
import type { Batch } from '../../src/client/closed-loop-runner';
import { batchRecords, readCriteoRecords, recordsToFeed } from '../../src/data/criteo-reader';

export async function loadRequestBatches(dataPath: string, batchSize: number, maxBatches: number): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const records of batchRecords(readCriteoRecords(dataPath, { format: 'slot' }), batchSize, { dropLast: true })) {
    const { feed } = recordsToFeed(records);
    batches.push({ feed, rows: records.length });
    if (batches.length >= maxBatches) break;
  }
  if (batches.length === 0) throw new Error(`${dataPath} holds fewer than ${batchSize} lines: no batch of ${batchSize} can be formed`);
  return batches;
}
