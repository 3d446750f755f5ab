// Page entry (direct import, Vite, webpack): run the suite and publish the results for the test driver.
import { runSuite } from './suite.js';

window.__fastnnResults = runSuite().catch((e) => ({
  checks: [{ name: 'suite', ok: false, detail: `${e.name}: ${e.message}` }],
  warnings: [],
}));
