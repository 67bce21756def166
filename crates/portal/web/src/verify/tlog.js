// C2SP transparency-log formats: signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint),
// cosignatures (c2sp.org/tlog-cosignature, Ed25519 and ML-DSA-44), tlog-proofs (c2sp.org/tlog-proof@v1) and the
// RFC 9162 inclusion proof. Parsers throw FormatError; signature checks return a reason or null.
import { FormatError, concat, equalBytes, fromBase64, sha256, utf8, Writer } from "../bytes.js";
import { ed25519Verify, mlDsa44Verify } from "./crypto.js";

/** Largest tlog-proof accepted: a receipt is a few KB; this leaves room for many cosignatures. */
export const MAX_RECEIPT_BYTES = 256 * 1024;
/** Most signature lines on a note. */
const MAX_SIGNATURES = 2 * 256 + 64;
/** Most inclusion-proof hashes (a tree of 2^64 leaves has 64 levels). */
const MAX_PROOF_HASHES = 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;
/** Signature types: Ed25519 note signature, Ed25519 cosignature, ML-DSA-44 cosignature. */
export const SIG_ED25519 = 0x01;
const SIG_COSIG_ED25519 = 0x04;
export const SIG_COSIG_ML_DSA_44 = 0x06;
const KEY_LEN = { [SIG_ED25519]: 32, [SIG_COSIG_ED25519]: 32, [SIG_COSIG_ML_DSA_44]: 1312 };
const SIG_LEN = { [SIG_ED25519]: 64, [SIG_COSIG_ED25519]: 72, [SIG_COSIG_ML_DSA_44]: 8 + 2420 };

/** Throws unless `text` is free of control characters other than newline. */
function checkControls(text, what) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw new FormatError(`${what} holds a control character at offset ${i}`);
  }
}

/** A canonical decimal (no sign, no leading zero) as a bigint. */
function decimal(text, what) {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text) || BigInt(text) > 2n ** 64n - 1n) {
    throw new FormatError(`${what} \`${text}\` is not a canonical decimal number`);
  }
  return BigInt(text);
}

/** A 32-byte hash in standard base64. */
function b64Hash(text, what) {
  const h = fromBase64(text, what);
  if (h.length !== 32) throw new FormatError(`${what} is ${h.length} bytes, not 32`);
  return h;
}

/** The C2SP key id: the first four bytes of SHA-256(name ‖ "\n" ‖ type ‖ key), big-endian. */
function keyId(name, type, publicKey) {
  const d = sha256(concat(utf8(name), new Uint8Array([0x0a, type]), publicKey));
  return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
}

/** Whether a key name is valid: non-empty, no space, no `+`, no control character. */
function validName(name) {
  return name.length > 0 && !/[\s+\u0000-\u001f]/u.test(name);
}

/** A verifier key `{ name, id, type, key }` from its parts (checks the key length). */
export function makeVerifierKey(name, type, key) {
  if (!validName(name)) throw new FormatError(`key name \`${name}\` is not valid`);
  if (KEY_LEN[type] === undefined) throw new FormatError(`signature type 0x${type.toString(16)} is not supported`);
  if (key.length !== KEY_LEN[type]) throw new FormatError(`a key of type 0x${type.toString(16)} has ${KEY_LEN[type]} bytes, not ${key.length}`);
  return { name, id: keyId(name, type, key), type, key };
}

/** Parse a C2SP vkey `<name>+<hex id>+<base64 type ‖ key>`, checking its stated key id. */
export function parseVerifierKey(vkey) {
  if (typeof vkey !== "string" || vkey.length > 4096) throw new FormatError("a verifier key must be text of at most 4096 characters");
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new FormatError("a verifier key is `<name>+<hex key id>+<base64 key>`");
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new FormatError(`key id \`${idHex}\` is not 8 lowercase hex digits`);
  const raw = fromBase64(vkey.slice(second + 1), "verifier key material");
  if (raw.length === 0) throw new FormatError("verifier key material is empty");
  const key = makeVerifierKey(name, raw[0], raw.subarray(1));
  if (key.id !== parseInt(idHex, 16)) throw new FormatError(`verifier key ${name} states key id ${idHex}, but its key has id ${key.id.toString(16).padStart(8, "0")}`);
  return key;
}

/** Parse a signed note: `{ text, signatures: [{ name, id, sig }] }` (text includes its final newline). */
function parseNote(text) {
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new FormatError("the signed note has no empty line between its text and its signatures");
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (!block.endsWith("\n")) throw new FormatError("the signed note has no signature, or its last line has no newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new FormatError(`the note has ${lines.length} signature lines, more than ${MAX_SIGNATURES}`);
  const signatures = lines.map((line) => {
    if (!line.startsWith("\u2014 ")) throw new FormatError("a signature line does not start with an em dash and a space");
    const rest = line.slice(2);
    const space = rest.indexOf(" ");
    if (space < 0) throw new FormatError("a signature line has no space after the key name");
    const name = rest.slice(0, space);
    if (!validName(name)) throw new FormatError(`signature key name \`${name}\` is not valid`);
    const bytes = fromBase64(rest.slice(space + 1), `the signature of ${name}`);
    if (bytes.length < 5) throw new FormatError(`the signature of ${name} is too short for a key id and a signature`);
    const id = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    return { name, id, sig: bytes.subarray(4) };
  });
  return { text: body, signatures };
}

/** Parse a checkpoint's note text: origin, size, root, extension lines. */
function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new FormatError("the checkpoint text does not end with a newline");
  const lines = text.slice(0, -1).split("\n");
  const empty = lines.findIndex((l) => l.length === 0);
  if (empty >= 0) throw new FormatError(`checkpoint line ${empty + 1} is empty`);
  if (lines.length < 3) throw new FormatError("the checkpoint needs an origin, a tree size and a root hash");
  return {
    origin: lines[0],
    size: decimal(lines[1], "the checkpoint tree size"),
    root: b64Hash(lines[2], "the checkpoint root hash"),
    extensions: lines.slice(3),
  };
}

