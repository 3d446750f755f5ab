/**
 * `fastnn/progress`: a progress line for long training runs in a terminal (a separate entry, not part of the core).
 *
 * ```ts
 * import { progress } from 'fastnn/progress';
 * const p = progress({ epochs: 20, samplesPerEpoch: x.rows });
 * net.train(x, y, { epochs: 20, learningRate: 0.01, onEpoch: p.onEpoch });
 * p.done();
 * ```
 *
 * On a TTY it keeps ONE line up to date (carriage return, at most every `ttyIntervalMs`): epoch, a bar, loss,
 * validation numbers, samples/s, elapsed time and ETA. Elsewhere (CI logs, pipes, files) it prints plain lines,
 * at most one every `plainIntervalMs` plus the last epoch's. Nothing here touches the network: it only formats what
 * onEpoch (or `update`) reports.
 *
 * @module fastnn/progress
 */
import type { EpochInfo } from './network.js';

/** Where the line goes: process.stdout by default; anything with write() (and isTTY / columns when it is a terminal). */
export interface ProgressStream {
  /** Writes `text` as it is (the TTY line starts with a carriage return; plain lines end with a newline). */
  write(text: string): unknown;
  /** True for a terminal: the default of {@link ProgressOptions.tty}. */
  isTTY?: boolean | undefined;
  /** The terminal's width in characters; a longer TTY line is cut to fit (ignored when 20 or less). */
  columns?: number | undefined;
}

/** The options of {@link progress}; all are optional. */
export interface ProgressOptions {
  /** total epochs, for the bar and the ETA */
  epochs?: number;
  /** samples per epoch, for samples/s */
  samplesPerEpoch?: number;
  /** printed first, e.g. the configuration's name */
  label?: string;
  /** default: process.stdout */
  stream?: ProgressStream;
  /** default: stream.isTTY */
  tty?: boolean;
  /** least time between two redraws of the TTY line; default 100 ms (the last epoch is always drawn) */
  ttyIntervalMs?: number;
  /** least time between two plain lines; default 0 = one line per epoch (the last epoch is always printed) */
  plainIntervalMs?: number;
  /** clock in ms; default performance.now */
  now?: () => number;
}

/** What {@link Progress.update} takes: an epoch's {@link EpochInfo}, optionally with the samples it trained. */
export interface ProgressInfo extends EpochInfo {
  /** samples trained since the previous update (default: samplesPerEpoch × epochs since the previous update) */
  samples?: number;
}

/** The progress line returned by {@link progress}. */
export interface Progress {
  /** Pass as TrainOptions.onEpoch (it never stops training). */
  readonly onEpoch: (info: EpochInfo) => void;
  /** Reports an epoch by hand (e.g. when training one epoch per train() call); `extra` is appended to the line. */
  update(info: ProgressInfo, extra?: string): void;
  /** Draws the last state if it was not drawn yet and ends the TTY line; `extra` is printed on a line of its own. */
  done(extra?: string): void;
}

/** A duration in ms as the progress line writes it: "12.3 s", "4 min 05 s", "1 h 02 min" ("?" when not finite or negative). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s - m * 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}

/** A rate per second as the progress line writes it: "950", "12.3k", "1.25M" ("?" when not finite). */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return '?';
  if (perSec >= 1e6) return `${(perSec / 1e6).toPrecision(3)}M`;
  if (perSec >= 1e4) return `${(perSec / 1e3).toPrecision(3)}k`;
  return String(Math.round(perSec));
}

/**
 * Starts a progress line. Pass its `onEpoch` to training (or call `update` by hand) and call `done()` at the end.
 * @param options - where to print, the totals for the bar, ETA and samples/s, and how often to redraw.
 * @returns the progress line; `update` after `done` throws an Error.
 * @throws TypeError when no `stream` is given and there is no `process.stdout` (e.g. in a browser).
 */
export function progress(options: ProgressOptions = {}): Progress {
  const proc = (globalThis as { process?: { stdout?: ProgressStream } }).process;
  const stream = options.stream ?? proc?.stdout;
  if (!stream) throw new TypeError('progress: no stream given and no process.stdout here; pass options.stream');
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const total = options.epochs;
  const ttyInterval = options.ttyIntervalMs ?? 100;
  const plainInterval = options.plainIntervalMs ?? 0;
  const start = now();
  let lastEpochAt = start;
  let lastEpoch = -1;
  let rate = NaN; // samples/s, smoothed
  let lastDraw = -Infinity;
  let pending: string | null = null; // a line not drawn yet
  let open = false; // a TTY line is on screen without its newline
  let ended = false;

  const draw = (line: string): void => {
    if (tty) {
      const width = stream.columns && stream.columns > 20 ? stream.columns - 1 : Infinity;
      stream.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
      open = true;
    } else stream.write(`${line}\n`);
    pending = null;
  };

  const render = (info: ProgressInfo, extra: string | undefined, t: number): string => {
    const done = info.epoch + 1;
    const parts: string[] = [];
    if (options.label) parts.push(options.label);
    if (total !== undefined) {
      const w = String(total).length;
      parts.push(`epoch ${String(done).padStart(w)}/${total}`);
      if (tty) {
        const cells = 20,
          full = Math.max(0, Math.min(cells, Math.round((done / total) * cells)));
        parts.push(`[${'#'.repeat(full)}${'-'.repeat(cells - full)}]`);
      }
    } else parts.push(`epoch ${done}`);
    parts.push(`loss ${info.loss.toPrecision(6)}`);
    if (info.validationLoss !== undefined) parts.push(`val loss ${info.validationLoss.toPrecision(6)}`);
    if (info.validationAccuracy !== undefined) parts.push(`val acc ${(info.validationAccuracy * 100).toFixed(2)}%`);
    if (Number.isFinite(rate)) parts.push(`${formatRate(rate)} samples/s`);
    const elapsed = t - start;
    parts.push(`elapsed ${formatDuration(elapsed)}`);
    if (total !== undefined && done < total && done > 0)
      parts.push(`ETA ${formatDuration((elapsed / done) * (total - done))}`);
    if (extra) parts.push(extra);
    return parts.join('  ');
  };

  const update = (info: ProgressInfo, extra?: string): void => {
    if (ended) throw new Error('progress: update() after done()');
    const t = now();
    const epochs = Math.max(1, info.epoch - lastEpoch);
    const samples = info.samples ?? (options.samplesPerEpoch !== undefined ? options.samplesPerEpoch * epochs : NaN);
    const dt = (t - lastEpochAt) / 1000;
    if (Number.isFinite(samples) && dt > 0) {
      const r = samples / dt;
      rate = Number.isFinite(rate) ? 0.7 * rate + 0.3 * r : r;
    }
    lastEpochAt = t;
    lastEpoch = info.epoch;
    const line = render(info, extra, t);
    const last = total !== undefined && info.epoch + 1 >= total;
    if (last || t - lastDraw >= (tty ? ttyInterval : plainInterval)) {
      draw(line);
      lastDraw = t;
    } else pending = line;
  };

  return {
    onEpoch: (info) => update(info),
    update,
    done(extra?: string): void {
      if (ended) return;
      ended = true;
      if (pending !== null) draw(pending);
      if (tty && open) stream.write('\n');
      if (extra) stream.write(`${extra}\n`);
    },
  };
}
