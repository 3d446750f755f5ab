/**
 * Seeded fuzzing of fromONNX and fromJSON (shared by test/fuzz.test.ts and scripts/fuzz.ts): mutations of models that
 * fastnn exported, judged case by case. A case is reproducible from (seed, index) alone.
 *
 * Every outcome must be one of:
 * - refused with a typed error (an NnError subclass);
 * - loaded, and `predict` on finite rows in [-1, 1] is finite; or, when it is not, the loaded parameters bound the
 *   pre-activations above 1e300 (|z| <= nIn·max|w|·bound(a) + max|b| layer by layer), so the overflow is the model's
 *   own arithmetic and not a loader fault (mutations write values like 1e308 into the weights);
 * and a loaded JSON must hold exactly what it was given (no hole read as a value, nothing coerced or defaulted but
 * leakySlope). Anything else (an untyped exception, non-finite predictions from bounded parameters) is a failure,
 * and so is a case after which the backend's memory grew (no input here holds more than a few kilobytes, so growth
 * means the loader built from a declared size the input does not back). Cases are timed for the report only; a hang
 * is the test runner's timeout.
 */
import { NnError } from '../../src/errors.js';
import type { Backend } from '../../src/backend.js';
import { Network, type NetworkJSON } from '../../src/network.js';
import { mulberry32 } from './rng.js';
import { parse, serialize, varint, type WireField } from './wire.js';

type Rand = () => number;
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

// ------------------------------------------------------------------------------------------------ seed corpus

export interface Corpus {
  onnx: Uint8Array[];
  json: NetworkJSON[];
}

/** Exports of a few small trained networks: every activation, both ONNX dtypes, JSON with and without optimizer state. */
export async function buildCorpus(): Promise<Corpus> {
  const specs = [
    { layers: [2, 2, 1], activation: 'sigmoid', optimizer: 'sgd' },
    { layers: [3, 4, 2], activation: 'relu', outputActivation: 'softmax', loss: 'cross-entropy', optimizer: 'adam' },
    { layers: [3, 3, 2], activation: 'leaky-relu', outputActivation: 'identity', optimizer: 'momentum' },
    { layers: [2, 3, 3, 1], activation: 'softplus', outputActivation: 'tanh', optimizer: 'adam' },
    { layers: [4, 2], activation: 'tanh', optimizer: 'sgd' },
  ] as const;
  const onnx: Uint8Array[] = [],
    json: NetworkJSON[] = [];
  let seed = 1;
  for (const s of specs) {
    const { optimizer, ...options } = s;
    const net = await Network.create({ ...options, layers: s.layers.slice(), seed: seed++ });
    const nIn = s.layers[0],
      nOut = s.layers[s.layers.length - 1]!;
    const r = mulberry32(seed);
    const x = Array.from({ length: 8 }, () => Array.from({ length: nIn }, () => r() * 2 - 1));
    const y = Array.from({ length: 8 }, (_, i) =>
      Array.from({ length: nOut }, (_, j) => ('loss' in s ? (j === i % nOut ? 1 : 0) : r())),
    );
    net.train(x, y, { epochs: 2, learningRate: 0.05, batchSize: 4, optimizer });
    onnx.push(net.toONNX(), net.toONNX({ dtype: 'float32' }));
    json.push(net.toJSON(), net.toJSON({ optimizer: true }));
    net.dispose();
  }
  return { onnx, json };
}

// ------------------------------------------------------------------------------------------------ ONNX mutations

const EDGE_INTS: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  11n,
  13n,
  127n,
  128n,
  -1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 64n - 1n,
  1000000n,
];
const EDGE_STRINGS: readonly string[] = [
  '',
  '__proto__',
  'constructor',
  'toString',
  'prototype',
  'hasOwnProperty',
  'valueOf',
  'x',
  'input',
  'output',
  'Gemm',
  'Relu',
  'Softmax',
  'Max',
  'Mul',
  'Constant',
  'value',
  'alpha',
  'transB',
  'ai.onnx',
  'fastnn.loss',
  'fastnn.seed',
  'fastnn.leakySlope',
  'cross-entropy',
  '1e308',
  'a'.repeat(5000),
  '\u0000',
];
const EDGE_F64: readonly number[] = [NaN, Infinity, -Infinity, -0, 1e308, -1e308, 5e-324, 2 ** 53, 0.5];

