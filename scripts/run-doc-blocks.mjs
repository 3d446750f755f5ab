// Runs the documentation's code: every ```ts/```js block in README.md and docs/**/*.md that imports 'fastnn' (or a
// 'fastnn/...' entry), as written, against the packed package installed in a fresh project outside the repository
// (test/package/pack.sh: "type": "module", as the README asks), one file per block (block.ts, block.js, or block.cjs
// for a CommonJS block): ts blocks type-checked (`tsc --init`'s strict settings) and run with tsx, js blocks run
// with plain node. Blocks that do not import fastnn are not run (counted and listed), and so are blocks
// whose fence says `no-run` (```ts no-run <why>: counted and listed with the reason).
//
//   npm run test:docs                               # README.md and docs/ of this repository
//   node scripts/run-doc-blocks.mjs --root <dir>    # the Markdown of another checkout, against THIS package
//   node scripts/run-doc-blocks.mjs README.md docs/training.md   # only these files (relative to the root)
// Options: --timeout <s> per block (default 120), --no-build (pack the dist/ that is there), --keep (keep the temp
// project and print its path), --list (only list the blocks; nothing is built or run).
// Exits 1 naming every failing block as file:line with its output (a block fails if it does not type-check, exits
// non-zero or does not exit within the timeout), or if no block imports fastnn at all.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classifyBlocks, NO_RUN } from './doc-blocks.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string', default: REPO },
    timeout: { type: 'string', default: '120' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});
const root = resolve(opts.root);
const timeoutMs = Number(opts.timeout) * 1000;
if (!(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${opts.timeout}'`);

/** README.md and every .md under docs/ (sorted), or the files named on the command line. */
function markdownFiles() {
  if (positionals.length > 0) return positionals.map((f) => relative(root, resolve(root, f)));
  const found = ['README.md'];
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (e.isDirectory() && e.name !== 'node_modules') walk(join(dir, e.name));
      else if (e.isFile() && e.name.endsWith('.md')) found.push(join(dir, e.name));
    }
  };
  walk('docs');
  return found;
}

const files = markdownFiles();
const run = [],
  optedOut = [],
  noImport = [];
for (const file of files) {
  const sorted = classifyBlocks(file, readFileSync(join(root, file), 'utf8'));
  run.push(...sorted.run);
  optedOut.push(...sorted.optedOut);
  noImport.push(...sorted.noImport);
}
const where = (b) => `${b.file}:${b.line}`;
const total = run.length + optedOut.length + noImport.length;
console.log(
  `== doc blocks in ${root === REPO ? 'this repository' : root}: ${total} ts/js blocks in ${files.length} files`,
);
console.log(
  `   to run (import fastnn): ${run.length}; opted out (${NO_RUN}): ${optedOut.length}; not run (no fastnn import): ${noImport.length}`,
);
for (const b of optedOut)
  console.log(`   opted out: ${where(b)} (\`\`\`${b.info})${b.reason ? '' : ' — no reason given'}`);
if (noImport.length > 0)
  console.log(`   not run, no fastnn import: ${noImport.map((b) => `${where(b)} (${b.lang})`).join(', ')}`);
if (opts.list) {
  for (const b of run)
    console.log(
      `   run: ${where(b)} (${b.lang} -> .${b.ext})${b.packages.length ? `, installs ${b.packages.join(', ')}` : ''}`,
    );
  process.exit(0);
}
if (run.length === 0) {
  console.error('doc blocks FAILED: no block imports fastnn, so nothing would be checked');
  process.exit(1);
}

