/**
 * A minimal protocol-buffers wire-format writer and reader: exactly what ONNX's ModelProto needs, no schema compiler
 * and no dependency (README "Moving out (ONNX)" says why). Wire types: 0 varint, 1 fixed64, 2 length-delimited,
 * 5 fixed32; groups (3, 4) are deprecated and refused. Everything is little-endian, as the format specifies.
 *
 * The reader never throws anything but `ProtoError` (a plain Error the ONNX importer turns into an NnError), and it
 * never reads outside the bytes it was given: every length is checked against the end of its enclosing message.
 */

/** Malformed wire data: a truncated varint, a length running past the end, an unknown wire type. */
export class ProtoError extends Error {
  override name = 'ProtoError';
}

// ------------------------------------------------------------------------------------------------ writer

/** Builds one message; nested messages are written into their own Writer and added with `message()`. */
export class Writer {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(Math.max(256, n));
    this.pos = 0;
  }

  private varint(v: number): void {
    // Non-negative integers only (sizes, enums, field keys); int64 negatives go through int64().
    this.reserve(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.chunks.push(this.buf.subarray(0, this.pos), b);
    this.buf = new Uint8Array(256);
    this.pos = 0;
  }

  /** An int64/int32/enum field (varint); negative values are written as 10-byte two's complement, as protobuf does. */
  int64(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`proto: int64 field ${field} must be a safe integer, received ${v}`);
    this.key(field, 0);
    if (v >= 0) {
      this.varint(v);
    } else {
      let big = BigInt.asUintN(64, BigInt(v));
      this.reserve(10);
      for (let i = 0; i < 10; i++) {
        const b = Number(big & 0x7fn);
        big >>= 7n;
        this.buf[this.pos++] = big === 0n ? b : b | 0x80;
        if (big === 0n) break;
      }
    }
    return this;
  }

  /** A packed repeated int64 field (non-negative values, e.g. tensor dims). */
  packedInt64(field: number, vs: readonly number[]): this {
    const inner = new Writer();
    for (const v of vs) inner.varint(v);
    this.key(field, 2);
    this.bytes(inner.finish());
    return this;
  }

  /** A float (fixed32) field, e.g. AttributeProto.f. */
  float(field: number, v: number): this {
    this.key(field, 5);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  string(field: number, s: string): this {
    this.key(field, 2);
    this.bytes(new TextEncoder().encode(s));
    return this;
  }

  rawBytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.bytes(b);
    return this;
  }

  message(field: number, m: Writer): this {
    this.key(field, 2);
    this.bytes(m.finish());
    return this;
  }

  finish(): Uint8Array {
    const parts = [...this.chunks, this.buf.subarray(0, this.pos)];
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------ reader

/** One field as read: varints as numbers (int64 values beyond ±2^53 are refused), fixed32/64 as raw bytes. */
export type Field =
  | { no: number; wt: 0; v: number }
  | { no: number; wt: 1 | 5 | 2; v: Uint8Array };

/** Reads one varint at `pos`; returns [value, next]. Values must fit a safe integer (as int64, two's complement). */
function readVarint(b: Uint8Array, pos: number, end: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ProtoError(`truncated varint at byte ${pos}`);
    const byte = b[pos++]!;
    if (i < 7) {
      v += (byte & 0x7f) * mul;
      mul *= 0x80;
      if ((byte & 0x80) === 0) return [v, pos];
    } else {
      // Long varints: redo it with BigInt (only negative int64s and huge values get here).
      let big = 0n;
      let p = pos - i - 1;
      for (let k = 0; k < 10; k++) {
        if (p >= end) throw new ProtoError(`truncated varint at byte ${p}`);
        const c = b[p++]!;
        big |= BigInt(c & 0x7f) << BigInt(7 * k);
        if ((c & 0x80) === 0) {
          const signed = BigInt.asIntN(64, big);
          const n = Number(signed);
          if (!Number.isSafeInteger(n)) throw new ProtoError(`varint ${signed} at byte ${pos - i - 1} is beyond ±2^53`);
          return [n, p];
        }
      }
      throw new ProtoError(`varint longer than 10 bytes at byte ${pos - i - 1}`);
    }
  }
  throw new ProtoError(`varint longer than 10 bytes at byte ${pos}`);
}

/** Splits one message into its fields (in order); nested messages stay as byte views to decode on demand. */
export function readFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const end = b.length;
  while (pos < end) {
    const at = pos;
    const [key, p1] = readVarint(b, pos, end);
    pos = p1;
    const no = Math.floor(key / 8), wt = key % 8;
    if (no < 1 || no > 0x1fffffff) throw new ProtoError(`invalid field number ${no} at byte ${at}`);
    if (wt === 0) {
      const [v, p2] = readVarint(b, pos, end);
      pos = p2;
      out.push({ no, wt: 0, v });
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (pos + n > end) throw new ProtoError(`field ${no} at byte ${at}: ${n}-byte value runs past the end (${end})`);
      out.push({ no, wt, v: b.subarray(pos, pos + n) });
      pos += n;
    } else if (wt === 2) {
      const [len, p2] = readVarint(b, pos, end);
      pos = p2;
      if (len < 0 || pos + len > end) throw new ProtoError(`field ${no} at byte ${at}: length ${len} runs past the end (${end - pos} bytes left)`);
      out.push({ no, wt: 2, v: b.subarray(pos, pos + len) });
      pos += len;
    } else {
      throw new ProtoError(`field ${no} at byte ${at} has wire type ${wt} (expected 0, 1, 2 or 5)`);
    }
  }
  return out;
}

/** Decodes a string field's bytes as UTF-8 (invalid sequences are refused, not replaced). */
export function utf8(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new ProtoError('a string field is not valid UTF-8');
  }
}

/** A varint field's value, or a refusal naming the field if it came with another wire type. */
export function int(f: Field, what: string): number {
  if (f.wt !== 0) throw new ProtoError(`${what} has wire type ${f.wt}, expected a varint`);
  return f.v;
}

/** A length-delimited field's bytes, or a refusal naming the field. */
export function bytesOf(f: Field, what: string): Uint8Array {
  if (f.wt !== 2) throw new ProtoError(`${what} has wire type ${f.wt}, expected length-delimited`);
  return f.v;
}

/** Appends a repeated varint field's values, packed (wire type 2) or not (wire type 0). */
export function pushInts(out: number[], f: Field, what: string): void {
  if (f.wt === 0) {
    out.push(f.v);
    return;
  }
  const b = bytesOf(f, what);
  let pos = 0;
  while (pos < b.length) {
    const [v, p] = readVarint(b, pos, b.length);
    out.push(v);
    pos = p;
  }
}

/**
 * Appends a repeated float (size 4) or double (size 8) field's values, packed or one per field.
 * Returns the values as float64 numbers (float32 values convert exactly).
 */
export function pushReals(out: number[], f: Field, size: 4 | 8, what: string): void {
  const want = size === 4 ? 5 : 1;
  if (f.wt !== want && f.wt !== 2) throw new ProtoError(`${what} has wire type ${f.wt}, expected ${want} or 2 (packed)`);
  const b = f.v as Uint8Array;
  if (b.length % size !== 0) throw new ProtoError(`${what}: ${b.length} bytes is not a multiple of ${size}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o < b.length; o += size) out.push(size === 4 ? dv.getFloat32(o, true) : dv.getFloat64(o, true));
}