/** Every message list of the tree (the root and each parsed field's kids). */
function messages(root: WireField[]): WireField[][] {
  const out: WireField[][] = [];
  const walk = (fs: WireField[]): void => {
    out.push(fs);
    for (const f of fs) if (f.kids) walk(f.kids);
  };
  walk(root);
  return out;
}

const clone = (f: WireField): WireField => ({ ...f, ...(f.kids ? { kids: f.kids.map(clone) } : {}) });

/** The tree-level mutations: each edits one message of the parsed model in place. */
const TREE_OPS: Record<string, (r: Rand, msgs: WireField[][]) => void> = {
  repeatField(r, msgs) {
    const m = pick(r, msgs);
    if (m.length === 0) return;
    const i = int(r, m.length);
    m.splice(i + 1, 0, clone(m[i]!));
  },
  dropField(r, msgs) {
    const m = pick(r, msgs);
    if (m.length > 0) m.splice(int(r, m.length), 1);
  },
  swapFields(r, msgs) {
    const m = pick(r, msgs);
    if (m.length < 2) return;
    const i = int(r, m.length),
      j = int(r, m.length);
    [m[i], m[j]] = [m[j]!, m[i]!];
  },
  graftField(r, msgs) {
    const from = pick(r, msgs),
      to = pick(r, msgs);
    if (from.length > 0) to.splice(int(r, to.length + 1), 0, clone(pick(r, from)));
  },
  edgeVarint(r, msgs) {
    const ints = msgs.flat().filter((f) => f.wt === 0);
    if (ints.length > 0) pick(r, ints).int = pick(r, EDGE_INTS);
  },
  edgeString(r, msgs) {
    const leaves = msgs.flat().filter((f) => f.wt === 2 && !f.kids);
    if (leaves.length === 0) return;
    const f = pick(r, leaves);
    f.bytes = r() < 0.1 ? Uint8Array.of(0xff, 0xfe, 0x80) : new TextEncoder().encode(pick(r, EDGE_STRINGS));
  },
  edgeReal(r, msgs) {
    // an 8-byte (or 4-byte) slot of a leaf (raw_data, packed data) or of a fixed field set to an edge value
    const leaves = msgs
      .flat()
      .filter((f) => (f.wt === 2 && !f.kids && (f.bytes?.length ?? 0) >= 4) || f.wt === 1 || f.wt === 5);
    if (leaves.length === 0) return;
    const f = pick(r, leaves);
    const b = f.bytes!.slice();
    const dv = new DataView(b.buffer);
    const v = pick(r, EDGE_F64);
    if (b.length >= 8 && r() < 0.6) dv.setFloat64(int(r, Math.floor(b.length / 8)) * 8, v, true);
    else dv.setFloat32(int(r, Math.floor(b.length / 4)) * 4, v, true);
    f.bytes = b;
  },
  lyingLength(r, msgs) {
    const lens = msgs.flat().filter((f) => f.wt === 2);
    if (lens.length > 0)
      pick(r, lens).lie = pick(r, [2n ** 31n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 1n, 0n]);
  },
  renumberField(r, msgs) {
    const all = msgs.flat();
    if (all.length > 0) pick(r, all).no = 1 + int(r, 24);
  },
  changeWireType(r, msgs) {
    const all = msgs.flat();
    if (all.length === 0) return;
    const f = pick(r, all);
    const wt = pick(r, [0, 1, 2, 5]);
    if (wt === f.wt) return;
    f.wt = wt;
    f.int ??= 1n;
    f.bytes ??= new Uint8Array(wt === 1 ? 8 : 4);
    if (wt !== 2) delete f.kids;
  },
  hugeRepeat(r, msgs) {
    // one field repeated many times (e.g. thousands of nodes, dims or inputs)
    const m = pick(r, msgs);
    if (m.length === 0) return;
    const f = pick(r, m);
    const n = 100 + int(r, 3000);
    for (let k = 0; k < n; k++) m.push(clone(f));
  },
};

