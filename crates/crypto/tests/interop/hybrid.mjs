// An independent implementation of Publica's hybrid sealing (the construction written out in the crypto crate's
// `kem` module docs), from other people's code: ML-KEM-768 (FIPS 203) and XChaCha20-Poly1305 from the @noble
// libraries, X25519 (RFC 7748) and HKDF-SHA256 (RFC 5869) from Node's OpenSSL. It opens messages the crate sealed
// and seals messages for the crate to open.
//
// Usage: node hybrid.mjs CASES.json, where CASES.json is
//   { "open": [{ "key_file": <recipient key file>, "context": "<base64>", "sealed": <sealed message> }, …],
//     "seal": [{ "public_key": <recipient public key>, "context": "<base64>", "plaintext": "<base64>" }, …] }
// and the report on standard output is
//   { "opened": [{ "ok": true, "plaintext": "<base64>" } | { "ok": false, "error": "…" }, …],
//     "sealed": [<sealed message>, …] }
import { readFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from "node:crypto";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";

const LABEL = Buffer.from("publica/kem/v1");
const VERSION = 1;
// DER prefixes of an X25519 private key (PKCS #8) and public key (SPKI), RFC 8410, before the 32 raw bytes.
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

/** Standard base64 of exactly `length` bytes (any length when omitted). */
function bytes(text, what, length) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`${what} is not base64`);
  const out = Buffer.from(text, "base64");
  if (length !== undefined && out.length !== length) throw new Error(`${what} has ${out.length} bytes, not ${length}`);
  return out;
}

const b64 = (b) => Buffer.from(b).toString("base64");

function x25519(secret, peer) {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secret]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, peer]), format: "der", type: "spki" });
  // OpenSSL refuses an all-zero result (a point of low order), as the crate does.
  return diffieHellman({ privateKey, publicKey });
}

function u32be(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** key = HKDF-SHA256(no salt, ss_M || ss_X || E || X, LABEL || u32_be(len C) || C), 32 bytes. */
function deriveKey(mlKemShared, x25519Shared, ephemeral, recipient, context) {
  const ikm = Buffer.concat([mlKemShared, x25519Shared, ephemeral, recipient]);
  const info = Buffer.concat([LABEL, u32be(context.length), context]);
  return new Uint8Array(hkdfSync("sha256", ikm, Buffer.alloc(0), info, 32));
}

const associatedData = (context) => Buffer.concat([LABEL, Buffer.from([0]), context]);

function open({ key_file: keyFile, context: contextText, sealed }) {
  if (keyFile.version !== 1) throw new Error(`key file version ${keyFile.version}`);
  if (sealed.version !== VERSION) throw new Error(`sealed message version ${sealed.version}`);
  const context = bytes(contextText, "the context");
  const x = bytes(keyFile.x25519_secret, "the X25519 secret", 32);
  const dk = bytes(keyFile.ml_kem_secret, "the ML-KEM-768 secret key", 2400);
  const recipient = bytes(keyFile.public_key.x25519, "the X25519 public key", 32);
  const ephemeral = bytes(sealed.x25519_ephemeral, "the ephemeral key", 32);
  const mlKemCiphertext = bytes(sealed.ml_kem_ciphertext, "the ML-KEM-768 ciphertext", 1088);
  const nonce = bytes(sealed.nonce, "the nonce", 24);
  const ciphertext = bytes(sealed.ciphertext, "the ciphertext");
  const mlKemShared = ml_kem768.decapsulate(mlKemCiphertext, dk);
  const key = deriveKey(mlKemShared, x25519(x, ephemeral), ephemeral, recipient, context);
  return xchacha20poly1305(key, nonce, associatedData(context)).decrypt(ciphertext);
}

function seal({ public_key: publicKey, context: contextText, plaintext: plaintextText }) {
  const context = bytes(contextText, "the context");
  const plaintext = bytes(plaintextText, "the plaintext");
  const recipient = bytes(publicKey.x25519, "the X25519 public key", 32);
  const ek = bytes(publicKey.ml_kem, "the ML-KEM-768 public key", 1184);
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(ek);
  const pair = generateKeyPairSync("x25519");
  const ephemeral = Buffer.from(pair.publicKey.export({ format: "jwk" }).x, "base64url");
  const x25519Shared = diffieHellman({
    privateKey: pair.privateKey,
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, recipient]), format: "der", type: "spki" }),
  });
  const key = deriveKey(sharedSecret, x25519Shared, ephemeral, recipient, context);
  const nonce = randomBytes(24);
  const ciphertext = xchacha20poly1305(key, nonce, associatedData(context)).encrypt(plaintext);
  return { version: VERSION, x25519_ephemeral: b64(ephemeral), ml_kem_ciphertext: b64(cipherText), nonce: b64(nonce), ciphertext: b64(ciphertext) };
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const opened = (cases.open ?? []).map((c) => {
  try {
    return { ok: true, plaintext: b64(open(c)) };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
const sealed = (cases.seal ?? []).map(seal);
process.stdout.write(JSON.stringify({ opened, sealed }));
