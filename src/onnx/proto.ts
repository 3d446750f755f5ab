/**
 * A minimal protocol-buffers wire-format writer and reader: exactly what ONNX's ModelProto needs, no schema compiler
 * and no dependency (docs/onnx.md "No dependency for this" says why). Wire types: 0 varint, 1 fixed64, 2 length-delimited,
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
    if (!Number.isSafeInteger(v))
      throw new RangeError(`proto: int64 field ${field} must be a safe integer, received ${v}`);
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

/**
 * Reads one message's fields in order without allocating per field (a hostile file may hold millions of them; a
 * view or an object per field made garbage collection the main cost). After `next()` returns true, `no` and `wt`
 * name the field; a varint's value is in `v`, any other value's bytes are `b[start, end)`. Nested messages are read
 * with `message()`, a new reader over the same bytes. Byte offsets in errors count from the start of the file.
 */
export class FieldReader {
  no = 0;
  wt = 0;
  /** the value of a varint field (wire type 0) */
  v = 0;
  /** the value's bytes of a fixed32, fixed64 or length-delimited field */
  start = 0;
  end = 0;
  /** the offset of the current field's key */
  at = 0;
  private pos: number;

  constructor(
    readonly b: Uint8Array,
    from = 0,
    private readonly limit = b.length,
  ) {
    this.pos = from;
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    this.at = this.pos;
    const key = this.varint();
    const no = Math.floor(key / 8),
      wt = key % 8;
    if (no < 1 || no > 0x1fffffff) throw new ProtoError(`invalid field number ${no} at byte ${this.at}`);
    this.no = no;
    this.wt = wt;
    if (wt === 0) {
      this.v = this.varint();
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (this.pos + n > this.limit)
        throw new ProtoError(`field ${no} at byte ${this.at}: ${n}-byte value runs past the end (${this.limit})`);
      this.start = this.pos;
      this.end = this.pos += n;
    } else if (wt === 2) {
      const len = this.varint();
      if (len < 0 || len > this.limit - this.pos) {
        throw new ProtoError(
          `field ${no} at byte ${this.at}: length ${len} runs past the end (${this.limit - this.pos} bytes left)`,
        );
      }
      this.start = this.pos;
      this.end = this.pos += len;
    } else {
      throw new ProtoError(`field ${no} at byte ${this.at} has wire type ${wt} (expected 0, 1, 2 or 5)`);
    }
    return true;
  }

  /** A second reader over the rest of this message (for a counting pass ahead of this one). */
  fork(): FieldReader {
    return new FieldReader(this.b, this.pos, this.limit);
  }

  /** A reader over the current length-delimited field, or a refusal naming it. */
  message(what: string): FieldReader {
    this.expect(2, what, 'length-delimited');
    return new FieldReader(this.b, this.start, this.end);
  }

  /** The current varint field's value, or a refusal naming it. */
  int(what: string): number {
    this.expect(0, what, 'a varint');
    return this.v;
  }

  /** The current length-delimited field's bytes (a view), or a refusal naming it. */
  bytes(what: string): Uint8Array {
    this.expect(2, what, 'length-delimited');
    return this.b.subarray(this.start, this.end);
  }

  /** The current length-delimited field as UTF-8 text (invalid sequences are refused, not replaced). */
  string(what: string): string {
    this.expect(2, what, 'length-delimited');
    return utf8(this.b, this.start, this.end);
  }

  /** Appends a repeated varint field's values, packed (wire type 2) or not (wire type 0). */
  pushInts(out: number[], what: string): void {
    if (this.wt === 0) {
      out.push(this.v);
      return;
    }
    this.expect(2, what, 'a varint or packed');
    const inner = new FieldReader(this.b, this.start, this.end);
    while (inner.pos < inner.limit) out.push(inner.varint());
  }

  /**
   * Appends a repeated float (size 4) or double (size 8) field's values, packed or one per field, as float64 numbers
   * (float32 values convert exactly).
   */
  pushReals(out: number[], size: 4 | 8, what: string): void {
    const want = size === 4 ? 5 : 1;
    if (this.wt !== want && this.wt !== 2)
      throw new ProtoError(`${what} has wire type ${this.wt}, expected ${want} or 2 (packed)`);
    const n = this.end - this.start;
    if (n % size !== 0) throw new ProtoError(`${what}: ${n} bytes is not a multiple of ${size}`);
    const dv = new DataView(this.b.buffer, this.b.byteOffset + this.start, n);
    for (let o = 0; o < n; o += size) out.push(size === 4 ? dv.getFloat32(o, true) : dv.getFloat64(o, true));
  }

  private expect(wt: number, what: string, name: string): void {
    if (this.wt !== wt) throw new ProtoError(`${what} at byte ${this.at} has wire type ${this.wt}, expected ${name}`);
  }

  /** Reads one varint; values must fit a safe integer (as int64, two's complement). */
  private varint(): number {
    const b = this.b,
      end = this.limit,
      from = this.pos;
    let pos = from;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= end) throw new ProtoError(`truncated varint at byte ${pos}`);
      const byte = b[pos++]!;
      v += (byte & 0x7f) * mul;
      mul *= 0x80;
      if ((byte & 0x80) === 0) {
        this.pos = pos;
        return v;
      }
    }
    // Long varints: redo it with BigInt (only negative int64s and huge values get here).
    let big = 0n;
    pos = from;
    for (let k = 0; k < 10; k++) {
      if (pos >= end) throw new ProtoError(`truncated varint at byte ${pos}`);
      const c = b[pos++]!;
      big |= BigInt(c & 0x7f) << BigInt(7 * k);
      if ((c & 0x80) === 0) {
        const signed = BigInt.asIntN(64, big);
        const n = Number(signed);
        if (!Number.isSafeInteger(n)) throw new ProtoError(`varint ${signed} at byte ${from} is beyond ±2^53`);
        this.pos = pos;
        return n;
      }
    }
    throw new ProtoError(`varint longer than 10 bytes at byte ${from}`);
  }
}

/** One field as read by readFields: varints as numbers, other values as views of their bytes. */
export type Field = { no: number; wt: 0; v: number } | { no: number; wt: 1 | 5 | 2; v: Uint8Array };

/** All of one message's fields (for tests and tools; the decoder iterates with FieldReader instead). */
export function readFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  const r = new FieldReader(b);
  while (r.next()) {
    out.push(
      r.wt === 0 ? { no: r.no, wt: 0, v: r.v } : { no: r.no, wt: r.wt as 1 | 5 | 2, v: b.subarray(r.start, r.end) },
    );
  }
  return out;
}

/** One decoder for every string (making one per string cost more than the rest of decoding a node). */
let decoder: TextDecoder | undefined;

/** Decodes b[start, end) as UTF-8 (invalid sequences are refused, not replaced). */
export function utf8(b: Uint8Array, start = 0, end = b.length): string {
  // names are short and nearly always ASCII: build those directly
  if (end - start <= 32) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  try {
    return (decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(b.subarray(start, end));
  } catch {
    throw new ProtoError('a string field is not valid UTF-8');
  }
}