/** Byte-level mutations of the serialized model. */
const BYTE_OPS: Record<string, (r: Rand, b: Uint8Array) => Uint8Array> = {
  flipBits(r, b) {
    const out = b.slice();
    for (let k = 1 + int(r, 8); k > 0 && out.length > 0; k--) out[int(r, out.length)]! ^= 1 << int(r, 8);
    return out;
  },
  truncate(r, b) {
    return b.slice(0, int(r, b.length));
  },
  insertBytes(r, b) {
    const at = int(r, b.length + 1);
    const junk = Array.from({ length: 1 + int(r, 16) }, () => int(r, 256));
    return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
  },
  hugeVarintField(r, b) {
    // a field whose varint is 10 bytes long, or overlong (11 bytes), at the end of the model
    const v = varint(pick(r, [-1n, 2n ** 63n, 2n ** 64n - 1n]));
    const field = [...varint((BigInt(1 + int(r, 15)) << 3n) | 0n), ...v, ...(r() < 0.3 ? [0x80] : [])];
    if (field.length > 0 && r() < 0.3) field[field.length - 1]! |= 0x80; // and sometimes never ends
    return Uint8Array.from([...b, ...field]);
  },
};

export interface Mutated<T> {
  value: T;
  ops: string[];
}

export function mutateOnnx(r: Rand, seed: Uint8Array): Mutated<Uint8Array> {
  const ops: string[] = [];
  let bytes = seed;
  const n = r() < 0.5 ? 1 : 2 + int(r, 2);
  for (let k = 0; k < n; k++) {
    if (r() < 0.7) {
      const tree = parse(bytes);
      if (tree) {
        const name = pick(r, Object.keys(TREE_OPS));
        TREE_OPS[name]!(r, messages(tree));
        bytes = serialize(tree);
        ops.push(name);
        continue;
      }
    }
    const name = pick(r, Object.keys(BYTE_OPS));
    bytes = BYTE_OPS[name]!(r, bytes);
    ops.push(name);
  }
  return { value: bytes, ops };
}

// ------------------------------------------------------------------------------------------------ JSON mutations

const EDGE_VALUES: readonly (() => unknown)[] = [
  () => undefined,
  () => null,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => -0,
  () => '-0',
  () => '0',
  () => 'NaN',
  () => '',
  () => 1e308,
  () => -1e308,
  () => 2 ** 53,
  () => 2 ** 32,
  () => -1,
  () => 0,
  () => 0.5,
  () => 1.5,
  () => 5e-324,
  () => true,
  () => ({}),
  () => [],
  () => [1, 2, 3],
  () => 'softmax',
  () => 'relu',
  () => 'adam',
  () => 'momentum',
  () => 'fastnn-network',
  () => '__proto__',
  () => 1,
  () => 2,
  () => 3,
];
const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'prototype', 'valueOf', 'hasOwnProperty', 'extra'];

type Slot = { parent: Record<string | number, unknown> | unknown[]; key: string | number };

/** Every (container, key) of the tree; long arrays contribute a few random indexes only. */
function slots(r: Rand, v: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (typeof x !== 'object' || x === null || depth > 6) return;
    if (Array.isArray(x)) {
      const idx =
        x.length <= 8
          ? Array.from({ length: x.length }, (_, i) => i)
          : Array.from({ length: 4 }, () => int(r, x.length));
      for (const i of idx) {
        out.push({ parent: x, key: i });
        walk(x[i], depth + 1);
      }
    } else {
      for (const k of Object.keys(x)) {
        out.push({ parent: x as Record<string, unknown>, key: k });
        walk((x as Record<string, unknown>)[k], depth + 1);
      }
    }
  };
  walk(v, 0);
  return out;
}

