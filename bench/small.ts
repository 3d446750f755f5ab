/**
 * `npx tsx bench/small.ts`: only the small-network rows of the bench (the tutorial 2-2-1 group and the "small net,
 * batch 1" groups) and their target ratios (smallNetTargets), for measuring those without the full ~5-minute run.
 * The same rows and targets are part of `npm run bench` (bench/index.ts).
 */
import { loadRows } from './backends.js';
import { probeWasmFeatures } from './env.js';
import { ms, num, ratio, table, type Row } from './report.js';
import { GENERAL, SMALL_NETS, benchSmallNets, smallGroup, smallNetTargets, sink as smallSink } from './small.bench.js';
import { benchTutorial, sink as trainSink } from './train.bench.js';

probeWasmFeatures(); // first: may enable the relaxed-SIMD flag before any module compiles
const log = (s: string): void => console.log(s);
const backends = await loadRows();
const rows: Row[] = [...(await benchTutorial(backends, log)), ...(await benchSmallNets(backends, log))];
for (const g of ['tutorial 2-2-1, 1000 epochs', ...SMALL_NETS.map((s) => smallGroup(s.layers))]) {
  log(`\n${g}`);
  const sc = rows.find((r) => r.group === g && r.backend === 'hand-written scalar js' && r.status === 'ok');
  const gen = (r: Row): Row | undefined =>
    rows.find((x) => x.group === g && x.backend === `${r.backend}${GENERAL}` && x.status === 'ok');
  log(
    table(
      ['implementation', 'build', 'median', 'rme', 'speed vs scalar js', 'speed vs general path'],
      rows
        .filter((r) => r.group === g)
        .map((r) =>
          r.status !== 'ok'
            ? [r.backend, r.variant ?? '', `${r.status}: ${r.error ?? ''}`, '', '', '']
            : [
                r.backend,
                r.variant ?? '',
                ms(r.medianMs),
                `±${num(r.rme, 2)}%`,
                sc?.medianMs && r.medianMs ? ratio(sc.medianMs / r.medianMs) : '',
                gen(r)?.medianMs && r.medianMs ? ratio(gen(r)!.medianMs! / r.medianMs) : '',
              ],
        ),
      2,
    ),
  );
}
log('\nTargets (ratios of medians in this run; ≥ need → PASS)');
log(
  table(
    ['target', 'ratio', 'need', 'verdict', 'detail'],
    smallNetTargets(rows, backends).map((t) => [
      t.target,
      t.ratio === null ? '—' : ratio(t.ratio),
      `${num(t.need, 3)}x`,
      t.ratio === null ? 'n/a' : t.ratio >= t.need ? 'PASS' : 'MISS',
      t.detail,
    ]),
    1,
  ),
);
for (const b of backends) b.backend?.dispose();
if (Number.isNaN(smallSink + trainSink)) log('(sink)');
