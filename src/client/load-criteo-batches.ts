/**
 * Reads Criteo data (slot or raw, a file or a directory) into request batches for a client
 * config, as PaddleRec's rec_client.py does: batches of `batchSize`, the last incomplete one
 * dropped, the reader's 27 outputs mapped onto the config's feed aliases in order.
 */
import { batchRecords, readCriteoRecords, recordsToFeed, type CriteoFormat } from '../data/criteo-reader';
import type { Batch } from './closed-loop-runner';

export async function loadCriteoBatches(dataPath: string, batchSize: number, feedAliases: readonly string[], format: CriteoFormat | 'auto'): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const records of batchRecords(readCriteoRecords(dataPath, { format }), batchSize, { dropLast: true })) {
    const { feed, labels } = recordsToFeed(records, feedAliases);
    batches.push({ feed, rows: records.length, labels });
  }
  return batches;
}