/** Own-property set, so that a key like '__proto__' becomes data, as JSON.parse makes it. */
function setOwn(o: object, k: string | number, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

const JSON_OPS: Record<string, (r: Rand, root: Record<string, unknown>) => void> = {
  edgeValue(r, root) {
    const s = slots(r, root);
    if (s.length > 0) {
      const { parent, key } = pick(r, s);
      setOwn(parent, key, pick(r, EDGE_VALUES)());
    }
  },
  hole(r, root) {
    const arrays = slots(r, root)
      .map((s) => (s.parent as Record<string | number, unknown>)[s.key])
      .filter(Array.isArray) as unknown[][];
    if (arrays.length === 0) return;
    const a = pick(r, arrays);
    // eslint-disable-next-line @typescript-eslint/no-array-delete -- a hole is the corruption under test
    if (a.length > 0 && r() < 0.7) delete a[int(r, a.length)];
    else a.length += 1; // a trailing hole
  },
  dropKey(r, root) {
    const s = slots(r, root).filter((x) => !Array.isArray(x.parent));
    if (s.length > 0) {
      const { parent, key } = pick(r, s);
      delete (parent as Record<string, unknown>)[key];
    }
  },
  protoKey(r, root) {
    const objs = [root, ...slots(r, root).map((s) => (s.parent as Record<string | number, unknown>)[s.key])].filter(
      (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    );
    setOwn(
      pick(r, objs) as object,
      pick(r, PROTO_KEYS),
      r() < 0.5 ? { polluted: true, weights: [1] } : pick(r, EDGE_VALUES)(),
    );
  },
  resizeArray(r, root) {
    const arrays = slots(r, root)
      .map((s) => (s.parent as Record<string | number, unknown>)[s.key])
      .filter(Array.isArray) as unknown[][];
    if (arrays.length === 0) return;
    const a = pick(r, arrays);
    if (r() < 0.5) a.length = int(r, a.length + 1);
    else if (a.length > 0) a.push(structuredClone(a[int(r, a.length)]));
  },
  swapVersion(r, root) {
    root.version = pick(r, [1, 2, 3, '2', 0]);
  },
};

/** Text-level mutations of the JSON string. */
const TEXT_OPS: Record<string, (r: Rand, t: string) => string> = {
  truncateText: (r, t) => t.slice(0, int(r, t.length)),
  flipChar: (r, t) => {
    const i = int(r, t.length);
    return t.slice(0, i) + pick(r, ['"', '{', '}', '[', ']', ',', ':', '-', 'e', '9', ' ', 'n']) + t.slice(i + 1);
  },
  protoText: (r, t) => t.replace(/^\{/, `{"${pick(r, PROTO_KEYS)}":{"polluted":true},`),
  bigNumberText: (r, t) =>
    t.replace(/-?\d\.\d+(e-?\d+)?/, pick(r, ['1e400', '-1e400', '1e-400', '123456789012345678901234567890'])),
};

export function mutateJson(r: Rand, seed: NetworkJSON): Mutated<unknown> {
  const ops: string[] = [];
  const root = structuredClone(seed) as unknown as Record<string, unknown>;
  const n = r() < 0.5 ? 1 : 2 + int(r, 2);
  for (let k = 0; k < n; k++) {
    const name = pick(r, Object.keys(JSON_OPS));
    JSON_OPS[name]!(r, root);
    ops.push(name);
  }
  if (r() < 0.3) {
    // as text: holes become null and undefined is dropped, as JSON.stringify writes them
    let text = JSON.stringify(root);
    if (r() < 0.5) {
      const name = pick(r, Object.keys(TEXT_OPS));
      text = TEXT_OPS[name]!(r, text);
      ops.push(name);
    }
    ops.push('asText');
    return { value: text, ops };
  }
  return { value: root, ops };
}

// ------------------------------------------------------------------------------------------------ judging

export type Outcome =
  { kind: 'refused'; cls: string } | { kind: 'loaded' } | { kind: 'overflow' } | { kind: 'failed'; why: string };

/** A bound on |z| over every layer for inputs in [-1, 1], from the loaded parameters (see the file comment). */
function preActivationBound(net: Network): number {
  let a = 1,
    worst = 0;
  const params = net.getParameters();
  for (let l = 0; l < params.length; l++) {
    const { weights, biases } = params[l]!;
    let mw = 0,
      mb = 0;
    for (let i = 0; i < weights.length; i++) mw = Math.max(mw, Math.abs(weights[i]!));
    for (let i = 0; i < biases.length; i++) mb = Math.max(mb, Math.abs(biases[i]!));
    const z = net.layers[l]! * mw * a + mb;
    worst = Math.max(worst, z);
    const act = net.activations[l]!;
    a = act === 'sigmoid' || act === 'tanh' || act === 'softmax' ? 1 : z + 1;
  }
  return worst;
}

/**
 * Where a loaded JSON differs from what the network holds, or null: every array element the input gives must be
 * present (no holes) and equal to the loaded value (-0 written as the number or as '-0'), every key the same, so a
 * value silently coerced, skipped or defaulted counts as a failure (leakySlope alone may be omitted: 0.01).
 */
function unfaithful(input: unknown, net: Network): string | null {
  const j = (typeof input === 'string' ? JSON.parse(input) : input) as Record<string, unknown>;
  const expected: Record<string, unknown> = { ...j };
  if (expected.leakySlope === undefined) expected.leakySlope = 0.01;
  const actual = net.toJSON({ optimizer: j.version === 2 }) as unknown as Record<string, unknown>;
  const norm = (v: unknown): unknown => (typeof v === 'number' && Object.is(v, -0) ? '-0' : v);
  const diff = (a: unknown, e: unknown, path: string): string | null => {
    if (Array.isArray(e)) {
      if (!Array.isArray(a) || a.length !== e.length)
        return `${path}: length ${Array.isArray(a) ? a.length : typeof a} loaded from ${e.length}`;
      for (let i = 0; i < e.length; i++) {
        if (!(i in e)) return `${path}[${i}]: a hole loaded as ${String(a[i])}`;
        const d = diff(a[i], e[i], `${path}[${i}]`);
        if (d) return d;
      }
      return null;
    }
    if (typeof e === 'object' && e !== null) {
      if (typeof a !== 'object' || a === null) return `${path}: ${String(a)} loaded from an object`;
      const ek = Object.keys(e)
        .filter((k) => (e as Record<string, unknown>)[k] !== undefined)
        .sort()
        .join();
      const ak = Object.keys(a).sort().join();
      if (ek !== ak) return `${path}: keys ${ak} loaded from ${ek}`;
      for (const k of Object.keys(a)) {
        const d = diff((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${path}.${k}`);
        if (d) return d;
      }
      return null;
    }
    return Object.is(norm(a), norm(e)) ? null : `${path}: ${String(a)} loaded from ${String(e)}`;
  };
  return diff(actual, expected, 'json');
}

/** Loads, then predicts on finite rows; classifies the outcome (never throws). `source`: the JSON input, to compare. */
export async function judge(load: () => Promise<Network>, r: Rand, source?: { json: unknown }): Promise<Outcome> {
  let net: Network;
  try {
    net = await load();
  } catch (e) {
    if (e instanceof NnError) return { kind: 'refused', cls: e.name };
    return {
      kind: 'failed',
      why: `untyped ${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 300)}`,
    };
  }
  try {
    if (source) {
      const d = unfaithful(source.json, net);
      if (d) return { kind: 'failed', why: `loaded, but not as given: ${d}` };
    }
    const nIn = net.layers[0]!;
    const x = Array.from({ length: 3 }, () => Array.from({ length: nIn }, () => r() * 2 - 1));
    const out = net.predict(x).data;
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        const bound = preActivationBound(net);
        return bound > 1e300
          ? { kind: 'overflow' }
          : { kind: 'failed', why: `prediction ${i} is ${out[i]} with parameters bounding |z| by ${bound}` };
      }
    }
    return { kind: 'loaded' };
  } catch (e) {
    return {
      kind: 'failed',
      why: `predict on a loaded network threw ${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 300)}`,
    };
  } finally {
    net.dispose();
  }
}

/** Object.prototype, Array.prototype and Function.prototype: names and values of their own properties. */
export function prototypeFingerprint(): string {
  const parts: string[] = [];
  for (const [label, p] of [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
    ['Function', Function.prototype],
  ] as const) {
    for (const k of Reflect.ownKeys(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k)!;
      parts.push(`${label}.${String(k)}:${typeof d.value}:${typeof d.get}`);
    }
  }
  return parts.sort().join('|') + `|polluted:${String(({} as Record<string, unknown>).polluted)}`;
}

/** The size of a case's input: the ONNX bytes, or the JSON as text. */
function inputBytes(v: unknown): string {
  return v instanceof Uint8Array ? `${v.length} bytes` : `${JSON.stringify(v)?.length ?? 0} characters of JSON`;
}

export interface FuzzReport {
  cases: number;
  outcomes: Record<string, number>;
  failures: { index: number; target: string; ops: string[]; why: string }[];
  slowest: { ms: number; index: number; target: string; ops: string[] };
  protoChanged: boolean;
}

/**
 * Runs `count` cases from `seed`, alternating ONNX and JSON and rotating the shared backends; case i uses the
 * generator mulberry32(seed + i), so any case reruns alone (`first`).
 */
export async function runFuzz(
  corpus: Corpus,
  backends: readonly Backend[],
  seed: number,
  count: number,
  first = 0,
  onCase?: (i: number) => void,
): Promise<FuzzReport> {
  const report: FuzzReport = {
    cases: 0,
    outcomes: {},
    failures: [],
    slowest: { ms: 0, index: -1, target: '', ops: [] },
    protoChanged: false,
  };
  const proto = prototypeFingerprint();
  for (let i = first; i < first + count; i++) {
    onCase?.(i);
    const r = mulberry32((seed + i * 0x9e3779b1) >>> 0);
    const backend = backends[i % backends.length]!;
    const onnx = i % 2 === 0;
    const target = `${onnx ? 'fromONNX' : 'fromJSON'} [${backend.name}]`;
    const m = onnx ? mutateOnnx(r, pick(r, corpus.onnx)) : mutateJson(r, pick(r, corpus.json));
    const ops = m.ops;
    const memBefore = backend.memoryBytes();
    // timed (reported, never judged): the load and the prediction, not the generator
    const t0 = performance.now();
    let outcome = await judge(
      () => (onnx ? Network.fromONNX(m.value as Uint8Array, backend) : Network.fromJSON(m.value, backend)),
      r,
      onnx ? undefined : { json: m.value },
    );
    const ms = performance.now() - t0;
    if (ms > report.slowest.ms) report.slowest = { ms, index: i, target, ops };
    // the corpus models are tiny and a load never holds more than its input: a backend whose memory grew was asked to
    // build something the input does not hold (the work a declared size can cost, bounded without a clock)
    if (backend.memoryBytes() > memBefore)
      outcome = {
        kind: 'failed',
        why: `${backend.name} memory grew from ${memBefore} to ${backend.memoryBytes()} bytes (the input holds ${inputBytes(m.value)})`,
      };
    const key = `${onnx ? 'onnx' : 'json'} ${outcome.kind === 'refused' ? `refused ${outcome.cls}` : outcome.kind}`;
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
    if (outcome.kind === 'failed') report.failures.push({ index: i, target, ops, why: outcome.why });
    report.cases++;
  }
  report.protoChanged = prototypeFingerprint() !== proto;
  return report;
}
