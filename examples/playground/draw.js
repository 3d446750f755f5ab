/**
 * Canvas drawing for the playground: the output heat map with the points, the loss curves, and the neuron diagram
 * (every input feature and hidden unit drawn as a small heat map of its output over the square, linked by the
 * weights, as TensorFlow Playground draws its network).
 */
import { DOMAIN } from './data.js';
import { FEATURES } from './features.js';

// TensorFlow Playground's colours: orange for label 0, blue for label 1, white at p = 0.5
const C0 = [245, 147, 34];
const C1 = [8, 119, 189];
const WHITE = [232, 234, 235];
/** The heatmap is shaded in this many steps (a banded map reads well and keeps screenshots small). */
const LEVELS = 20;

function colourFor(p, out, o) {
  const q = Math.round(Math.min(1, Math.max(0, p)) * LEVELS) / LEVELS;
  const [a, t] = q < 0.5 ? [C0, q * 2] : [C1, (1 - q) * 2];
  // t = 0 at the pure colour, 1 at white; keep the colours light so the points stand out
  const mix = 0.35 + 0.65 * t;
  for (let c = 0; c < 3; c++) out[o + c] = Math.round(a[c] + (WHITE[c] - a[c]) * mix);
  out[o + 3] = 255;
}

/** A point's colour: label 0 orange, 1 blue; a regression target in [-1, 1] runs from orange through white to blue. */
function pointColour(v, regression) {
  if (!regression) return `rgb(${(v ? C1 : C0).join(',')})`;
  const t = Math.min(1, Math.max(-1, v));
  const [a, m] = t < 0 ? [C0, -t] : [C1, t];
  return `rgb(${[0, 1, 2].map((c) => Math.round(WHITE[c] + (a[c] - WHITE[c]) * (0.25 + 0.75 * m))).join(',')})`;
}

const scratch = new Map(); // n -> an n×n canvas to put a map's pixels on before scaling it

/**
 * Draws an n×n map of values (rows from the top) into the rectangle (x, y, w, h), coloured by `toUnit(value)`
 * (0 orange, 0.5 white, 1 blue), in LEVELS bands.
 */
