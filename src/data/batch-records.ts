/**
 * Groups a record stream into fixed-size batches, as the inference tools' data loaders do.
 *
 * Contract: yields arrays of exactly `batchSize` items in input order. With `dropLast: true`
 * (the default, like PaddleRec's loaders) a final short batch is discarded, so N items give
 * floor(N / batchSize) batches; with `dropLast: false` it is yielded as is. Works on sync and
 * async iterables and pulls lazily (at most one batch is held).
 */

export interface BatchRecordsOptions {
  /** Discard the final batch when it is shorter than `batchSize`. Default true. */
  dropLast?: boolean;
}

export async function* batchRecords<T>(
  items: Iterable<T> | AsyncIterable<T>,
  batchSize: number,
  options: BatchRecordsOptions = {},
): AsyncGenerator<T[]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
  }
  const dropLast = options.dropLast ?? true;
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0 && !dropLast) yield batch;
}
