// Chromium side of bench:browser: a dedicated Worker (sync train() may use threads there) on a cross-origin
// isolated page, importing the package's dist/ directly.
import * as fastnn from '../../dist/index.js';
import { measureAll } from './epoch.js';

self.onmessage = async () => {
  try {
    self.postMessage({ results: await measureAll(fastnn) });
  } catch (e) {
    self.postMessage({ error: `${e.name}: ${e.message}` });
  }
};