function drawMap(ctx, values, offset, stride, n, toUnit, x, y, w, h) {
  let c = scratch.get(n);
  if (!c) {
    c = document.createElement('canvas');
    c.width = n;
    c.height = n;
    scratch.set(n, c);
  }
  const g = c.getContext('2d');
  const img = g.createImageData(n, n);
  for (let i = 0; i < n * n; i++) colourFor(toUnit(values[i * stride + offset]), img.data, i * 4);
  g.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false; // crisp cells: the banded map reads better than a blur
  ctx.drawImage(c, x, y, w, h);
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {Float64Array | null} grid the output on a GRID×GRID lattice, rows from the top: P(label 1), or the
 *   predicted value (regression, coloured from -1 to 1)
 * @param {{ train: { x: Float64Array, labels: ArrayLike<number> }, test: { x: Float64Array, labels: ArrayLike<number> } }} data
 * @param {{ showTest: boolean, regression: boolean }} opts
 */
export function drawHeatmap(ctx, grid, data, opts) {
  const { width: W, height: H } = ctx.canvas;
  ctx.clearRect(0, 0, W, H);
  if (grid) {
    const n = Math.round(Math.sqrt(grid.length));
    drawMap(ctx, grid, 0, 1, n, opts.regression ? (v) => (v + 1) / 2 : (p) => p, 0, 0, W, H);
  } else {
    ctx.fillStyle = `rgb(${WHITE.join(',')})`;
    ctx.fillRect(0, 0, W, H);
  }
  const sx = (x) => ((x + DOMAIN) / (2 * DOMAIN)) * W;
  const sy = (y) => ((DOMAIN - y) / (2 * DOMAIN)) * H;
  const dots = (set, stroke) => {
    for (let r = 0; r < set.labels.length; r++) {
      ctx.beginPath();
      ctx.arc(sx(set.x[2 * r]), sy(set.x[2 * r + 1]), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = pointColour(set.labels[r], opts.regression);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    }
  };
  dots(data.train, '#fff');
  if (opts.showTest) dots(data.test, '#222');
  // axes
  ctx.strokeStyle = 'rgba(0,0,0,0.15)';
  ctx.beginPath();
  ctx.moveTo(sx(0), 0);
  ctx.lineTo(sx(0), H);
  ctx.moveTo(0, sy(0));
  ctx.lineTo(W, sy(0));
  ctx.stroke();
}

/**
 * Train and test loss per epoch (linear axes; y from 0 to the largest loss shown), and the learning rate.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ n: number, epochs: Float64Array, trainLoss: Float64Array, testLoss: Float64Array, lr: Float64Array }} h
 */
export function drawLossChart(ctx, h) {
  const { width: W, height: H } = ctx.canvas;
  const padL = 44,
    padR = 10,
    padT = 10,
    padB = 22;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  if (h.n === 0) return;
  let yMax = 0;
  for (let i = 0; i < h.n; i++) yMax = Math.max(yMax, h.trainLoss[i], h.testLoss[i]);
  if (!(yMax > 0) || !Number.isFinite(yMax)) yMax = 1;
  const xMax = Math.max(1, h.epochs[h.n - 1]);
  const px = (e) => padL + (e / xMax) * (W - padL - padR);
  const py = (v) => padT + (1 - v / yMax) * (H - padT - padB);
  // frame and labels
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(padL, padT, W - padL - padR, H - padT - padB);
  ctx.textAlign = 'right';
  ctx.fillText(yMax.toPrecision(3), padL - 4, padT + 8);
  ctx.fillText('0', padL - 4, H - padB);
  ctx.textAlign = 'center';
  ctx.fillText(`epoch ${h.epochs[h.n - 1]}`, W - padR - 40, H - 6);
  ctx.fillText('0', padL, H - 6);
  // at most ~2 points per pixel column
  const step = Math.max(1, Math.floor(h.n / (2 * (W - padL - padR))));
  const line = (ys, colour, y = py) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < h.n; i += step) {
      const x = px(h.epochs[i]),
        v = y(ys[i]);
      if (i === 0) ctx.moveTo(x, v);
      else ctx.lineTo(x, v);
    }
    ctx.lineTo(px(h.epochs[h.n - 1]), y(ys[h.n - 1]));
    ctx.stroke();
  };
  // the learning rate, dashed, on its own scale (0 to its largest value, top of the frame)
  let lrMax = 0;
  for (let i = 0; i < h.n; i++) lrMax = Math.max(lrMax, h.lr[i]);
  if (lrMax > 0) {
    ctx.setLineDash([4, 3]);
    line(h.lr, '#5a9a5a', (v) => padT + (1 - v / lrMax) * (H - padT - padB));
    ctx.setLineDash([]);
  }
  line(h.testLoss, '#e07b00');
  line(h.trainLoss, '#333');
  // the legend, on white so the curves under it do not hide it
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(W - padR - 190, padT + 3, 186, lrMax > 0 ? 32 : 18);
  ctx.textAlign = 'right';
  ctx.fillStyle = '#e07b00';
  ctx.fillText('— test loss', W - padR - 8, padT + 14);
  ctx.fillStyle = '#333';
  ctx.fillText('— train loss', W - padR - 80, padT + 14);
  if (lrMax > 0) {
    ctx.fillStyle = '#5a9a5a';
    ctx.fillText(`- - learning rate (max ${lrMax.toPrecision(2)})`, W - padR - 8, padT + 28);
  }
}

// ------------------------------------------------------------------ the neuron diagram
const PAD = { left: 46, right: 6, top: 6, bottom: 6 };
const MAX_UNIT = 30;

/**
 * Where the neuron diagram puts things on a W×H canvas for these hidden widths: one column per layer (all
 * FEATURES, each hidden layer, the output), each unit a square box { x, y, size }. main.js uses it too, to put
 * each layer's +/- buttons over its column and to find the feature a click lands on.
 * @param {number} W @param {number} H @param {readonly number[]} hidden
 */
export function networkLayout(W, H, hidden) {
  const cols = 2 + hidden.length;
  const colW = (W - PAD.left - PAD.right) / cols;
  const centres = Array.from({ length: cols }, (_, c) => PAD.left + colW * (c + 0.5));
  const avail = H - PAD.top - PAD.bottom;
  const column = (c, n, maxSize) => {
    const pitch = Math.min(maxSize * 1.25, avail / n);
    const size = Math.max(3, Math.floor(pitch * 0.8));
    const y0 = PAD.top + (avail - pitch * n) / 2 + (pitch - size) / 2;
    return Array.from({ length: n }, (_, i) => ({
      x: Math.round(centres[c] - size / 2),
      y: Math.round(y0 + i * pitch),
      size,
    }));
  };
  const maxUnit = Math.min(MAX_UNIT, Math.floor(colW * 0.6));
  return {
    centres,
    features: column(0, FEATURES.length, maxUnit),
    hidden: hidden.map((n, k) => column(k + 1, n, maxUnit)),
    output: column(cols - 1, 1, Math.min(2 * MAX_UNIT, Math.floor(colW * 0.8)))[0],
  };
}

