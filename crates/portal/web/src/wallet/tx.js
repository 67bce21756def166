// Publica transactions, built and signed in the browser (docs/signatures.md, docs/api.md).
//
//   body        = borsh(chain_id: string, sender: [u8; 20], nonce: u64, expires_at_ms: u64, call: Call)
//   Call        = u8 module index, then the module's call: u8 method index, then its fields in declaration order
//   signed      = "PUBLICA-SIG-V1" || u8 len || "publica/tx" || u8 len || chain_id || body
//   transaction = body || hybrid signature (3373 bytes, no length prefix)
//   id          = SHA-256(body)
//
// Module and method indices are positions in the ledger's enums, which only ever grow at the end.

import { sha256 } from "@noble/hashes/sha2.js";
import { Writer, concat, fromHex, toHex, utf8 } from "../bytes.js";
import { WalletError } from "./errors.js";
import { ADDRESS_LEN, SIGNATURE_LEN } from "./keyfile.js";

export const TX_TAG = "publica/tx";
export const SIGNING_PREFIX = "PUBLICA-SIG-V1";
/** Largest encoded transaction a node accepts. */
export const MAX_TX_BYTES = 128 * 1024;
/** Most document hashes one anchoring carries. */
export const MAX_ANCHOR_HASHES = 3500;
/** Longest anchoring label, in bytes. */
export const MAX_ANCHOR_LABEL_BYTES = 128;
/** Longest free text of a registry call (a rejection's reason), in bytes. */
export const MAX_REGISTRY_TEXT_BYTES = 512;
/** How far ahead a node accepts an expiry. */
export const MAX_EXPIRY_AHEAD_MS = 7 * 24 * 3600 * 1000;

/** Module indices of the call envelope. */
export const MODULE = { accounts: 0, notary: 1, governance: 2, registry: 3, identity: 4 };
/** Method indices of the notary module. */
const NOTARY = { anchor: 0 };
/** Method indices of the registry module used here. */
const REGISTRY = { approve: 2, reject: 3 };
/** Variant indices of a registry party. */
const PARTY = { account: 0, role: 1 };

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ADDRESS = /^[0-9a-fA-F]{40}$/;
const HASH = /^[0-9a-fA-F]{64}$/;
const CONTROL = /\p{Cc}/u;

/** Refuses an argument of a call, naming it. */
function invalid(detail) {
  throw new WalletError("invalid_argument", detail);
}

/** Checks a u64 given as a BigInt, a safe integer or a decimal string, and returns it as a BigInt. */
export function toU64(value, name) {
  let big = null;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "string" && /^\d{1,20}$/.test(value)) big = BigInt(value);
  else if (Number.isSafeInteger(value)) big = BigInt(value);
  if (big === null || big < 0n || big >= 1n << 64n) invalid(`${name} must be a whole number from 0 to 2^64 - 1`);
  return big;
}

/** Checks a chain id: 1 to 64 characters of a-z, 0-9 and '-', not starting with '-'. */
function checkChainId(chainId) {
  if (typeof chainId !== "string" || chainId.length > 64 || !SLUG.test(chainId)) {
    invalid(`chain id ${JSON.stringify(String(chainId).slice(0, 70))} is not 1 to 64 characters of a-z, 0-9 and '-'`);
  }
}

/** Checks a role name: 1 to 32 characters of a-z, 0-9 and '-', not starting with '-'. */
function checkRole(role) {
  if (typeof role !== "string" || role.length > 32 || !SLUG.test(role)) {
    invalid(`role ${JSON.stringify(String(role).slice(0, 40))} is not 1 to 32 characters of a-z, 0-9 and '-'`);
  }
}

/** Checks a 40-hex-digit address and returns its 20 bytes. */
function addressBytes(address, name) {
  if (typeof address !== "string" || !ADDRESS.test(address)) invalid(`${name} must be 40 hex digits`);
  return fromHex(address, name, ADDRESS_LEN);
}

/** The notary's anchor call: 1 to 3,500 SHA-256 hashes (hex) and an optional printable label (1 to 128 bytes). */
export function anchorCall(hashes, label = null) {
  if (!Array.isArray(hashes) || hashes.length < 1 || hashes.length > MAX_ANCHOR_HASHES) {
    invalid(`an anchoring carries 1 to ${MAX_ANCHOR_HASHES} hashes`);
  }
  for (const h of hashes) if (typeof h !== "string" || !HASH.test(h)) invalid("a document hash is 64 hex digits");
  if (label !== null) {
    const bytes = utf8(label).length;
    if (bytes < 1 || bytes > MAX_ANCHOR_LABEL_BYTES) invalid(`the label is ${bytes} bytes; it must be 1 to ${MAX_ANCHOR_LABEL_BYTES}`);
    if (CONTROL.test(label)) invalid("the label contains control characters (newlines, tabs)");
  }
  return { module: "notary", call: { method: "anchor", hashes: hashes.map((h) => h.toLowerCase()), label } };
}

