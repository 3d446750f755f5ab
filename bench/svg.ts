/**
 * Small self-contained SVG charts (no dependencies, no scripts, no external fonts) for bench/results/report.html
 * and the MNIST example: horizontal bar charts with an optional reference line, and line charts.
 * Every series is a <g class="series" data-series="NAME"> so a test (or a reader's script) can find it.
 */

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A short number for labels: 3 significant digits, k/M for large values. */
export function short(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface Bar {
  /** the series this bar belongs to (legend entry, data-series) */
  series: string;
  value: number | null;
  /** shown instead of a bar when value is null, e.g. "FAILED" */
  missing?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChartOptions {
  title: string;
  /** e.g. "samples/s" */
  unit: string;
  groups: BarGroup[];
  /** a vertical line, e.g. numpy's rate or the best kernel's GFLOP/s */
  reference?: { value: number; label: string };
  /** log-scale value axis (for values spanning decades) */
  log?: boolean;
  width?: number;
  /** series → colour; default: the palette in order of first appearance */
  colours?: Record<string, string>;
}

/** Horizontal grouped bars: one row per bar, groups separated by a gap, value printed after each bar. */
export function barChart(o: BarChartOptions): string {
  const W = o.width ?? 800;
  const seriesNames = [...new Set(o.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  // about 6 px per character at 11 px
  const labelW = Math.min(W / 2, Math.max(120, 6.2 * Math.max(0, ...seriesNames.map((n) => n.length)) + 14));
  const valueW = 70,
    top = o.reference ? 44 : 30,
    rowH = 16,
    gap = 10;
  const plotW = W - labelW - valueW - 10;
  const colour = (s: string): string => o.colours?.[s] ?? PALETTE[seriesNames.indexOf(s) % PALETTE.length]!;
  const values = o.groups
    .flatMap((g) => g.bars.map((b) => b.value))
    .filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (o.reference && Number.isFinite(o.reference.value)) values.push(o.reference.value);
  const max = values.length ? Math.max(...values) : 1;
  const min = values.length ? Math.min(...values) : 1;
  const lo = o.log ? 10 ** Math.floor(Math.log10(min)) : 0;
  const hi = o.log ? 10 ** Math.ceil(Math.log10(max)) : max * 1.05;
  const x = (v: number): number =>
    o.log
      ? ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW
      : (v / hi) * plotW;

  const rows: string[] = [];
  let y = top;
  for (const g of o.groups) {
    rows.push(`<text x="4" y="${y + 11}" font-weight="600">${escapeXml(g.label)}</text>`);
    y += rowH;
    for (const b of g.bars) {
      const parts: string[] = [];
      parts.push(`<text x="${labelW - 6}" y="${y + 11}" text-anchor="end">${escapeXml(b.series)}</text>`);
      if (b.value !== null && Number.isFinite(b.value) && b.value > 0) {
        const w = Math.max(1, x(b.value));
        parts.push(
          `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${colour(b.series)}" data-value="${b.value}"><title>${escapeXml(`${b.series}: ${b.value} ${o.unit}`)}</title></rect>`,
          `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 11}">${short(b.value)}</text>`,
        );
      } else {
        parts.push(`<text x="${labelW + 4}" y="${y + 11}" fill="#a33">${escapeXml(b.missing ?? 'no result')}</text>`);
      }
      rows.push(
        `<g class="series" data-series="${escapeXml(b.series)}" data-group="${escapeXml(g.label)}">${parts.join('')}</g>`,
      );
      y += rowH;
    }
    y += gap;
  }
  const H = y + 24;
  const axis: string[] = [];
  const ticks = o.log
    ? Array.from({ length: Math.round(Math.log10(hi) - Math.log10(lo)) + 1 }, (_, i) => lo * 10 ** i)
    : [0, 0.25, 0.5, 0.75, 1].map((f) => f * hi);
  for (const t of ticks) {
    const tx = labelW + x(t);
    axis.push(`<line x1="${tx.toFixed(1)}" y1="${top - 4}" x2="${tx.toFixed(1)}" y2="${y - gap}" stroke="#e3e3e3"/>`);
    axis.push(`<text x="${tx.toFixed(1)}" y="${y + 6}" text-anchor="middle" fill="#666">${short(t)}</text>`);
  }
  let ref = '';
  if (o.reference && Number.isFinite(o.reference.value)) {
    const rx = labelW + x(o.reference.value);
    ref =
      `<g class="reference" data-series="${escapeXml(o.reference.label)}" data-value="${o.reference.value}">` +
      `<line x1="${rx.toFixed(1)}" y1="${top - 4}" x2="${rx.toFixed(1)}" y2="${y - gap}" stroke="#000" stroke-dasharray="4 3"/>` +
      `<line x1="4" y1="28" x2="28" y2="28" stroke="#000" stroke-dasharray="4 3"/>` +
      `<text x="32" y="32">${escapeXml(`${o.reference.label}: ${short(o.reference.value)}`)}</text></g>`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">` +
    `<text x="4" y="14" font-size="13" font-weight="600">${escapeXml(o.title)}</text>` +
    `<text x="${W - 4}" y="${y + 20}" text-anchor="end" fill="#666">${escapeXml(o.unit)}${o.log ? ' (log scale)' : ''}</text>` +
    axis.join('') +
    rows.join('') +
    ref +
    '</svg>'
  );
}

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  colour?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  /** default: 0 when every value is ≥ 0, else the smallest value */
  yMin?: number;
  yMax?: number;
  yFormat?: (v: number) => string;
}

/** Lines with dots, a legend, and axes from yMin..yMax and the x range of the data. */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 520,
    H = o.height ?? 260;
  const padL = 66,
    padR = 14,
    padT = 40,
    padB = 36;
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]),
    ys = all.map((p) => p[1]).filter(Number.isFinite);
  const xMin = xs.length ? Math.min(...xs) : 0,
    xMax = xs.length ? Math.max(...xs) : 1;
  const yMin = o.yMin ?? (ys.length && Math.min(...ys) < 0 ? Math.min(...ys) : 0);
  const yMax = o.yMax ?? (ys.length ? Math.max(...ys) * 1.05 : 1);
  const fmt = o.yFormat ?? short;
  const px = (v: number): number => padL + (xMax === xMin ? 0.5 : (v - xMin) / (xMax - xMin)) * (W - padL - padR);
  const py = (v: number): number => padT + (1 - (v - yMin) / (yMax - yMin || 1)) * (H - padT - padB);
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4,
      gy = py(v);
    grid.push(`<line x1="${padL}" y1="${gy.toFixed(1)}" x2="${W - padR}" y2="${gy.toFixed(1)}" stroke="#e3e3e3"/>`);
    grid.push(
      `<text x="${padL - 4}" y="${(gy + 4).toFixed(1)}" text-anchor="end" fill="#666">${escapeXml(fmt(v))}</text>`,
    );
  }
  for (const v of [...new Set([xMin, Math.round((xMin + xMax) / 2), xMax])]) {
    grid.push(
      `<text x="${px(v).toFixed(1)}" y="${H - padB + 14}" text-anchor="middle" fill="#666">${Number.isInteger(v) ? String(v) : short(v)}</text>`,
    );
  }
  const lines = o.series.map((s, i) => {
    const c = s.colour ?? PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    const path = pts.map((p, k) => `${k ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    const dots =
      pts.length <= 60
        ? pts
            .map(
              (p) =>
                `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${c}"><title>${escapeXml(`${s.name}: ${p[1]} at ${p[0]}`)}</title></circle>`,
            )
            .join('')
        : '';
    const legend = `<line x1="${padL + i * 150}" y1="28" x2="${padL + i * 150 + 18}" y2="28" stroke="${c}" stroke-width="2"/><text x="${padL + i * 150 + 22}" y="32">${escapeXml(s.name)}</text>`;
    return `<g class="series" data-series="${escapeXml(s.name)}" data-points="${pts.length}"><path d="${path}" fill="none" stroke="${c}" stroke-width="2"/>${dots}${legend}</g>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">` +
    `<rect width="${W}" height="${H}" fill="#fff"/>` +
    `<text x="4" y="14" font-size="13" font-weight="600">${escapeXml(o.title)}</text>` +
    grid.join('') +
    `<rect x="${padL}" y="${padT}" width="${W - padL - padR}" height="${H - padT - padB}" fill="none" stroke="#ccc"/>` +
    `<text x="${(padL + W - padR) / 2}" y="${H - 4}" text-anchor="middle" fill="#444">${escapeXml(o.xLabel)}</text>` +
    `<text x="12" y="${(padT + H - padB) / 2}" text-anchor="middle" fill="#444" transform="rotate(-90 12 ${(padT + H - padB) / 2})">${escapeXml(o.yLabel)}</text>` +
    lines.join('') +
    '</svg>'
  );
}

/** Stacks complete <svg> documents vertically into one (for a standalone .svg file). */
export function stackSvg(parts: readonly string[]): string {
  let y = 0,
    width = 0;
  const inner: string[] = [];
  for (const p of parts) {
    const w = Number(/width="(\d+(?:\.\d+)?)"/.exec(p)?.[1] ?? 0),
      h = Number(/height="(\d+(?:\.\d+)?)"/.exec(p)?.[1] ?? 0);
    inner.push(p.replace('<svg ', `<svg x="0" y="${y}" `));
    y += h + 10;
    width = Math.max(width, w);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">${inner.join('')}</svg>\n`;
}
