#!/usr/bin/env node
/**
 * Fails when modules import each other in a circle: every relative import counts, type-only ones included (a type
 * circle still means two files each need the other to be read, and it turns into a load-order circle as soon as a
 * value crosses it). Usage: node scripts/check-cycles.mjs [dir ...] (default: src assembly).
 * TypeScript's own pre-parser lists the imports, so this needs no dependency beyond the compiler.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'assembly'];
const SOURCE = /\.(ts|mts|js|mjs)$/;

const files = [];
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(p);
    } else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
  }
}
for (const r of roots) walk(r);

/** The file a relative specifier names: NodeNext writes './x.js' for x.ts; a directory means its index. */
function resolve(from, spec) {
  const base = path.join(path.dirname(from), spec);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

const graph = new Map();
for (const f of files) {
  const info = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
  const deps = new Set();
  for (const r of info.importedFiles) {
    if (!r.fileName.startsWith('.')) continue;
    const t = resolve(f, r.fileName);
    if (t !== null) deps.add(t);
  }
  graph.set(f, [...deps]);
}

// Tarjan's strongly connected components: every group of two or more files (or a file importing itself) is a circle.
let next = 0;
const index = new Map(),
  low = new Map(),
  stack = [],
  onStack = new Set(),
  circles = [];
function visit(v) {
  index.set(v, next);
  low.set(v, next);
  next++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(group.sort());
  }
}
for (const v of graph.keys()) if (!index.has(v)) visit(v);

if (circles.length > 0) {
  for (const c of circles) {
    console.error(`import circle: ${c.join(' <-> ')}`);
    for (const f of c)
      console.error(
        `  ${f} imports ${graph
          .get(f)
          .filter((d) => c.includes(d))
          .join(', ')}`,
      );
  }
  console.error(
    `${circles.length} import circle(s) in ${roots.join(', ')}: move what both sides need into a module of its own`,
  );
  process.exit(1);
}
console.log(`no import circles among ${files.length} files in ${roots.join(', ')}`);
