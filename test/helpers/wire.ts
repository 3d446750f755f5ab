/**
 * A protobuf wire-format reader and writer for the tests, written apart from src/onnx/proto.ts so that the fuzz
 * generator does not share the code it tests: a message is a list of fields; a length-delimited field that parses
 * as a message keeps its parse (`kids`) so mutations can reach any depth.
 */

export interface WireField {
  no: number;
  wt: number;
  /** wire type 0: the value (bigint, so any 64-bit pattern can be written) */
  int?: bigint;
  /** wire types 1, 2, 5: the bytes (for 2 unless `kids` is set) */
  bytes?: Uint8Array;
  /** wire type 2 parsed as a message */
  kids?: WireField[];
  /** written instead of the true length (a length that lies) */
  lie?: bigint;
}

/** Unsigned LEB128 of the low 64 bits of v (negative v as two's complement, as protobuf writes int64). */
export function varint(v: bigint | number, out: number[] = []): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x === 0n ? b : b | 0x80);
  } while (x !== 0n);
  return out;
}

/** Parses one message, or null if the bytes are not one (then they are kept as a leaf). */
export function parse(b: Uint8Array, depth = 0): WireField[] | null {
  const out: WireField[] = [];
  let p = 0;
  const read = (): bigint | null => {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= b.length) return null;
      const c = b[p++]!;
      v |= BigInt(c & 0x7f) << BigInt(7 * i);
      if ((c & 0x80) === 0) return v;
    }
    return null;
  };
  while (p < b.length) {
    const key = read();
    if (key === null) return null;
    const no = Number(key >> 3n),
      wt = Number(key & 7n);
    if (no < 1 || no > 0x1fffffff) return null;
    if (wt === 0) {
      const v = read();
      if (v === null) return null;
      out.push({ no, wt, int: v });
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (p + n > b.length) return null;
      out.push({ no, wt, bytes: b.slice(p, p + n) });
      p += n;
    } else if (wt === 2) {
      const len = read();
      if (len === null || len > BigInt(b.length - p)) return null;
      const body = b.slice(p, p + Number(len));
      p += Number(len);
      const kids = depth < 8 && body.length > 0 ? parse(body, depth + 1) : null;
      out.push(kids ? { no, wt, bytes: body, kids } : { no, wt, bytes: body });
    } else {
      return null;
    }
  }
  return out;
}

/** Writes a message back (kids re-encoded, lies kept). */
export function serialize(fields: readonly WireField[]): Uint8Array {
  const parts: number[] = [];
  const write = (fs: readonly WireField[], out: number[]): void => {
    for (const f of fs) {
      varint((BigInt(f.no) << 3n) | BigInt(f.wt & 7), out);
      if (f.wt === 0) varint(f.int ?? 0n, out);
      else if (f.wt === 2) {
        let body: ArrayLike<number>;
        if (f.kids) {
          const inner: number[] = [];
          write(f.kids, inner);
          body = inner;
        } else body = f.bytes ?? new Uint8Array(0);
        varint(f.lie ?? BigInt(body.length), out);
        for (let i = 0; i < body.length; i++) out.push(body[i]!);
      } else {
        const b = f.bytes ?? new Uint8Array(f.wt === 1 ? 8 : 4);
        for (let i = 0; i < b.length; i++) out.push(b[i]!);
      }
    }
  };
  write(fields, parts);
  return Uint8Array.from(parts);
}

/**
 * ModelProto bytes of a graph whose n nodes all read the input x: `Add(x, x)` (about 21 bytes a node) or `Relu(x)`.
 * Written straight into one buffer: building a 5 MB file node by node with a Writer takes longer than loading it.
 */
export function fanOutModel(n: number, op: 'Add' | 'Relu'): Uint8Array {
  const enc = new TextEncoder();
  const str = (no: number, s: string, out: number[]): void => {
    const b = enc.encode(s);
    varint((no << 3) | 2, out);
    varint(b.length, out);
    for (const c of b) out.push(c);
  };
  const msg = (no: number, body: number[], out: number[]): void => {
    varint((no << 3) | 2, out);
    varint(body.length, out);
    for (const c of body) out.push(c);
  };
  const buf = new Uint8Array(n * 32 + 1024);
  let pos = 0;
  const put = (a: number[]): void => {
    buf.set(a, pos);
    pos += a.length;
  };
  const graphStart = 16; // room for the model's ir_version and the graph field's key and length, filled in below
  pos = graphStart;
  const x = 0x78,
    opBytes = Array.from(op, (c) => c.charCodeAt(0));
  for (let i = 0; i < n; i++) {
    // NodeProto { input: 'x' (twice for Add), output: 'y<i>', op_type } as graph field 1; every length fits one byte
    const out = `y${i}`;
    const len = (op === 'Add' ? 6 : 3) + 2 + out.length + 2 + opBytes.length;
    buf[pos++] = 0x0a;
    buf[pos++] = len;
    for (let k = op === 'Add' ? 2 : 1; k > 0; k--) {
      buf[pos++] = 0x0a;
      buf[pos++] = 1;
      buf[pos++] = x;
    }
    buf[pos++] = 0x12;
    buf[pos++] = out.length;
    for (let k = 0; k < out.length; k++) buf[pos++] = out.charCodeAt(k);
    buf[pos++] = 0x22;
    buf[pos++] = opBytes.length;
    for (const c of opBytes) buf[pos++] = c;
  }
  const valueInfo = (name: string): number[] => {
    const shape: number[] = [];
    const dimN: number[] = [];
    str(2, 'N', dimN);
    msg(1, dimN, shape);
    const dim3: number[] = [];
    varint(1 << 3, dim3);
    varint(3, dim3);
    msg(1, dim3, shape);
    const tt: number[] = [];
    varint(1 << 3, tt);
    varint(11, tt);
    msg(2, shape, tt);
    const type: number[] = [];
    msg(1, tt, type);
    const vi: number[] = [];
    str(1, name, vi);
    msg(2, type, vi);
    return vi;
  };
  const io: number[] = [];
  msg(11, valueInfo('x'), io);
  msg(12, valueInfo('y0'), io);
  put(io);
  const graphLen = pos - graphStart;
  const head: number[] = [];
  varint(1 << 3, head);
  varint(7, head); // ir_version 7
  varint((7 << 3) | 2, head);
  varint(graphLen, head);
  const opset: number[] = [];
  str(1, '', opset);
  varint(2 << 3, opset);
  varint(13, opset);
  const tail: number[] = [];
  msg(8, opset, tail);
  const out = new Uint8Array(head.length + graphLen + tail.length);
  out.set(head, 0);
  out.set(buf.subarray(graphStart, pos), head.length);
  out.set(tail, head.length + graphLen);
  return out;
}
