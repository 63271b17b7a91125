/**
 * A small SVG line-chart writer (no dependencies) for latency against throughput: one polyline
 * per series, linear axes from zero with "nice" ticks, a legend, and readable `<text>` labels,
 * so the file can be read as text as well as viewed.
 *
 * Contract: pure; `renderLineChart` returns a complete standalone SVG document. Points are drawn
 * in the order given. Series with no points are listed in the legend only. Text is XML-escaped.
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Shown in the point's tooltip. */
  readonly label?: string;
  /** Written next to the point (e.g. its concurrency level). */
  readonly tag?: string;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** Line colour; default: the next of a 10-colour palette. */
  readonly color?: string;
  /** SVG stroke-dasharray (e.g. "6 3"); default solid. Series sharing a colour differ by this. */
  readonly dash?: string;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** A horizontal reference line (e.g. the latency bound), in y units. */
  readonly yReference?: { readonly value: number; readonly label: string };
  readonly width?: number;
  readonly height?: number;
  /** Logarithmic axes (both), ticks at 1, 2 and 5 times powers of ten; non-positive points are left out. */
  readonly logScale?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. @private */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Ticks 1, 2, 5 × 10^k covering [min, max] for a log axis, widened to whole steps. @private */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min > 0 ? min : 1));
  const hi = Math.ceil(Math.log10(max > 0 ? max : 10));
  const ticks: number[] = [];
  for (let k = lo; k <= Math.max(hi, lo + 1); k++) for (const m of [1, 2, 5]) ticks.push(Number((m * 10 ** k).toPrecision(12)));
  let first = 0;
  for (let i = 0; i < ticks.length; i++) if (ticks[i] <= min) first = i;
  let last = ticks.findIndex((t) => t >= max);
  if (last === -1) last = ticks.length - 1;
  return ticks.slice(first, Math.max(first + 2, last + 1));
}

function shortNumber(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 560;
  const margin = { left: 80, right: 260, top: 50, bottom: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const log = chart.logScale === true;
  const series = log ? chart.series.map((s) => ({ ...s, points: s.points.filter((p) => p.x > 0 && p.y > 0) })) : chart.series;
  const all = series.flatMap((s) => s.points);
  const ys = [...all.map((p) => p.y), ...(chart.yReference ? [chart.yReference.value] : [])];
  const xTicks = log ? logTicks(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))) : niceTicks(Math.max(0, ...all.map((p) => p.x)));
  const yTicks = log ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(Math.max(0, ...ys));
  const axis = (ticks: number[]) => {
    const lo = log ? Math.log10(ticks[0]) : 0;
    const hi = log ? Math.log10(ticks[ticks.length - 1]) : ticks[ticks.length - 1];
    return (v: number) => ((log ? Math.log10(v) : v) - lo) / (hi - lo || 1);
  };
  const fx = axis(xTicks);
  const fy = axis(yTicks);
  const sx = (x: number) => margin.left + fx(x) * plotW;
  const sy = (y: number) => margin.top + plotH - fy(y) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2 - margin.right / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(chart.title)}</text>`,
  ];
  for (const t of xTicks) {
    out.push(`<line x1="${sx(t).toFixed(1)}" y1="${margin.top}" x2="${sx(t).toFixed(1)}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${sx(t).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle">${shortNumber(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${margin.left}" y1="${sy(t).toFixed(1)}" x2="${margin.left + plotW}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 8}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${shortNumber(t)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 15}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  out.push(`<text x="18" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${margin.top + plotH / 2})">${escapeXml(chart.yLabel)}</text>`);
  if (chart.yReference !== undefined) {
    const y = sy(chart.yReference.value).toFixed(1);
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#999" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${margin.left + plotW - 4}" y="${Number(y) - 4}" text-anchor="end" fill="#666">${escapeXml(chart.yReference.label)}</text>`);
  }
  series.forEach((series, index) => {
    const color = series.color ?? COLORS[index % COLORS.length];
    const dash = series.dash === undefined ? '' : ` stroke-dasharray="${escapeXml(series.dash)}"`;
    if (series.points.length > 0) {
      const points = series.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"><title>${escapeXml(series.name)}</title></polyline>`);
      for (const p of series.points) {
        const tip = `${series.name}: ${p.label ? `${p.label}, ` : ''}x=${shortNumber(p.x)}, y=${shortNumber(p.y)}`;
        out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(tip)}</title></circle>`);
        if (p.tag !== undefined) out.push(`<text x="${(sx(p.x) + 4).toFixed(1)}" y="${(sy(p.y) - 4).toFixed(1)}" font-size="9" fill="${color}">${escapeXml(p.tag)}</text>`);
      }
    }
    const ly = margin.top + 10 + index * 18;
    out.push(`<line x1="${width - margin.right + 15}" y1="${ly}" x2="${width - margin.right + 35}" y2="${ly}" stroke="${color}" stroke-width="3"${dash}/>`);
    out.push(`<text x="${width - margin.right + 40}" y="${ly + 4}">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
