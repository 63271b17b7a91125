/**
 * Markdown and CSV writers for the result tables.
 *
 * Contract: pure. `markdownTable` pads nothing and escapes `|`; `csvTable` quotes a field when it
 * holds a comma, a quote or a newline (RFC 4180), and ends with a newline.
 */

export type Cell = string | number;

function markdownCell(value: Cell): string {
  return String(value).replace(/\|/g, '\\|');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [`| ${header.map(markdownCell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
  return lines.join('\n');
}

function csvCell(value: Cell): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** Fixed decimals for table cells; `-` for NaN or undefined. */
export function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}
