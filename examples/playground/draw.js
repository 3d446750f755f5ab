/** Canvas drawing for the playground: the decision-boundary heatmap with the points, and the loss curves. */
import { DOMAIN } from './data.js';

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

let gridCanvas = null;

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {Float64Array | null} grid P(label 1) on a GRID×GRID lattice, rows from the top
 * @param {{ train: { x: Float64Array, labels: Uint8Array }, test: { x: Float64Array, labels: Uint8Array } }} data
 * @param {{ showTest: boolean }} opts
 */
export function drawHeatmap(ctx, grid, data, opts) {
  const { width: W, height: H } = ctx.canvas;
  ctx.clearRect(0, 0, W, H);
  if (grid) {
    const n = Math.round(Math.sqrt(grid.length));
    if (!gridCanvas || gridCanvas.width !== n) {
      gridCanvas = document.createElement('canvas');
      gridCanvas.width = n;
      gridCanvas.height = n;
    }
    const g = gridCanvas.getContext('2d');
    const img = g.createImageData(n, n);
    for (let i = 0; i < grid.length; i++) colourFor(grid[i], img.data, i * 4);
    g.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false; // crisp cells: the banded map reads better than a blur
    ctx.drawImage(gridCanvas, 0, 0, W, H);
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
      ctx.fillStyle = `rgb(${(set.labels[r] ? C1 : C0).join(',')})`;
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
 * Train and test loss per epoch (linear axes; y from 0 to the largest loss shown).
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ n: number, epochs: Float64Array, trainLoss: Float64Array, testLoss: Float64Array }} h
 */
export function drawLossChart(ctx, h) {
  const { width: W, height: H } = ctx.canvas;
  const padL = 44, padR = 10, padT = 10, padB = 22;
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
  const line = (ys, colour) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < h.n; i += step) {
      const x = px(h.epochs[i]), y = py(ys[i]);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.lineTo(px(h.epochs[h.n - 1]), py(ys[h.n - 1]));
    ctx.stroke();
  };
  line(h.testLoss, '#e07b00');
  line(h.trainLoss, '#333');
  ctx.textAlign = 'right';
  ctx.fillStyle = '#e07b00';
  ctx.fillText('— test loss', W - padR - 8, padT + 14);
  ctx.fillStyle = '#333';
  ctx.fillText('— train loss', W - padR - 80, padT + 14);
}
