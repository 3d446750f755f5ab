// Page entry for the esbuild recipe: esbuild does not follow new URL(..., import.meta.url), so the page imports the
// modules it wants through the file loader (--loader:.wasm=file) and hands them to loadBackend's `wasm` option.
import asWasm from 'fastnn/wasm/as-relaxed.wasm';
import rustWasm from 'fastnn/wasm/fastnn-simd.wasm';
import { runSuite } from './suite.js';

// the file loader gives a path relative to the bundle; resolve it against the bundle's URL
const wasm = { assemblyscript: new URL(asWasm, import.meta.url).href, rust: new URL(rustWasm, import.meta.url).href };
window.__fastnnResults = runSuite({ wasm }).catch((e) => ({
  checks: [{ name: 'suite', ok: false, detail: `${e.name}: ${e.message}` }],
  warnings: [],
}));
