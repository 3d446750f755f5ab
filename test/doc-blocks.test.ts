/** scripts/doc-blocks.mjs: which of the documentation's code blocks the runner (npm run test:docs) runs. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
interface Block {
  line: number;
  info: string;
  lang: string;
  code: string;
}
interface Entry extends Block {
  file: string;
  kind: 'ts' | 'js';
  ext: 'ts' | 'js' | 'cjs';
  packages: string[];
  reason?: string;
}
// the module's exports are plain functions (no `this`), hence function-typed properties rather than methods
interface DocBlocks {
  fencedBlocks: (text: string) => Block[];
  importedSpecifiers: (code: string) => string[];
  packageOf: (specifier: string) => string | null;
  classifyBlocks: (file: string, text: string) => { run: Entry[]; optedOut: Entry[]; noImport: Entry[] };
}
// a plain .mjs script (run by node directly); loaded through a computed specifier, typed here
const docBlocksModule = path.join(ROOT, 'scripts', 'doc-blocks.mjs');
const { fencedBlocks, importedSpecifiers, packageOf, classifyBlocks } = (await import(docBlocksModule)) as DocBlocks;

const md = (...lines: string[]): string => lines.join('\n');

describe('fencedBlocks', () => {
  it('finds each fence with its line, info string and code; a longer fence holds a shorter one', () => {
    const text = md(
      '# t',
      '',
      '```ts',
      'const a = 1;',
      '```',
      'text',
      '````md',
      '```js',
      'x',
      '```',
      '````',
      '~~~sh',
      'ls',
      '~~~',
    );
    expect(fencedBlocks(text)).toEqual([
      { line: 3, info: 'ts', lang: 'ts', code: 'const a = 1;\n' },
      { line: 7, info: 'md', lang: 'md', code: '```js\nx\n```\n' },
      { line: 12, info: 'sh', lang: 'sh', code: 'ls\n' },
    ]);
  });

  it("removes the opening fence's indentation (blocks inside list items) and keeps the rest", () => {
    const text = md('- item:', '  ```js no-run needs esbuild', '  if (a) {', '    b();', '  }', '  ```');
    expect(fencedBlocks(text)).toEqual([
      { line: 2, info: 'js no-run needs esbuild', lang: 'js', code: 'if (a) {\n  b();\n}\n' },
    ]);
  });

  it('takes an unclosed fence to the end of the file, as CommonMark does', () => {
    expect(fencedBlocks(md('```ts', 'a', 'b'))).toEqual([{ line: 1, info: 'ts', lang: 'ts', code: 'a\nb\n' }]);
  });
});

describe('importedSpecifiers and packageOf', () => {
  it('finds static, side-effect, dynamic, re-export and require specifiers, not commented-out ones', () => {
    const code = md(
      "import { Network } from 'fastnn';",
      'import {',
      '  progress,',
      '} from "fastnn/progress";',
      "import 'side-effect';",
      "const m = await import('onnxruntime-node');",
      "export * from './local.js';",
      "const { parse } = require('csv-parse/sync');",
      "// import { x } from 'commented-line';",
      "/* import { y } from 'commented-block'; */",
      "const url = 'https://example.com/a'; // import { z } from 'after-code'",
    );
    expect(importedSpecifiers(code).sort()).toEqual([
      './local.js',
      'csv-parse/sync',
      'fastnn',
      'fastnn/progress',
      'onnxruntime-node',
      'side-effect',
    ]);
  });

  it('names the npm package of a bare specifier, and none for node:, builtins and relative paths', () => {
    expect(
      [
        'fastnn/progress',
        '@types/node',
        '@scope/pkg/sub',
        'csv-parse/sync',
        'node:fs',
        'fs',
        'fs/promises',
        './a.js',
        '/abs.js',
      ].map(packageOf),
    ).toEqual(['fastnn', '@types/node', '@scope/pkg', 'csv-parse', null, null, null, null, null]);
  });
});

describe('classifyBlocks', () => {
  const text = md(
    '```ts',
    "import { Network } from 'fastnn';",
    '```', // 1: run
    '```typescript',
    "import { progress } from 'fastnn/progress';",
    '```', // 4: run
    '```javascript',
    "const { Network } = require('fastnn');",
    '```', // 7: run as CommonJS
    '```ts no-run needs a bundler',
    "import w from 'fastnn/wasm/as-simd.wasm';",
    "import { parse } from 'csv-parse/sync';",
    '```', // 10: opted out
    '```ts',
    'net.train(x, y);',
    '```', // 14: no import
    '```js',
    "import { Network } from 'fastnnx';",
    '```', // 17: another package: no fastnn import
    '```sh',
    'node -e "import(\'fastnn\')"',
    '```', // 20: not ts/js: not counted
    '```html',
    '<script type="module">import { Network } from \'fastnn\';</script>',
    '```', // 23: not counted
    '```mjs',
    "import { Network } from 'fastnn';",
    "import { parse } from 'csv-parse/sync';",
    '```', // 26: run, needs csv-parse
  );
  const { run, optedOut, noImport } = classifyBlocks('doc.md', text);

  it('runs the ts/js blocks that import fastnn or an entry of it, with the file kind each needs', () => {
    expect(run.map((b) => [b.line, b.kind, b.ext, b.packages])).toEqual([
      [1, 'ts', 'ts', []],
      [4, 'ts', 'ts', []],
      [7, 'js', 'cjs', []],
      [26, 'js', 'js', ['csv-parse']],
    ]);
    expect(run.every((b) => b.file === 'doc.md')).toBe(true);
  });

  it("counts a no-run fence as opted out, with the info string's reason", () => {
    expect(optedOut.map((b) => [b.line, b.reason, b.packages])).toEqual([[10, 'needs a bundler', ['csv-parse']]]);
  });

  it('lists ts/js blocks without a fastnn import as not run, and leaves other languages out', () => {
    expect(noImport.map((b) => b.line)).toEqual([14, 17]);
  });
});
