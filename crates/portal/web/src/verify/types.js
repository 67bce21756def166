// Publica's data types as the API writes them in JSON, read strictly, and their canonical (borsh) encodings: the
// block header (its hash is what a commit certificate signs), the validator set (its hash is what a header names),
// and the bytes a validator signs when it precommits a block.
import { FormatError, Writer, concat, fromBase64, fromHex, sha256, utf8 } from "../bytes.js";

/** Hybrid public key: ML-DSA-65 (1952 bytes) then Ed25519 (32 bytes). */
export const ML_DSA_65_PUBLIC_KEY_LEN = 1952;
export const PUBLIC_KEY_LEN = ML_DSA_65_PUBLIC_KEY_LEN + 32;
/** Hybrid signature: ML-DSA-65 (3309 bytes) then Ed25519 (64 bytes). */
export const ML_DSA_65_SIGNATURE_LEN = 3309;
export const SIGNATURE_LEN = ML_DSA_65_SIGNATURE_LEN + 64;
/** Most validators in a set. */
const MAX_VALIDATORS = 256;
/** Prefix of every message a hybrid key signs. */
const SIGNING_PREFIX = utf8("PUBLICA-SIG-V1");
const ADDRESS_DOMAIN = utf8("publica/address/v1");

/** Throws FormatError unless `obj` is a plain object with exactly `fields` (optional ones in `optional`). */
export function exactFields(obj, what, fields, optional = []) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new FormatError(`${what} must be an object`);
  for (const f of fields) if (!(f in obj)) throw new FormatError(`${what} has no \`${f}\` field`);
  for (const k of Object.keys(obj)) {
    if (!fields.includes(k) && !optional.includes(k)) throw new FormatError(`${what} has an unknown field \`${k}\``);
  }
}

/** A JSON unsigned integer that is exactly representable (at most 2^53 - 1), and at most `max`. */
export function uint(v, what, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new FormatError(`${what} must be a whole number from 0 to ${max}`);
  return v;
}

/** A JSON string of 1 to `max` bytes. */
export function str(v, what, max = 255) {
  if (typeof v !== "string" || v.length === 0 || utf8(v).length > max) {
    throw new FormatError(`${what} must be a string of 1 to ${max} bytes`);
  }
  return v;
}

/** A 32-byte hash written as 64 hex digits. */
export function hash32(v, what) {
  return fromHex(v, what, 32);
}

/** A 20-byte address written as 40 hex digits. */
export function address(v, what) {
  return fromHex(v, what, 20);
}

/** Parse a block header (JSON form) into `{ fields..., bytes, hash }`. */
function parseHeader(json) {
  exactFields(json, "the header", [
    "version", "chain_id", "height", "time_ms", "parent_hash", "proposer", "tx_root", "tx_count",
    "evidence_root", "state_root", "validator_set_hash", "next_validator_set_hash",
  ]);
  const h = {
    version: uint(json.version, "the header's version", 0xffff),
    chain_id: str(json.chain_id, "the header's chain id"),
    height: uint(json.height, "the header's height"),
    time_ms: uint(json.time_ms, "the header's time"),
    parent_hash: hash32(json.parent_hash, "the header's parent hash"),
    proposer: address(json.proposer, "the header's proposer"),
    tx_root: hash32(json.tx_root, "the header's tx_root"),
    tx_count: uint(json.tx_count, "the header's tx_count", 0xffffffff),
    evidence_root: hash32(json.evidence_root, "the header's evidence_root"),
    state_root: hash32(json.state_root, "the header's state_root"),
    validator_set_hash: hash32(json.validator_set_hash, "the header's validator_set_hash"),
    next_validator_set_hash: hash32(json.next_validator_set_hash, "the header's next_validator_set_hash"),
  };
  h.bytes = new Writer()
    .u16(h.version).string(h.chain_id).u64(h.height).u64(h.time_ms).bytes(h.parent_hash).bytes(h.proposer)
    .bytes(h.tx_root).u32(h.tx_count).bytes(h.evidence_root).bytes(h.state_root)
    .bytes(h.validator_set_hash).bytes(h.next_validator_set_hash).done();
  h.hash = sha256(h.bytes);
  return h;
}

/** Parse a commit certificate (JSON form). */
function parseCertificate(json) {
  exactFields(json, "the certificate", ["height", "round", "block_hash", "signatures"]);
  if (!Array.isArray(json.signatures)) throw new FormatError("the certificate's signatures must be a list");
  if (json.signatures.length > MAX_VALIDATORS) {
    throw new FormatError(`the certificate has ${json.signatures.length} signatures, more than ${MAX_VALIDATORS}`);
  }
  return {
    height: uint(json.height, "the certificate's height"),
    round: uint(json.round, "the certificate's round", 0xffffffff),
    block_hash: hash32(json.block_hash, "the certificate's block hash"),
    signatures: json.signatures.map((s, i) => {
      exactFields(s, `signature ${i + 1} of the certificate`, ["validator", "signature"]);
      const sig = fromBase64(s.signature, `signature ${i + 1} of the certificate`);
      if (sig.length !== SIGNATURE_LEN) {
        throw new FormatError(`signature ${i + 1} of the certificate is ${sig.length} bytes, a hybrid signature has ${SIGNATURE_LEN}`);
      }
      return { validator: address(s.validator, `the signer of signature ${i + 1}`), signature: sig };
    }),
  };
}

