// A small borsh writer (https://borsh.io): little-endian integers, u32-length-prefixed strings and sequences,
// one-byte enum tags and option flags, fixed-size arrays written raw. Enough for the transactions the wallet signs.

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffffffff;

/** Appends borsh encodings to a growing buffer. */
export class BorshWriter {
  constructor() {
    this.buf = new Uint8Array(256);
    this.len = 0;
  }

  /** Makes room for `n` more bytes. */
  reserve(n) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** A u8 (an enum variant's index, an option's flag). */
  u8(value) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`u8 out of range: ${value}`);
    this.reserve(1);
    this.buf[this.len++] = value;
    return this;
  }

  /** A u32, little-endian (lengths of strings and sequences). */
  u32(value) {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) throw new RangeError(`u32 out of range: ${value}`);
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.len, value, true);
    this.len += 4;
    return this;
  }

  /** A u64, little-endian, from a BigInt (or a safe integer). */
  u64(value) {
    const big = typeof value === "bigint" ? value : BigInt(value);
    if (big < 0n || big > U64_MAX) throw new RangeError(`u64 out of range: ${value}`);
    this.reserve(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, big, true);
    this.len += 8;
    return this;
  }

  /** Raw bytes with no length prefix: fixed-size arrays (hashes, addresses, keys, signatures). */
  fixed(bytes, size) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
      throw new RangeError(`expected ${size} bytes, got ${bytes?.length}`);
    }
    this.reserve(size);
    this.buf.set(bytes, this.len);
    this.len += size;
    return this;
  }

  /** A string: u32 byte length, then its UTF-8 bytes. */
  string(text) {
    const bytes = new TextEncoder().encode(text);
    this.u32(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** A sequence: u32 count, then each item written by `writeItem(writer, item)`. */
  vec(items, writeItem) {
    this.u32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** An option: 0 for none (null or undefined), else 1 and the value written by `writeValue(writer, value)`. */
  option(value, writeValue) {
    if (value === null || value === undefined) return this.u8(0);
    this.u8(1);
    writeValue(this, value);
    return this;
  }

  /** The bytes written so far (a copy). */
  bytes() {
    return this.buf.slice(0, this.len);
  }
}