/** A registry party: `{type: "account", value: address}` or `{type: "role", value: role}`. */
function checkParty(party) {
  if (party?.type === "account") addressBytes(party.value, "the party's address");
  else if (party?.type === "role") checkRole(party.value);
  else invalid('a party is {type: "account" or "role", value}');
  return { type: party.type, value: party.type === "account" ? party.value.toLowerCase() : party.value };
}

/** The registry's approve call: the sender approves `application` on behalf of `party`. */
export function approveCall(application, party) {
  return { module: "registry", call: { method: "approve", application: toU64(application, "the application number"), party: checkParty(party) } };
}

/** The registry's reject call: the sender rejects `application` on behalf of `party`, with a reason (1 to 512 bytes). */
export function rejectCall(application, party, reason) {
  const bytes = utf8(String(reason ?? "")).length;
  if (bytes < 1 || bytes > MAX_REGISTRY_TEXT_BYTES) invalid(`the reason is ${bytes} bytes; it must be 1 to ${MAX_REGISTRY_TEXT_BYTES}`);
  return {
    module: "registry",
    call: { method: "reject", application: toU64(application, "the application number"), party: checkParty(party), reason: String(reason) },
  };
}

/** Writes a registry party. */
function writeParty(w, party) {
  if (party.type === "account") w.u8(PARTY.account).fixed(fromHex(party.value, "a party's address", ADDRESS_LEN), ADDRESS_LEN);
  else w.u8(PARTY.role).string(party.value);
}

/** Writes a call (module, method, fields) in the envelope's borsh form. */
function writeCall(w, { module, call }) {
  if (module === "notary" && call.method === "anchor") {
    w.u8(MODULE.notary).u8(NOTARY.anchor);
    w.vec(call.hashes, (ww, h) => ww.fixed(fromHex(h, "a document hash", 32), 32));
    w.option(call.label, (ww, l) => ww.string(l));
  } else if (module === "registry" && call.method === "approve") {
    w.u8(MODULE.registry).u8(REGISTRY.approve).u64(toU64(call.application, "application"));
    writeParty(w, call.party);
  } else if (module === "registry" && call.method === "reject") {
    w.u8(MODULE.registry).u8(REGISTRY.reject).u64(toU64(call.application, "application"));
    writeParty(w, call.party);
    w.string(call.reason);
  } else {
    invalid(`the call ${module}.${call?.method} is not one this page can sign`);
  }
}

/**
 * The canonical bytes of a transaction body `{chain_id, sender, nonce, expires_at_ms, call}` (nonce and expiry as
 * BigInt, safe integers or decimal strings; call as the API's JSON form, e.g. from `anchorCall`).
 */
export function encodeBody(body) {
  checkChainId(body.chain_id);
  const w = new Writer();
  w.string(body.chain_id);
  w.fixed(addressBytes(body.sender, "the sender"), ADDRESS_LEN);
  w.u64(toU64(body.nonce, "the nonce"));
  w.u64(toU64(body.expires_at_ms, "the expiry"));
  writeCall(w, body.call);
  return w.done();
}

/** The exact bytes both halves of the signature sign: the domain-separated message of `docs/signatures.md`. */
export function signingBytes(chainId, bodyBytes) {
  checkChainId(chainId);
  const tag = utf8(TX_TAG);
  const chain = utf8(chainId);
  return concat(utf8(SIGNING_PREFIX), new Uint8Array([tag.length]), tag, new Uint8Array([chain.length]), chain, bodyBytes);
}

/** The transaction id (hex): SHA-256 of the body's bytes. */
export function txId(bodyBytes) {
  return toHex(sha256(bodyBytes));
}

/** A whole transaction's bytes: the body's, then the 3373-byte hybrid signature. */
export function encodeTransaction(bodyBytes, signature) {
  if (signature.length !== SIGNATURE_LEN) throw new RangeError(`a hybrid signature is ${SIGNATURE_LEN} bytes`);
  return concat(bodyBytes, signature);
}

/**
 * Builds and signs a transaction with `key` (from `decryptKeyFile`). Returns `{id, body, bytes}`; refuses one
 * larger than a node accepts.
 */
export function signTransaction(key, body) {
  const bodyBytes = encodeBody(body);
  const signature = key.sign(signingBytes(body.chain_id, bodyBytes));
  const bytes = encodeTransaction(bodyBytes, signature);
  if (bytes.length > MAX_TX_BYTES) invalid(`the transaction is ${bytes.length} bytes; a node takes at most ${MAX_TX_BYTES}`);
  return { id: txId(bodyBytes), body, bytes };
}
