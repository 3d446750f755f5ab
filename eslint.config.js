// @ts-check
// Lint rules for src/, test/, bench/, scripts/, examples/ and platform/ (npm run lint runs Prettier's check, then this).
// assembly/ is left out: AssemblyScript's `@inline` on functions is not TypeScript syntax (the TypeScript parser
// rejects it), and its i32/f64/usize and load<T>() builtins only mean something to asc, which checks that code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // api-docs/: TypeDoc's output (npm run docs)
    ignores: [
      'node_modules/',
      'dist/',
      'build/',
      'assembly/',
      'rust/',
      'artifacts/',
      'bench/results/',
      'scratch/',
      'api-docs/',
    ],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      // tsconfig.eslint.json: tsconfig.json plus the .js/.mjs files and scripts/, so the type-aware rules see them
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-self-compare': 'error',
      'no-unreachable-loop': 'error',
      'no-template-curly-in-string': 'error',
      'array-callback-return': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-deprecated': 'error',
      // `const { dropout: _d, ...old } = json` is how a key is dropped from a copy
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // static factories (Network.fromJSON) are passed around as values; a static that used `this` would be caught
      // by the tests that call them that way
      '@typescript-eslint/unbound-method': ['error', { ignoreStatic: true }],
      // an async function without await is no defect, and async generators without await are how the tests build
      // async sources for trainStream
      '@typescript-eslint/require-await': 'off',
      // tsconfig.json's noFallthroughCasesInSwitch checks this with types: it knows that refuse() returns never
      'no-fallthrough': 'off',
    },
  },
  {
    // no TypeScript types here: the rules that need none, plus the promise rules (inferred types suffice for them)
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.base],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  {
    // browser code, and the puppeteer drivers whose page.evaluate() callbacks run in the page
    files: [
      'examples/playground/**/*.js',
      'test/browser/**/*.{js,mjs}',
      'test/playground/*.mjs',
      'bench/browser/**/*.js',
      'bench/browser.mjs',
      'platform/browser.js',
    ],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    // compiled by test/package/run.sh against the packed types under TypeScript 5.0.4 and 5.9.3 and three tsconfigs:
    // an assertion that is unneeded against src/ may be needed there
    files: ['test/package/consumer/**'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    // type tests: each expression statement is there for the compiler to check
    files: ['test/types/**'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
