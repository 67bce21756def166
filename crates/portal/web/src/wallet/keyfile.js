// Publica key files: the CLI's passphrase-encrypted JSON (docs/keys.md). The 32-byte file key is argon2id (version
// 0x13) of the passphrase with the file's salt and cost; XChaCha20-Poly1305 then opens the 64-byte secret, with
// associated data "publica/keyfile" || u32_be(version) || public key. The secret is the ML-DSA-65 seed (32 bytes)
// followed by the Ed25519 secret key (32 bytes); both public keys are derived from it and must equal the file's.

import { argon2idAsync } from "@noble/hashes/argon2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { concat, equalBytes, fromBase64, toHex, utf8 } from "../bytes.js";
import { WalletError } from "./errors.js";

/** Largest key file accepted, in bytes (real files are about 3 KiB). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
/** Longest passphrase accepted, in bytes. */
export const MAX_PASSPHRASE_BYTES = 4096;
/** Longest label, in bytes. */
export const MAX_LABEL_BYTES = 256;
/** Upper bounds on the argon2id cost a file may ask for, so a hostile file cannot exhaust the browser. */
export const KDF_LIMITS = { maxMemoryKib: 1024 * 1024, maxPasses: 64, maxLanes: 16 };

export const KEY_FILE_VERSION = 1;
export const ML_DSA_65_PUBLIC_KEY_LEN = 1952;
export const ED25519_PUBLIC_KEY_LEN = 32;
export const PUBLIC_KEY_LEN = ML_DSA_65_PUBLIC_KEY_LEN + ED25519_PUBLIC_KEY_LEN;
export const ML_DSA_65_SIGNATURE_LEN = 3309;
export const ED25519_SIGNATURE_LEN = 64;
export const SIGNATURE_LEN = ML_DSA_65_SIGNATURE_LEN + ED25519_SIGNATURE_LEN;
export const ADDRESS_LEN = 20;

const SALT_LEN = 16;
const NONCE_LEN = 24;
const SECRET_LEN = 64;
const TAG_LEN = 16;
const AAD_DOMAIN = "publica/keyfile";
const ADDRESS_DOMAIN = "publica/address/v1";

/** The address of a hybrid public key: the first 20 bytes of SHA-256("publica/address/v1" || 0x00 || key), hex. */
export function addressOf(publicKey) {
  return toHex(sha256(concat(utf8(ADDRESS_DOMAIN), new Uint8Array([0]), publicKey)).subarray(0, ADDRESS_LEN));
}

/** Refuses a key file whose structure is wrong, naming the field. */
function refuse(detail) {
  throw new WalletError("key_file_invalid", detail);
}

/** Decodes a base64 field of the key file that must hold exactly `size` bytes. */
function field(name, text, size) {
  let bytes;
  try {
    bytes = fromBase64(text, name);
  } catch {
    refuse(`${name} is not standard base64`);
  }
  if (bytes.length !== size) refuse(`${name} holds ${bytes.length} bytes, not ${size}`);
  return bytes;
}

/** Checks the argon2id cost against argon2's rules and the upper bounds above. */
function checkKdf(kdf) {
  const whole = (v) => Number.isSafeInteger(v) && v > 0;
  const { maxMemoryKib, maxPasses, maxLanes } = KDF_LIMITS;
  if (!whole(kdf.p) || kdf.p > maxLanes) refuse(`kdf.p = ${kdf.p} must be between 1 and ${maxLanes}`);
  if (!whole(kdf.t) || kdf.t > maxPasses) refuse(`kdf.t = ${kdf.t} must be between 1 and ${maxPasses}`);
  if (!whole(kdf.m_kib) || kdf.m_kib < 8 * kdf.p || kdf.m_kib > maxMemoryKib) {
    refuse(`kdf.m_kib = ${kdf.m_kib} must be between ${8 * kdf.p} and ${maxMemoryKib}`);
  }
}

/**
 * Parses and checks a key file's text without the passphrase: size, version, algorithm names, field sizes, cost
 * bounds, label length, and that the address belongs to the public key. Returns the parsed file.
 */
