/**
 * Start-up check that `--max_body_size` admits the largest request the served models accept:
 * `--max_request_rows` rows of every input, in the most compact encoding (raw little-endian
 * bytes, as Predict and OIP's binary data carry them). A limit below that refuses requests the
 * row limit allows, so the operator is told which flag to raise.
 *
 * Contract: `requestSizeWarnings(models, maxBodyBytes)` returns one sentence per
 * model version whose smallest full-size request is over the limit (dynamic dimensions count as
 * 1, so the figure is a lower bound); none when every model fits.
 */
import type { ModelSignature } from '../core/model-signature';
import { BYTES_PER_ELEMENT } from '../core/tensor';

export interface SizedModel {
  readonly name: string;
  readonly version?: string;
  readonly signature: ModelSignature;
  /** The model's --max_request_rows. */
  readonly maxRequestRows: number;
}

/** Bytes of the tensors of one row, dynamic dimensions taken as 1. */
export function rowBytes(signature: ModelSignature): number {
  let bytes = 0;
  for (const spec of signature.inputs) {
    let elements = 1;
    for (const dim of spec.shape) elements *= dim > 0 ? dim : 1;
    bytes += elements * BYTES_PER_ELEMENT[spec.dtype];
  }
  return bytes;
}

export function requestSizeWarnings(models: readonly SizedModel[], maxBodyBytes: number): string[] {
  const warnings: string[] = [];
  for (const model of models) {
    const maxRequestRows = model.maxRequestRows;
    const bytes = rowBytes(model.signature) * maxRequestRows;
    if (bytes <= maxBodyBytes) continue;
    const label = model.version === undefined ? `"${model.name}"` : `"${model.name}" version ${model.version}`;
    warnings.push(`a request of --max_request_rows (${maxRequestRows}) rows for model ${label} takes at least ${bytes} bytes, ` +
      `over --max_body_size (${maxBodyBytes}): such requests will be refused; raise --max_body_size or lower --max_request_rows`);
  }
  return warnings;
}
