/**
 * Prints a fetch map the way PaddleRec's rec_client.py does (a Python dict of numpy arrays), e.g.
 * `{'sigmoid_0.tmp_0': array([[0.4066131 ], [0.98054665]], dtype=float32)}`.
 *
 * Contract: values use up to 8 significant digits (numpy's default precision); 2-D arrays print
 * one bracketed row per batch row.
 */
import type { HostTensor } from '../core/tensor';

const NUMPY_DTYPE: Record<string, string> = {
  float32: 'float32', float64: 'float64', int64: 'int64', int32: 'int32', float16: 'float16', uint8: 'uint8', int8: 'int8', bool: 'bool',
};

function formatValue(value: number | bigint, dtype: string): string {
  if (typeof value === 'bigint' || dtype.startsWith('int') || dtype === 'uint8') return String(value);
  if (dtype === 'bool') return value ? 'True' : 'False';
  const text = Number(value).toPrecision(8).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.');
  return text.includes('e') ? Number(value).toExponential(7) : text;
}

function formatTensorAsNumpy(tensor: HostTensor): string {
  const columns = tensor.dims.length > 1 ? tensor.dims.slice(1).reduce((a, b) => a * b, 1) : tensor.data.length;
  const rows: string[] = [];
  for (let start = 0; start < tensor.data.length; start += columns) {
    const values: string[] = [];
    for (let i = start; i < start + columns; i++) values.push(formatValue(tensor.data[i], tensor.dtype));
    rows.push(`[${values.join(', ')}]`);
  }
  const body = tensor.dims.length > 1 ? `[${rows.join(', ')}]` : rows[0] ?? '[]';
  return `array(${body}, dtype=${NUMPY_DTYPE[tensor.dtype] ?? tensor.dtype})`;
}

export function formatFetchMap(outputs: Readonly<Record<string, HostTensor>>): string {
  const entries = Object.keys(outputs).map((name) => `'${name}': ${formatTensorAsNumpy(outputs[name])}`);
  return `{${entries.join(', ')}}`;
}
