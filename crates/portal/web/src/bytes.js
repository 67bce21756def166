// Bytes, hashes and encodings shared by every part of the portal's script: hex, standard base64, UTF-8, SHA-256, and a
// borsh reader and writer. Every decoder is strict and bounded, and throws a FormatError with a plain message naming what it
// refused; the report builders turn it into a failed check.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** An input that does not have the expected shape. */
export class FormatError extends Error {}

/** SHA-256 of `bytes` (a Uint8Array). */
export function sha256(bytes) {
  return nobleSha256(bytes);
}

/** One Uint8Array holding every part in order. */
export function concat(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Bytes of a hex string (either case); `length` bytes exactly when given. Throws FormatError naming `what`. */
export function fromHex(text, what, length) {
  if (typeof text !== "string" || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new FormatError(`${what} must be an even number of hex digits`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  if (length !== undefined && out.length !== length) {
    throw new FormatError(`${what} must be ${length} bytes (${2 * length} hex digits), it is ${out.length}`);
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Standard padded base64 of `bytes`. */
export function toBase64(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return out;
}

/**
 * Bytes of canonical standard padded base64: the length a multiple of four, padding only at the end, and no
 * stray bits in the last character (re-encoding gives the same text). Throws FormatError naming `what`.
 */
export function fromBase64(text, what) {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new FormatError(`${what} is not standard padded base64`);
  }
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (B64_INDEX.get(text[i]) << 18) |
      (B64_INDEX.get(text[i + 1]) << 12) |
      ((B64_INDEX.get(text[i + 2]) ?? 0) << 6) |
      (B64_INDEX.get(text[i + 3]) ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  if (toBase64(out) !== text) throw new FormatError(`${what} is not canonical base64`);
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/** Builds borsh encodings (little-endian integers, u32-length-prefixed strings and vectors). */
export class Writer {
  constructor() {
    this.parts = [];
  }

  /** Append raw bytes. */
  bytes(b) {
    this.parts.push(b);
    return this;
  }

  /** Append an unsigned integer of `size` bytes, little-endian; `value` a number or bigint. Throws RangeError out of range. */
  uint(value, size) {
    if (typeof value !== "bigint" && !Number.isInteger(value)) throw new RangeError(`u${8 * size} must be a whole number: ${value}`);
    let v = BigInt(value);
    if (v < 0n || v >= 1n << BigInt(8 * size)) throw new RangeError(`u${8 * size} out of range: ${value}`);
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this.bytes(out);
  }

  /** Append a u8. */
  u8(v) {
    return this.uint(v, 1);
  }

  /** Append a u16. */
  u16(v) {
    return this.uint(v, 2);
  }

  /** Append a u32. */
  u32(v) {
    return this.uint(v, 4);
  }

  /** Append a u64. */
  u64(v) {
    return this.uint(v, 8);
  }

  /** Append a borsh string: u32 length then UTF-8. */
  string(s) {
    const b = utf8(s);
    return this.u32(b.length).bytes(b);
  }

  /** Append a borsh Vec<u8>: u32 length then the bytes. */
  vecU8(b) {
    return this.u32(b.length).bytes(b);
  }

  /** Append a fixed-size array raw, with no length prefix (a hash, an address); throws RangeError unless it holds `size` bytes. */
  fixed(b, size) {
    if (!(b instanceof Uint8Array) || b.length !== size) throw new RangeError(`expected ${size} bytes, got ${b?.length}`);
    return this.bytes(b);
  }

  /** Append a borsh Vec: u32 count, then each item written by `writeItem(writer, item)`. */
  vec(items, writeItem) {
    this.u32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** Append a borsh Option: 0 for none (null or undefined), else 1 and the value written by `writeValue(writer, value)`. */
  option(value, writeValue) {
    if (value === null || value === undefined) return this.u8(0);
    this.u8(1);
    writeValue(this, value);
    return this;
  }

  /** The bytes written so far. */
  done() {
    return concat(...this.parts);
  }
}

/** Reads borsh encodings from untrusted bytes; every read throws FormatError when the input runs out. */
export class Reader {
  constructor(bytes, what) {
    this.b = bytes;
    this.pos = 0;
    this.what = what;
  }

  /** The next `n` bytes. */
  take(n, field) {
    if (this.pos + n > this.b.length) throw new FormatError(`${this.what} is truncated in the ${field}`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** An unsigned little-endian integer of `size` bytes as a bigint. */
  uint(size, field) {
    const b = this.take(size, field);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  }

  /** A u8 as a number. */
  u8(field) {
    return this.take(1, field)[0];
  }

  /** A u32 as a number. */
  u32(field) {
    return Number(this.uint(4, field));
  }

  /** A u64 as a number when it is a safe integer (bigint otherwise). */
  u64(field) {
    return safe(this.uint(8, field));
  }

  /** A u128 as a bigint. */
  u128(field) {
    return this.uint(16, field);
  }

  /** A borsh bool (0 or 1, nothing else). */
  bool(field) {
    const b = this.u8(field);
    if (b > 1) throw new FormatError(`${this.what}: ${field} is not a boolean`);
    return b === 1;
  }

  /** A borsh string of at most `max` bytes. */
  string(field, max = 4096) {
    const n = this.u32(field);
    if (n > max) throw new FormatError(`${this.what}: ${field} is ${n} bytes, more than ${max}`);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.take(n, field));
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(`${this.what}: ${field} is not UTF-8`);
    }
  }

  /** A borsh Option: `read()` when the tag is 1, null when 0. */
  option(field, read) {
    const tag = this.u8(field);
    if (tag > 1) throw new FormatError(`${this.what}: ${field} has option tag ${tag}`);
    return tag === 1 ? read() : null;
  }

  /** A borsh Vec of at most `max` items, each from `read()`. */
  vec(field, max, read) {
    const n = this.u32(field);
    if (n > max) throw new FormatError(`${this.what}: ${field} has ${n} items, more than ${max}`);
    const out = [];
    for (let i = 0; i < n; i++) out.push(read(i));
    return out;
  }

  /** Throws unless every byte was read. */
  end() {
    if (this.pos !== this.b.length) {
      throw new FormatError(`${this.what} has ${this.b.length - this.pos} bytes left over after its last field`);
    }
  }
}

/** A bigint as a number when it is a safe integer, else the bigint. */
export function safe(v) {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