export function parseKeyFile(text) {
  if (typeof text !== "string") refuse("not text");
  if (utf8(text).length > MAX_KEY_FILE_BYTES) {
    throw new WalletError("key_file_too_large", `${MAX_KEY_FILE_BYTES}`);
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    refuse("not JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) refuse("not a JSON object");
  if (json.version !== KEY_FILE_VERSION) refuse(`version ${json.version} is not supported (this page reads ${KEY_FILE_VERSION})`);
  const kdf = json.kdf ?? {};
  const cipher = json.cipher ?? {};
  if (kdf.name !== "argon2id") refuse(`kdf ${JSON.stringify(kdf.name)} is not argon2id`);
  if (cipher.name !== "xchacha20poly1305") refuse(`cipher ${JSON.stringify(cipher.name)} is not xchacha20poly1305`);
  checkKdf(kdf);
  if (typeof json.label !== "string" || utf8(json.label).length > MAX_LABEL_BYTES) {
    refuse(`the label must be text of at most ${MAX_LABEL_BYTES} bytes`);
  }
  const publicKey = field("public_key", json.public_key, PUBLIC_KEY_LEN);
  const address = addressOf(publicKey);
  if (typeof json.address !== "string" || json.address.toLowerCase() !== address) {
    refuse(`address ${String(json.address).slice(0, 40)} does not belong to the public key (its address is ${address})`);
  }
  return {
    text,
    kdf: { m: kdf.m_kib, t: kdf.t, p: kdf.p },
    salt: field("kdf.salt", kdf.salt, SALT_LEN),
    nonce: field("cipher.nonce", cipher.nonce, NONCE_LEN),
    ciphertext: field("ciphertext", json.ciphertext, SECRET_LEN + TAG_LEN),
    publicKey,
    address,
    label: json.label,
  };
}

/** The associated data that binds the ciphertext to the file's version and public key. */
function associatedData(publicKey) {
  const version = new Uint8Array(4);
  new DataView(version.buffer).setUint32(0, KEY_FILE_VERSION, false);
  return concat(utf8(AAD_DOMAIN), version, publicKey);
}

/**
 * Decrypts a parsed key file with `passphrase`. `onProgress(fraction)` follows argon2id, which takes seconds.
 * A wrong passphrase and a changed file give the same refusal: authenticated encryption cannot tell them apart.
 * Returns a signing key (see `signingKey`).
 */
export async function decryptKeyFile(file, passphrase, { onProgress } = {}) {
  const secretPass = utf8(passphrase ?? "");
  if (secretPass.length === 0) throw new WalletError("passphrase_empty");
  if (secretPass.length > MAX_PASSPHRASE_BYTES) throw new WalletError("passphrase_too_long", `${MAX_PASSPHRASE_BYTES}`);
  const key = await argon2idAsync(secretPass, file.salt, {
    t: file.kdf.t,
    m: file.kdf.m,
    p: file.kdf.p,
    dkLen: 32,
    version: 0x13,
    asyncTick: 20,
    maxmem: (KDF_LIMITS.maxMemoryKib + 1024) * 1024,
    onProgress,
  });
  secretPass.fill(0);
  let secret;
  try {
    secret = xchacha20poly1305(key, file.nonce, associatedData(file.publicKey)).decrypt(file.ciphertext);
  } catch {
    throw new WalletError("wrong_passphrase");
  } finally {
    key.fill(0);
  }
  const signer = signingKey(secret);
  secret.fill(0);
  if (!equalBytes(signer.publicKey, file.publicKey)) {
    throw new WalletError("key_file_invalid", "the decrypted secret key does not match the file's public key");
  }
  return signer;
}

/**
 * A hybrid signing key from the 64-byte secret (ML-DSA-65 seed, then Ed25519 secret key): its public key
 * (ML-DSA-65 public key || Ed25519 public key), address, and `sign(message)`, which returns the ML-DSA-65
 * signature (FIPS 204, pure, empty context, hedged) followed by the Ed25519 signature (RFC 8032) of the same bytes.
 */
export function signingKey(secret) {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_LEN) {
    throw new WalletError("key_file_invalid", `the secret key holds ${secret?.length} bytes, not ${SECRET_LEN}`);
  }
  const mlDsa = ml_dsa65.keygen(secret.slice(0, 32));
  const edSecret = secret.slice(32);
  const publicKey = concat(mlDsa.publicKey, ed25519.getPublicKey(edSecret));
  return {
    publicKey,
    address: addressOf(publicKey),
    sign(message) {
      const signature = concat(ml_dsa65.sign(message, mlDsa.secretKey), ed25519.sign(message, edSecret));
      if (signature.length !== SIGNATURE_LEN) throw new Error(`hybrid signature of ${signature.length} bytes`);
      return signature;
    },
  };
}

/** Verifies a hybrid signature (both halves) over `message` under a hybrid public key; returns true or false. */
export function verifyHybrid(publicKey, message, signature) {
  if (publicKey.length !== PUBLIC_KEY_LEN || signature.length !== SIGNATURE_LEN) return false;
  const mlDsaOk = ml_dsa65.verify(
    signature.subarray(0, ML_DSA_65_SIGNATURE_LEN),
    message,
    publicKey.subarray(0, ML_DSA_65_PUBLIC_KEY_LEN),
  );
  const edOk = ed25519.verify(
    signature.subarray(ML_DSA_65_SIGNATURE_LEN),
    message,
    publicKey.subarray(ML_DSA_65_PUBLIC_KEY_LEN),
  );
  return mlDsaOk && edOk;
}