// The tools a TypeScript reader uses (tsx, typescript, @types/node) and any package a block imports, at the exact
// versions this repository pins: a block that imports a package the repository does not pin is a failure.
const pinned = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).devDependencies;
const wanted = new Set(['tsx', 'typescript', '@types/node', ...run.flatMap((b) => b.packages)]);
const unpinned = [...wanted].filter((p) => !pinned[p]);
if (unpinned.length > 0) {
  for (const p of unpinned)
    console.error(
      `   ${run
        .filter((b) => b.packages.includes(p))
        .map(where)
        .join(', ')}: imports '${p}', which package.json does not pin as a dev dependency`,
    );
  console.error(
    `doc blocks FAILED: add ${unpinned.join(', ')} to devDependencies (exact versions) so the blocks run against a known version`,
  );
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'fastnn-doc-blocks-'));
let running = null; // the block's process, whose group is ended if this runner is stopped
const cleanup = () => {
  if (running)
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Runs a command to completion and returns its stdout; on failure prints its output and exits 1. */
function must(command, args, cwd, what) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(`doc blocks FAILED: ${what} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  return r.stdout;
}

console.log(
  `== pack and install the package (${opts['no-build'] ? 'dist/ as it is' : 'npm run build'}) into ${work}/consumer`,
);
const packOut = must(
  'bash',
  [join(REPO, 'test/package/pack.sh'), work, ...(opts['no-build'] ? ['--no-build'] : [])],
  REPO,
  'test/package/pack.sh',
);
console.log(packOut.split('\n')[0]);
const consumer = join(work, 'consumer');
const installs = [...wanted].sort().map((p) => `${p}@${pinned[p]}`);
console.log(`== npm install ${installs.join(' ')}`);
must('npm', ['install', '--no-audit', '--no-fund', '--save-exact', ...installs], consumer, 'npm install');

// One directory per block (its working directory: files a block writes stay its own), named after where it is.
const dirOf = (b, i) =>
  join('blocks', `${String(i + 1).padStart(2, '0')}-${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-${b.line}`);
run.forEach((b, i) => {
  b.dir = dirOf(b, i);
  b.path = join(b.dir, `block.${b.ext}`);
  mkdirSync(join(consumer, b.dir), { recursive: true });
  writeFileSync(join(consumer, b.path), b.code);
});

/** Rewrites `blocks/NN-x/block.ts(3,7)` and `block.ts:3:7` positions into the Markdown's file:line. */
function toDocLines(text, b) {
  const base = b.path.split('\\').join('/');
  return text
    .replace(new RegExp(`${escape(base)}\\((\\d+),(\\d+)\\)`, 'g'), (_, l, c) => `${b.file}:${b.line + Number(l)}:${c}`)
    .replace(
      new RegExp(`(?:file://)?[^\\s(]*${escape(base)}:(\\d+)(?::(\\d+))?`, 'g'),
      (_, l, c) => `${b.file}:${b.line + Number(l)}${c ? `:${c}` : ''}`,
    );
}
function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const failures = new Map(); // block -> [reason, output]
const fail = (b, reason, output) => failures.set(b, [...(failures.get(b) ?? []), { reason, output }]);

// Type-check the ts blocks with the settings a new TypeScript project starts with (`tsc --init` of TypeScript 5.9,
// which include noUncheckedIndexedAccess and exactOptionalPropertyTypes), plus Node's types.
const tsBlocks = run.filter((b) => b.kind === 'ts');
if (tsBlocks.length > 0) {
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          module: 'NodeNext',
          target: 'ESNext',
          types: ['node'],
          noEmit: true,
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          noUncheckedSideEffectImports: true,
          moduleDetection: 'force',
          skipLibCheck: true,
        },
        files: tsBlocks.map((b) => b.path),
      },
      null,
      2,
    ),
  );
  const tsc = spawnSync(
    process.execPath,
    [join(consumer, 'node_modules/typescript/bin/tsc'), '-p', '.', '--pretty', 'false'],
    { cwd: consumer, encoding: 'utf8' },
  );
  const out = `${tsc.stdout}${tsc.stderr}`;
  console.log(
    `== typecheck: ${tsBlocks.length} ts blocks, typescript ${pinned.typescript} with \`tsc --init\`'s settings: ${tsc.status === 0 ? 'ok' : 'errors'}`,
  );
  if (tsc.status !== 0) {
    const claimed = new Set();
    for (const b of tsBlocks) {
      const lines = out.split('\n').filter((l) => l.startsWith(`${b.path}(`));
      if (lines.length > 0) {
        claimed.add(b);
        fail(b, 'does not type-check', toDocLines(lines.join('\n'), b));
      }
    }
    if (claimed.size === 0) {
      console.log(out);
      console.error('doc blocks FAILED: tsc failed outside the blocks');
      process.exit(1);
    }
  }
}

/** Runs one block in its own process group; resolves with its exit code (null on timeout) and its output. */
function runBlock(b) {
  const [command, args] =
    b.kind === 'ts'
      ? [join(consumer, 'node_modules/.bin/tsx'), [`block.${b.ext}`]]
      : [process.execPath, [`block.${b.ext}`]];
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: join(consumer, b.dir),
      detached: true,
      env: { ...process.env, NO_COLOR: '1' },
    });
    running = child;
    let output = '',
      timedOut = false;
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running = null;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* the group has ended */
      }
      done({ code: timedOut ? null : (code ?? signal), output });
    });
  });
}

console.log(
  `== run: ${run.length} blocks, each in its own directory, timeout ${timeoutMs / 1000} s (node ${process.version})`,
);
for (const b of run) {
  const t0 = performance.now();
  const { code, output } = await runBlock(b);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (code === null) fail(b, `did not exit within ${timeoutMs / 1000} s`, toDocLines(output, b));
  else if (code !== 0) fail(b, `exited with ${code}`, toDocLines(output, b));
  const status = failures.has(b) ? 'FAIL' : 'ok  ';
  console.log(
    `${status} ${where(b)} (${b.lang}, ${seconds} s)${
      failures.has(b)
        ? `: ${failures
            .get(b)
            .map((f) => f.reason)
            .join('; ')}`
        : ''
    }`,
  );
  const shown = failures.has(b)
    ? failures
        .get(b)
        .map((f) => f.output)
        .join('\n')
    : output;
  const lines = shown.trimEnd().split('\n');
  const limit = failures.has(b) ? 40 : 6;
  for (const l of lines.slice(0, limit)) if (l) console.log(`     | ${l}`);
  if (lines.length > limit) console.log(`     | ... (${lines.length - limit} more lines)`);
}

const passed = run.length - failures.size;
console.log(
  `== doc blocks: ${passed} of ${run.length} passed; ${optedOut.length} opted out; ${noImport.length} not run (no fastnn import)`,
);
if (opts.keep) console.log(`   kept: ${consumer}`);
if (failures.size > 0) {
  console.error(
    `doc blocks FAILED: ${run
      .filter((b) => failures.has(b))
      .map(where)
      .join(', ')}`,
  );
  process.exit(1);
}
