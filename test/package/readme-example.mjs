// Prints the README's usage example (the first ```ts block after "## Usage") with its backend set to argv[3], so the
// packed-package test runs exactly what the README shows. Fails if the block or its `backend: '…'` is not found.
import { readFileSync } from 'node:fs';

const [readme, backend] = process.argv.slice(2);
const text = readFileSync(readme, 'utf8');
const usage = text.indexOf('\n## Usage');
const block = usage < 0 ? null : /```ts\n([\s\S]*?)```/.exec(text.slice(usage));
if (!block) {
  console.error(`readme-example: no \`\`\`ts block after "## Usage" in ${readme}`);
  process.exit(1);
}
const code = block[1];
const backendOption = /backend: '(js|assemblyscript|rust)'/g;
const found = code.match(backendOption) ?? [];
if (found.length !== 1) {
  console.error(`readme-example: expected one \`backend: '<name>'\` in the usage example, found ${found.length}`);
  process.exit(1);
}
process.stdout.write(backend ? code.replace(backendOption, `backend: '${backend}'`) : code);
