// Node side of bench:browser: the same measurement on the package's dist/ (prints JSON).
import * as fastnn from '../../dist/index.js';
import { CASES, measure } from './epoch.js';

const out = [];
for (const c of CASES) out.push({ ...c, ...(await measure(fastnn, c)) });
console.log(JSON.stringify(out));
