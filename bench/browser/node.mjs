// Node side of bench:browser: the same measurement on the package's dist/ (prints JSON).
import * as fastnn from '../../dist/index.js';
import { measureAll } from './epoch.js';

console.log(JSON.stringify(await measureAll(fastnn)));