/**
 * Parse a tlog-proof (text): `{ extra (bytes or null), index (bigint), proof: [hash], note, checkpoint, text }`.
 */
export function parseTlogProof(text) {
  if (typeof text !== "string") throw new FormatError("the receipt must be text");
  if (utf8(text).length > MAX_RECEIPT_BYTES) throw new FormatError(`the receipt is larger than ${MAX_RECEIPT_BYTES} bytes`);
  checkControls(text, "the receipt");
  const split = text.indexOf("\n\n");
  if (split < 0) throw new FormatError("the receipt has no empty line before its checkpoint");
  const lines = text.slice(0, split).split("\n");
  if (lines[0] !== "c2sp.org/tlog-proof@v1") throw new FormatError("the receipt's first line must be `c2sp.org/tlog-proof@v1`");
  let i = 1;
  let extra = null;
  if (lines[i] !== undefined && lines[i].startsWith("extra ")) {
    extra = fromBase64(lines[i].slice(6), "the receipt's extra data");
    i++;
  }
  if (lines[i] === undefined || !lines[i].startsWith("index ")) throw new FormatError("the receipt's `index <n>` line is missing");
  const index = decimal(lines[i].slice(6), "the receipt index");
  const hashes = lines.slice(i + 1);
  if (hashes.length > MAX_PROOF_HASHES) throw new FormatError(`the inclusion proof has ${hashes.length} hashes, more than ${MAX_PROOF_HASHES}`);
  const proof = hashes.map((h, n) => b64Hash(h, `inclusion proof hash ${n + 1}`));
  const note = parseNote(text.slice(split + 2));
  const checkpoint = parseCheckpoint(note.text);
  return { extra, index, proof, note, checkpoint };
}

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ entry). */
export function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), entry));
}

/** RFC 9162 interior node: SHA-256(0x01 ‖ left ‖ right). */
function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** RFC 9162 §2.1.3.2: null when `proof` binds `leaf` at `index` to `root` of a tree of `size`, else the reason. */
export function inclusionError(leaf, index, size, proof, root) {
  if (index >= size) return `index ${index} is outside a tree of ${size} entries`;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return "the proof has more hashes than the tree has levels";
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return "the proof has fewer hashes than the tree has levels";
  if (!equalBytes(r, root)) return "the proof does not lead to the checkpoint's root hash";
  return null;
}

/** The message an ML-DSA-44 cosigner signs for a checkpoint (subtree/v1 of [0, size)). */
function mlDsa44Message(name, timestamp, checkpoint) {
  const n = utf8(name);
  const o = utf8(checkpoint.origin);
  return new Writer()
    .bytes(utf8("subtree/v1\n\0")).bytes(new Uint8Array([n.length])).bytes(n).bytes(be64(timestamp))
    .bytes(new Uint8Array([o.length])).bytes(o).bytes(be64(0n)).bytes(be64(checkpoint.size)).bytes(checkpoint.root).done();
}

/** A u64 big-endian. */
function be64(v) {
  const out = new Uint8Array(8);
  let x = BigInt(v);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Read a big-endian u64 timestamp. */
function readTimestamp(bytes) {
  let t = 0n;
  for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(bytes[i]);
  return t;
}

/**
 * Verify one signature line under `key` (same name and id). Returns `{ ok: true, timestamp }` (timestamp a number
 * of seconds, null for a plain note signature) or `{ ok: false, reason }`.
 */
export function verifyLine(key, noteText, checkpoint, line) {
  const bad = (reason) => ({ ok: false, reason: `the signature line of ${key.name}+${key.id.toString(16).padStart(8, "0")} ${reason}` });
  if (line.sig.length !== SIG_LEN[key.type]) return bad(`is ${line.sig.length} bytes, not ${SIG_LEN[key.type]}`);
  if (key.type === SIG_ED25519) {
    return ed25519Verify(line.sig, utf8(noteText), key.key) ? { ok: true, timestamp: null } : bad("does not verify");
  }
  const timestamp = readTimestamp(line.sig.subarray(0, 8));
  if (timestamp > MAX_TIMESTAMP) return bad("carries a timestamp beyond 2^63 - 1");
  const sig = line.sig.subarray(8);
  let ok;
  if (key.type === SIG_COSIG_ED25519) {
    ok = ed25519Verify(sig, utf8(`cosignature/v1\ntime ${timestamp}\n${noteText}`), key.key);
  } else {
    ok = mlDsa44Verify(sig, mlDsa44Message(key.name, timestamp, checkpoint), key.key);
  }
  return ok ? { ok: true, timestamp: Number(timestamp) } : bad("does not verify");
}