/** A symmetric colour scale for one map: value / max|value| from -1 (orange) to 1 (blue). */
function symmetric(values, offset, stride, count) {
  let m = 0;
  for (let i = 0; i < count; i++) m = Math.max(m, Math.abs(values[i * stride + offset]));
  const s = m > 0 ? 1 / m : 0;
  return (v) => (v * s + 1) / 2;
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ hidden: number[], active: string[], featureMaps: Float64Array[], unitGrid: number,
 *   units: Float64Array[] | null, weights: Float64Array[] | null, grid: Float64Array | null, regression: boolean }} m
 *   featureMaps[f]: FEATURES[f] on the unitGrid² lattice; units[k]: hidden layer k's outputs (lattice rows × units);
 *   weights[l]: layer l's weights (out × in, the inputs being the active features for l = 0); grid: the output map
 */
export function drawNetwork(ctx, m) {
  const { width: W, height: H } = ctx.canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const L = networkLayout(W, H, m.hidden);
  const n2 = m.unitGrid * m.unitGrid;
  const inputs = FEATURES.map((f, i) => ({ box: L.features[i], on: m.active.includes(f.key) }))
    .filter((f) => f.on)
    .map((f) => f.box);
  const columns = [inputs, ...L.hidden, [L.output]];
  // links first, under the maps: blue for positive weights, orange for negative, stronger for larger |w|
  if (m.weights) {
    for (let l = 0; l < columns.length - 1; l++) {
      const w = m.weights[l],
        src = columns[l],
        dst = columns[l + 1];
      if (!w || w.length !== src.length * dst.length) continue;
      let max = 0;
      for (const v of w) max = Math.max(max, Math.abs(v));
      for (let j = 0; j < dst.length; j++) {
        for (let k = 0; k < src.length; k++) {
          const v = w[j * src.length + k],
            a = max > 0 ? Math.abs(v) / max : 0;
          ctx.strokeStyle = `rgba(${(v >= 0 ? C1 : C0).join(',')},${(0.1 + 0.8 * a).toFixed(3)})`;
          ctx.lineWidth = 0.4 + 2.6 * a;
          ctx.beginPath();
          ctx.moveTo(src[k].x + src[k].size, src[k].y + src[k].size / 2);
          ctx.lineTo(dst[j].x, dst[j].y + dst[j].size / 2);
          ctx.stroke();
        }
      }
    }
  }
  const frame = (b) => {
    ctx.strokeStyle = '#9aa';
    ctx.lineWidth = 1;
    ctx.strokeRect(b.x - 0.5, b.y - 0.5, b.size + 1, b.size + 1);
  };
  const empty = (b) => {
    ctx.fillStyle = `rgb(${WHITE.join(',')})`;
    ctx.fillRect(b.x, b.y, b.size, b.size);
  };
  // the features: every one, the unused ones faded
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  FEATURES.forEach((f, i) => {
    const b = L.features[i],
      on = m.active.includes(f.key),
      map = m.featureMaps[i];
    ctx.globalAlpha = on ? 1 : 0.3;
    drawMap(ctx, map, 0, 1, m.unitGrid, symmetric(map, 0, 1, n2), b.x, b.y, b.size, b.size);
    frame(b);
    ctx.fillStyle = '#333';
    ctx.fillText(f.label, b.x - 4, b.y + b.size / 2);
    ctx.globalAlpha = 1;
  });
  // hidden units: each one's output over the square (its own scale)
  L.hidden.forEach((boxes, k) => {
    const u = m.units?.[k],
      width = boxes.length;
    boxes.forEach((b, j) => {
      if (u && u.length === n2 * width)
        drawMap(ctx, u, j, width, m.unitGrid, symmetric(u, j, width, n2), b.x, b.y, b.size, b.size);
      else empty(b);
      frame(b);
    });
  });
  // the output: the big map's values
  const o = L.output;
  if (m.grid) {
    const n = Math.round(Math.sqrt(m.grid.length));
    drawMap(ctx, m.grid, 0, 1, n, m.regression ? (v) => (v + 1) / 2 : (p) => p, o.x, o.y, o.size, o.size);
  } else empty(o);
  frame(o);
}
