// Generates the float32 variant of the js backend's kernels (src/kernels/js/f32/*.ts) from the float64 sources
// (src/kernels/js/*.ts), so both element types have ONE source and the float64 path stays exactly as written.
//
// The sources follow one convention (stated in src/kernels/js/train.ts and controls.ts):
//   - `D` is the data view (XDATA, YDATA, X0, T and every layer block), typed F64; `H` is the float64 view of the
//     f64-only blocks (HP, LOSSES, LRS, WEIGHTS, DROPOUT, NORMS) and stays F64.
//   - data pointers become indices with `>> 3` and data byte offsets are `* 8`; f64-only pointers use `>>> 3`.
// The transform (TypeScript's AST, then its printer):
//   1. a parameter `D: F64` becomes `D: F32`; `x >> 3` becomes `x >> 2`; a literal 8 multiplied becomes 4.
//   2. "element" values are found per function: a read D[i], a variable ever assigned an element value, an arithmetic
//      expression or conditional with an element operand, a Math call with an element argument.
//   3. every + - * / with an element operand is rounded, Math.fround(a op b), and its non-element operands (scalars
//      computed in f64 from HP or f64 blocks: lr, 1-β1, ε, alpha, 1/(1-p), w/W, the clip scale) are narrowed first,
//      Math.fround(x) (literals that float32 holds exactly are left as they are); `x op= e` on an element becomes
//      x = Math.fround(x op e); Math.exp/log/log1p/tanh/sqrt of an element is computed in f64 and rounded.
//   Because + - * / and sqrt of two float32 values computed in float64 and rounded once equal the float32 operation,
//   this is exactly float32 arithmetic (src/abi.ts states the rules the WASM kernels follow too).
// Usage: node scripts/gen-js-f32.mjs           write the files (npm run gen:f32; also run by gen:abi's callers)
//        node scripts/gen-js-f32.mjs --check   write nothing; exit 1 naming every file that differs (CI)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = 'src/kernels/js';
const FILES = ['dense.ts', 'activation.ts', 'loss.ts', 'optim.ts', 'controls.ts', 'train.ts'];
const ROUNDED_MATH = new Set(['exp', 'log', 'log1p', 'tanh', 'sqrt']);
const EXACT_MATH = new Set(['abs', 'max', 'min']);
const SMALL_LAYER_ONLY = new Set(['act1', 'dact1']);
const ARITH = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
]);
const COMPOUND = new Map([
  [ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.PlusToken],
  [ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.MinusToken],
  [ts.SyntaxKind.AsteriskEqualsToken, ts.SyntaxKind.AsteriskToken],
  [ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.SlashToken],
]);

const f = ts.factory;
const isMathCall = (n, names) =>
  ts.isCallExpression(n) &&
  ts.isPropertyAccessExpression(n.expression) &&
  ts.isIdentifier(n.expression.expression) &&
  n.expression.expression.text === 'Math' &&
  names.has(n.expression.name.text);

/** Is `e` an element value, given the function's element variables? */
function isElem(e, vars) {
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) return isElem(e.expression, vars);
  if (ts.isElementAccessExpression(e)) return ts.isIdentifier(e.expression) && e.expression.text === 'D';
  if (ts.isIdentifier(e)) return vars.has(e.text);
  if (ts.isPrefixUnaryExpression(e))
    return (
      (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken) && isElem(e.operand, vars)
    );
  if (ts.isBinaryExpression(e))
    return ARITH.has(e.operatorToken.kind) && (isElem(e.left, vars) || isElem(e.right, vars));
  if (ts.isConditionalExpression(e)) return isElem(e.whenTrue, vars) || isElem(e.whenFalse, vars);
  if (isMathCall(e, ROUNDED_MATH) || isMathCall(e, EXACT_MATH)) return e.arguments.some((a) => isElem(a, vars));
  return false;
}

/** The element variables of one function body: a fixpoint over its declarations and assignments. */
function elementVars(body) {
  const vars = new Set();
  for (let changed = true; changed;) {
    changed = false;
    const visit = (n) => {
      if (ts.isFunctionLike(n) && n !== body) return; // nested functions get their own analysis
      let name = null,
        elem = false;
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
        name = n.name.text;
        elem = isElem(n.initializer, vars);
      } else if (
        ts.isBinaryExpression(n) &&
        ts.isIdentifier(n.left) &&
        (n.operatorToken.kind === ts.SyntaxKind.EqualsToken || COMPOUND.has(n.operatorToken.kind))
      ) {
        name = n.left.text;
        elem = isElem(n.right, vars);
      }
      if (name !== null && elem && !vars.has(name)) {
        vars.add(name);
        changed = true;
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
  }
  return vars;
}

const fround = (e) =>
  f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier('Math'), 'fround'), undefined, [e]);
const strip = (e) => (ts.isParenthesizedExpression(e) ? strip(e.expression) : e);
/** A non-element operand meeting an element: narrowed once (literals float32 holds exactly stay as they are). */
function narrow(orig, out, vars) {
  if (isElem(orig, vars)) return out;
  const o = strip(orig);
  if (ts.isNumericLiteral(o) && Math.fround(Number(o.text)) === Number(o.text)) return out;
  if (
    ts.isPrefixUnaryExpression(o) &&
    ts.isNumericLiteral(o.operand) &&
    Math.fround(Number(o.operand.text)) === Number(o.operand.text)
  )
    return out;
  return fround(out);
}

