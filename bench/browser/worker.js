// Chromium side of bench:browser: a dedicated Worker (sync train() may use threads there) on a cross-origin
// isolated page, importing the package's dist/ directly.
import * as fastnn from '../../dist/index.js';
import { CASES, measure } from './epoch.js';

self.onmessage = async () => {
  const out = [];
  try {
    for (const c of CASES) out.push({ ...c, ...(await measure(fastnn, c)) });
    self.postMessage({ results: out });
  } catch (e) {
    self.postMessage({ error: `${e.name}: ${e.message}` });
  }
};
