/**
 * Deterministic, valid feeds for a signature: used for warm-up runs and health probes.
 *
 * Contract: every tensor has `rows` rows, the signature's dtype and shape (dynamic dims = 1),
 * and integer values inside the input's id range (spread over it, so warm-up touches many rows
 * of the embedding tables rather than one cached row).
 */
import type { ModelSignature } from './model-signature';
import { allocate, elementCount, type HostTensor } from './tensor';

export function syntheticFeeds(signature: ModelSignature, rows: number): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  signature.inputs.forEach((spec, inputIndex) => {
    const dims = [rows, ...spec.shape.map((d) => (d < 0 ? 1 : d))];
    const data = allocate(spec.dtype, elementCount(dims));
    const span = spec.idRange === undefined ? 100n : spec.idRange.max - spec.idRange.min + 1n;
    const min = spec.idRange?.min ?? 0n;
    for (let i = 0; i < data.length; i++) {
      const spread = BigInt((i * 7919 + inputIndex * 104729) % 2147483647);
      if (data instanceof BigInt64Array) data[i] = min + (spread % span);
      else if (data instanceof Float32Array || data instanceof Float64Array) data[i] = ((i + inputIndex) % 10) / 10;
      else data[i] = Number(min + (spread % span)) & 0x7f;
    }
    feeds[spec.name] = { dtype: spec.dtype, dims, data };
  });
  return feeds;
}
