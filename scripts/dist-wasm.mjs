// Part of `npm run build` (after tsc): makes dist/ self-contained for bundlers and direct imports.
// Copies the WebAssembly modules (build/as-*.wasm, rust/fastnn-*.wasm) to dist/wasm/ and rewrites the literal
// `new URL('../../build/…' | '../../rust/…', import.meta.url)` of dist/backends/{assemblyscript,rust}.js to
// `new URL('../wasm/…', import.meta.url)`, so every URL stays a literal relative to the emitted file (what Vite
// and webpack follow). Fails if a module is missing, a literal was not found, or any dist file still points
// outside dist/. Idempotent (a second run finds the rewritten literals and copies the modules again).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const loaders = { 'backends/assemblyscript.js': 'build', 'backends/rust.js': 'rust' };
mkdirSync(join(dist, 'wasm'), { recursive: true });

let copied = 0;
for (const [file, dir] of Object.entries(loaders)) {
  const path = join(dist, file);
  let js = readFileSync(path, 'utf8');
  const re = new RegExp(
    String.raw`new URL\('(?:\.\./\.\./${dir}|\.\./wasm)/([\w.-]+\.wasm)', import\.meta\.url\)`,
    'g',
  );
  const names = [...js.matchAll(re)].map((m) => m[1]);
  if (names.length === 0)
    throw new Error(`dist-wasm: no new URL('../../${dir}/*.wasm', import.meta.url) in dist/${file}`);
  for (const name of names) {
    const src = join(root, dir, name);
    if (!existsSync(src))
      throw new Error(`dist-wasm: ${dir}/${name} is missing (npm run asbuild builds build/; rust/ is committed)`);
    copyFileSync(src, join(dist, 'wasm', name));
    copied++;
  }
  js = js.replace(re, (_, name) => `new URL('../wasm/${name}', import.meta.url)`);
  writeFileSync(path, js);
}

// nothing in dist/ may still reach outside it
const walk = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
for (const f of walk(dist).filter((f) => f.endsWith('.js'))) {
  const js = readFileSync(f, 'utf8');
  for (const m of js.matchAll(/new URL\('(\.\.?\/[\w./-]+)', import\.meta\.url\)/g)) {
    const target = resolve(dirname(f), m[1]);
    if (!target.startsWith(dist + '/') || !existsSync(target.replace(/\.ts$/, '.js'))) {
      throw new Error(`dist-wasm: ${f.slice(root.length + 1)} references ${m[1]}, which is not a file in dist/`);
    }
  }
}
console.log(`dist-wasm: ${copied} modules in dist/wasm/, loader URLs rewritten`);