function transformFile(text, file) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  let varsStack = [new Set()];
  const transformer = (ctx) => {
    const visit = (n) => {
      const vars = varsStack[varsStack.length - 1];
      // the small-layer path's per-element helpers are float64 only (tiny.ts): not generated
      if (ts.isFunctionDeclaration(n) && n.name && SMALL_LAYER_ONLY.has(n.name.text)) return undefined;
      if (ts.isFunctionLike(n) && n.body) {
        varsStack.push(elementVars(n.body));
        const out = ts.visitEachChild(n, visit, ctx);
        varsStack.pop();
        return out;
      }
      // imports: this file lives one directory deeper
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
        const m = n.moduleSpecifier.text;
        const spec = m.startsWith('../') ? `../${m}` : m === './views.js' ? '../views.js' : m;
        let clause = n.importClause;
        if (m === './views.js' && clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
          const names = clause.namedBindings.elements.map((e) => e.name.text);
          if (!names.includes('F32')) {
            const els = [
              ...clause.namedBindings.elements,
              f.createImportSpecifier(false, undefined, f.createIdentifier('F32')),
            ];
            clause = f.updateImportClause(clause, clause.isTypeOnly, clause.name, f.createNamedImports(els));
          }
        }
        return f.updateImportDeclaration(n, n.modifiers, clause, f.createStringLiteral(spec), n.attributes);
      }
      if (
        ts.isParameter(n) &&
        ts.isIdentifier(n.name) &&
        n.name.text === 'D' &&
        n.type &&
        ts.isTypeReferenceNode(n.type) &&
        n.type.typeName.getText(sf) === 'F64'
      ) {
        return f.updateParameterDeclaration(
          n,
          n.modifiers,
          n.dotDotDotToken,
          n.name,
          n.questionToken,
          f.createTypeReferenceNode('F32'),
          n.initializer,
        );
      }
      if (ts.isBinaryExpression(n)) {
        const k = n.operatorToken.kind;
        if (k === ts.SyntaxKind.GreaterThanGreaterThanToken && ts.isNumericLiteral(n.right) && n.right.text === '3') {
          return f.updateBinaryExpression(n, ts.visitNode(n.left, visit), n.operatorToken, f.createNumericLiteral(2));
        }
        if (ARITH.has(k) && isElem(n, vars)) {
          const l = narrow(n.left, ts.visitNode(n.left, visit), vars),
            r = narrow(n.right, ts.visitNode(n.right, visit), vars);
          return fround(f.createBinaryExpression(l, n.operatorToken, r));
        }
        if (k === ts.SyntaxKind.AsteriskToken) {
          // a data byte offset: `* 8` on either side
          const l = ts.visitNode(n.left, visit),
            r = ts.visitNode(n.right, visit);
          const four = (e) => (ts.isNumericLiteral(e) && e.text === '8' ? f.createNumericLiteral(4) : e);
          return f.updateBinaryExpression(n, four(l), n.operatorToken, four(r));
        }
        if (COMPOUND.has(k) && (isElem(n.left, vars) || isElem(n.right, vars))) {
          const target = ts.visitNode(n.left, visit);
          const rhs = narrow(n.right, ts.visitNode(n.right, visit), vars);
          const lhs = isElem(n.left, vars) ? target : fround(target);
          return f.createAssignment(target, fround(f.createBinaryExpression(lhs, COMPOUND.get(k), rhs)));
        }
      }
      if (isMathCall(n, ROUNDED_MATH) && n.arguments.some((a) => isElem(a, vars))) {
        return fround(
          f.updateCallExpression(
            n,
            n.expression,
            n.typeArguments,
            n.arguments.map((a) => narrow(a, ts.visitNode(a, visit), vars)),
          ),
        );
      }
      return ts.visitEachChild(n, visit, ctx);
    };
    return (node) => ts.visitNode(node, visit);
  };
  const result = ts.transform(sf, [transformer]);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
  let body = printer.printFile(result.transformed[0]);
  result.dispose();
  // a file whose only F64 was the data view no longer needs the type
  if ((body.match(/\bF64\b/g) ?? []).length === 1) body = body.replace(/\bF64, F32\b/, 'F32');
  return `// generated by scripts/gen-js-f32.mjs from ${SRC}/${file} — do not edit; run \`npm run gen:f32\`\n// (the float32 variant: Float32Array data view, Math.fround after every element operation)\n${body}`;
}

const outputs = FILES.map((file) => [
  `${SRC}/f32/${file}`,
  transformFile(readFileSync(resolve(root, SRC, file), 'utf8'), file),
]);

if (process.argv.includes('--check')) {
  const stale = outputs.filter(
    ([p, text]) => !existsSync(resolve(root, p)) || readFileSync(resolve(root, p), 'utf8') !== text,
  );
  for (const [p] of stale)
    console.error(`gen-js-f32 --check: ${p} differs from what ${SRC} generates (run: npm run gen:f32)`);
  if (stale.length > 0) process.exit(1);
  console.log(`gen-js-f32 --check: ${outputs.length} generated files match ${SRC}`);
} else {
  mkdirSync(resolve(root, SRC, 'f32'), { recursive: true });
  for (const [p, text] of outputs) {
    const abs = resolve(root, p);
    if (!existsSync(abs) || readFileSync(abs, 'utf8') !== text) {
      writeFileSync(abs, text);
      console.log(`gen-js-f32: wrote ${p}`);
    }
  }
}
