// The fenced code blocks of a Markdown file, and which of them the documentation runner runs
// (scripts/run-doc-blocks.mjs): every ```ts/```js block (and their long names) that imports 'fastnn' or a
// 'fastnn/...' entry, unless its info string says `no-run` (```ts no-run <why>), which the runner counts and prints.
import { builtinModules } from 'node:module';

/** Info-string languages the runner knows, and the kind of file each block becomes. */
const LANGUAGES = { ts: 'ts', typescript: 'ts', mts: 'ts', js: 'js', javascript: 'js', mjs: 'js' };

/** The opt-out word in a fence's info string: ```ts no-run <reason>. */
export const NO_RUN = 'no-run';

/**
 * Every fenced block (``` or ~~~, CommonMark rules for the closing fence) of `text`.
 * `line` is the 1-based line of the opening fence; `code` has the opening fence's indentation removed.
 * @returns {{ line: number, info: string, lang: string, code: string }[]}
 */
export function fencedBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j]);
    }
    const strip = (l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    blocks.push({
      line: i + 1,
      info: info.trim(),
      lang: info.trim().split(/\s+/)[0].toLowerCase(),
      code: body.map(strip).join('\n') + '\n',
    });
    i = j;
  }
  return blocks;
}

/** The module specifiers a block imports or requires (static, dynamic, `export ... from`, `require`). */
export function importedSpecifiers(code) {
  const found = new Set();
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const uncommented = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const pattern of patterns) for (const m of uncommented.matchAll(pattern)) found.add(m[1]);
  return [...found];
}

/** The npm package a bare specifier names ('@a/b/c' -> '@a/b', 'x/y' -> 'x'), or null for node:, relative and builtins. */
export function packageOf(specifier) {
  if (/^(node:|\.|\/|[a-z]+:)/.test(specifier)) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/**
 * Sorts a file's ts/js blocks: `run` (imports fastnn), `optedOut` (imports fastnn, fence says no-run; `reason` is the
 * rest of the info string) and `noImport` (does not import fastnn: not run). Blocks in other languages are left out.
 * A js block that uses require() and no import statement is CommonJS (`ext` 'cjs'; others 'ts' or 'js').
 */
export function classifyBlocks(file, text) {
  const run = [],
    optedOut = [],
    noImport = [];
  for (const block of fencedBlocks(text)) {
    const kind = LANGUAGES[block.lang];
    if (!kind) continue;
    const words = block.info.split(/\s+/).slice(1);
    const specifiers = importedSpecifiers(block.code);
    const commonjs = kind === 'js' && /\brequire\s*\(/.test(block.code) && !/^\s*(import|export)\s/m.test(block.code);
    const entry = {
      file,
      line: block.line,
      lang: block.lang,
      kind,
      code: block.code,
      info: block.info,
      // plain .ts/.js in a "type": "module" project, as the README tells a user to set up; CommonJS as .cjs
      ext: kind === 'ts' ? 'ts' : commonjs ? 'cjs' : 'js',
      packages: [...new Set(specifiers.map(packageOf).filter((p) => p !== null && p !== 'fastnn'))],
    };
    if (!specifiers.some((s) => s === 'fastnn' || s.startsWith('fastnn/'))) noImport.push(entry);
    else if (words.includes(NO_RUN))
      optedOut.push({ ...entry, reason: words.slice(words.indexOf(NO_RUN) + 1).join(' ') });
    else run.push(entry);
  }
  return { run, optedOut, noImport };
}