/** Parse `{ header, certificate }` (a certified header). */
export function parseCertified(json, what = "the certified header") {
  exactFields(json, what, ["header", "certificate"]);
  return { header: parseHeader(json.header), certificate: parseCertificate(json.certificate) };
}

/** The address of a hybrid public key: the first 20 bytes of SHA-256(domain ‖ 0x00 ‖ key). */
export function addressOf(publicKey) {
  return sha256(concat(ADDRESS_DOMAIN, new Uint8Array([0]), publicKey)).subarray(0, 20);
}

/** Parse a validator set (JSON `{ "validators": [...] }`) into `{ validators, total, quorum, hash }`. */
export function parseValidatorSet(json, what = "the validator set") {
  exactFields(json, what, ["validators"]);
  const list = json.validators;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VALIDATORS) {
    throw new FormatError(`${what} must list 1 to ${MAX_VALIDATORS} validators`);
  }
  const w = new Writer().u32(list.length);
  let total = 0;
  const validators = list.map((v, i) => {
    const name = `validator ${i + 1} of ${what}`;
    exactFields(v, name, ["address", "public_key", "voting_power", "log_keys"]);
    const addr = address(v.address, `the address of ${name}`);
    const publicKey = fromBase64(v.public_key, `the public key of ${name}`);
    if (publicKey.length !== PUBLIC_KEY_LEN) throw new FormatError(`the public key of ${name} is not ${PUBLIC_KEY_LEN} bytes`);
    if (compareBytes(addressOf(publicKey), addr) !== 0) throw new FormatError(`the address of ${name} does not match its key`);
    const power = uint(v.voting_power, `the voting power of ${name}`);
    if (power === 0) throw new FormatError(`${name} has zero voting power`);
    exactFields(v.log_keys, `the checkpoint keys of ${name}`, ["ed25519", "ml_dsa_44"]);
    const logEd = fromHex(v.log_keys.ed25519, `the checkpoint Ed25519 key of ${name}`, 32);
    const logMl = fromHex(v.log_keys.ml_dsa_44, `the checkpoint ML-DSA-44 key of ${name}`, 1312);
    total += power;
    if (!Number.isSafeInteger(total) || total > 2 ** 50) throw new FormatError(`${what}'s total voting power is too large`);
    w.bytes(addr).bytes(publicKey).u64(power).bytes(logEd).vecU8(logMl);
    return { address: addr, addressHex: v.address.toLowerCase(), publicKey, power, logEd, logMl };
  });
  for (let i = 1; i < validators.length; i++) {
    if (compareBytes(validators[i - 1].address, validators[i].address) >= 0) {
      throw new FormatError(`${what}'s validators are not sorted by address without repeats`);
    }
  }
  const quorum = Math.floor((total * 2) / 3) + 1;
  return { validators, total, quorum, hash: sha256(w.done()) };
}

/** The validator of `set` with this address, or undefined. */
export function member(set, addr) {
  return set.validators.find((v) => compareBytes(v.address, addr) === 0);
}

/** Lexicographic comparison of two byte arrays. */
function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The domain-separated message a hybrid key signs: prefix ‖ u8 len ‖ tag ‖ u8 len ‖ chain id ‖ body. */
function signingMessage(tag, chainId, body) {
  const t = utf8(tag);
  const c = utf8(chainId);
  return concat(SIGNING_PREFIX, new Uint8Array([t.length]), t, new Uint8Array([c.length]), c, body);
}

/** The bytes validator `validator` signs when it precommits block `blockHash` at (height, round). */
export function precommitBytes(chainId, height, round, blockHash, validator) {
  const body = new Writer().u64(height).u32(round).u8(1).u8(1).bytes(blockHash).bytes(validator).done();
  return signingMessage("publica/vote", chainId, body);
}

/** Parse a genesis document (JSON text or object) into `{ chainId, genesisTimeMs, set, json }`. */
export function parseGenesis(input) {
  let json = input;
  if (typeof input === "string") {
    if (input.length > 4 * 1024 * 1024) throw new FormatError("the genesis document is larger than 4 MiB");
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new FormatError(`the genesis document is not JSON: ${e.message}`);
    }
  }
  exactFields(json, "the genesis document", ["chain_id", "genesis_time_ms", "agencies", "validators"]);
  if (!Array.isArray(json.agencies) || json.agencies.length === 0) {
    throw new FormatError("the genesis document names no founding agency");
  }
  return {
    chainId: str(json.chain_id, "the genesis chain id"),
    genesisTimeMs: uint(json.genesis_time_ms, "the genesis time"),
    set: parseValidatorSet(json.validators, "the genesis validator set"),
    json,
  };
}
