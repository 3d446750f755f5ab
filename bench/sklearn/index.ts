/**
 * `npm run bench:sklearn`: fastnn's Classifier / Regressor against scikit-learn's MLPClassifier / MLPRegressor on
 * the data sets scikit-learn ships (iris, wine, breast cancer, digits; diabetes for regression), on the same 5 seeded
 * 75/25 splits, each library with its defaults and a standard scaler, both on one thread. fit_sklearn.py exports the
 * data and splits and times scikit-learn; this script times fastnn on them and prints the table (mean test accuracy
 * or R², median fit time as process CPU time, which a loaded machine disturbs far less than wall time; the
 * wall-clock ratio is printed too). fastnn's CPU time includes V8's own threads (GC, compiler), to its disadvantage. Without python3 + scikit-learn it says so in one line and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Classifier, Regressor } from '../../src/index.js';
import { median } from '../stats.js';

interface Exported {
  versions: Record<string, string>;
  datasets: {
    name: string;
    task: 'classification' | 'regression';
    x: number[][];
    y: number[];
    splits: { train: number[]; test: number[] }[];
    sklearn: { score: number; fitSeconds: number; cpuSeconds: number; iterations: number }[];
  }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const python = ['/usr/bin/python3', 'python3'].find((p) => {
  try {
    execFileSync(p, ['-c', 'import sklearn, threadpoolctl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!python) {
  console.log(
    'bench:sklearn: skipped, python3 with scikit-learn and threadpoolctl was not found (apt-get install python3-sklearn, or pip install scikit-learn)',
  );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'fastnn-sklearn-'));
let data: Exported;
try {
  console.log(`scikit-learn (${python}): exporting the data sets and fitting MLP on one thread ...`);
  execFileSync(python, [join(here, 'fit_sklearn.py'), join(dir, 'out.json')], { stdio: 'inherit' });
  data = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Exported;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const backend = (process.env.FASTNN_BACKEND ?? 'auto') as 'auto' | 'js' | 'assemblyscript' | 'rust';
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

const rows: string[][] = [];
let backendName = '';
for (const d of data.datasets) {
  const scores: number[] = [],
    secs: number[] = [],
    cpu: number[] = [],
    epochs: number[] = [];
  for (let i = 0; i < d.splits.length; i++) {
    const { train, test } = d.splits[i]!;
    const pick = <T>(a: T[], idx: number[]): T[] => idx.map((r) => a[r]!);
    const est =
      d.task === 'classification'
        ? await Classifier.create({ seed: i, backend, threads: 1 })
        : await Regressor.create({ seed: i, backend, threads: 1 });
    backendName = est.backend.name;
    const xs = pick(d.x, train),
      ys = pick(d.y, train);
    const t0 = performance.now(),
      c0 = process.cpuUsage();
    epochs.push(est.fit(xs, ys).epochs);
    secs.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    scores.push(est.score(pick(d.x, test), pick(d.y, test)));
    est.dispose();
  }
  const sk = d.sklearn;
  const metric = d.task === 'classification' ? 'accuracy' : 'R²';
  const fmt = (v: number): string => (d.task === 'classification' ? `${(100 * v).toFixed(1)}%` : v.toFixed(3));
  const diff = mean(scores) - mean(sk.map((s) => s.score));
  rows.push([
    d.name,
    `${d.x.length}×${d.x[0]!.length}`,
    metric,
    fmt(mean(sk.map((s) => s.score))),
    fmt(mean(scores)),
    d.task === 'classification' ? `${(100 * diff).toFixed(1)} pt` : diff.toFixed(3),
    `${median(sk.map((s) => s.cpuSeconds)).toFixed(3)} s`,
    `${median(cpu).toFixed(3)} s`,
    `${(median(sk.map((s) => s.cpuSeconds)) / median(cpu)).toFixed(1)}×`,
    `${(median(sk.map((s) => s.fitSeconds)) / median(secs)).toFixed(1)}×`,
    `${median(sk.map((s) => s.iterations))} / ${median(epochs)}`,
  ]);
}

const head = [
  'data set',
  'rows×features',
  'metric',
  'scikit-learn',
  `fastnn (${backendName})`,
  'difference',
  'sklearn fit (CPU)',
  'fastnn fit (CPU)',
  'speed-up (CPU)',
  'speed-up (wall)',
  'epochs (sklearn / fastnn)',
];
console.log(
  `\nscikit-learn ${data.versions.sklearn} (numpy ${data.versions.numpy}, Python ${data.versions.python}) vs fastnn, Node ${process.versions.node}; mean test score over 5 seeded 75/25 splits; median fit time (process CPU time; wall-clock ratio next), one thread each; median epochs trained (scikit-learn stops when its training loss has not improved by tol 1e-4 for 10 epochs; fastnn's default has no such stop)`,
);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
