/**
 * Tabular classification from a CSV file (npm run example:tabular): read examples/data/iris.csv with csv-parse,
 * fit a Classifier with a validation split and early stopping, print a confusion matrix and per-class F1 on held-out
 * rows, save the model, and predict with it in a second process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Classifier, metrics } from '../src/index.js';

if (process.argv[2] === 'predict') {
  // the second process: load the saved model and label the rows it is given on stdin
  const model = await Classifier.fromJSON(readFileSync(process.argv[3]!, 'utf8'));
  console.log(JSON.stringify(model.predict(JSON.parse(readFileSync(0, 'utf8')) as number[][])));
  process.exit(0);
}

const records: string[][] = parse(readFileSync(new URL('./data/iris.csv', import.meta.url)), { from_line: 2 });
const x = records.map((r) => r.slice(0, 4).map(Number));
const labels = records.map((r) => r[4]!);
const test = x.map((_, i) => i % 5 === 0); // every fifth row is held out for testing

const model = await Classifier.create({ seed: 42 });
const fit = model.fit(
  x.filter((_, i) => !test[i]),
  labels.filter((_, i) => !test[i]),
  {
    validationSplit: 0.2,
    earlyStopping: true,
    epochs: 2000,
    learningRate: 0.01,
  },
);
console.log(
  `trained ${fit.epochs} epochs (best: ${fit.bestEpoch}, validation loss ${fit.validationLosses![fit.bestEpoch!]!.toFixed(4)})`,
);

const testX = x.filter((_, i) => test[i]),
  testLabels = labels.filter((_, i) => test[i]);
const predicted = model.predict(testX);
const { labels: names, matrix } = metrics.confusionMatrix(testLabels, predicted);
console.log(
  `test accuracy ${metrics.accuracy(testLabels, predicted).toFixed(3)}; confusion matrix (rows: actual, columns: predicted)`,
);
console.table(
  Object.fromEntries(names.map((n, i) => [n, Object.fromEntries(names.map((m, j) => [m, matrix[i]![j]]))])),
);
for (const c of metrics.precisionRecallF1(testLabels, predicted))
  console.log(`${String(c.label).padEnd(12)} F1 ${c.f1.toFixed(3)} (support ${c.support})`);

const file = join(tmpdir(), 'fastnn-iris-model.json');
writeFileSync(file, JSON.stringify(model));
const script = fileURLToPath(import.meta.url);
const out = execFileSync(process.execPath, [...process.execArgv, script, 'predict', file], {
  input: JSON.stringify(testX),
});
const again = JSON.parse(out.toString()) as string[];
if (again.join() !== predicted.join()) throw new Error('the model loaded in the second process predicts differently');
console.log(
  `a second process loaded ${file} and predicted the same ${again.length} labels: ${again.slice(0, 3).join(', ')}, ...`,
);
