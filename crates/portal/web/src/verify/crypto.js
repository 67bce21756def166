// Signature checks with the audited @noble libraries: hybrid signatures (ML-DSA-65 and Ed25519 over the same
// message, both required), and the checkpoint keys' Ed25519 and ML-DSA-44 signatures.
import { ml_dsa44, ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { ML_DSA_65_PUBLIC_KEY_LEN, ML_DSA_65_SIGNATURE_LEN } from "./types.js";

/** Ed25519 (RFC 8032, ZIP-215 rules as Publica's nodes use); false on any malformed input. */
export function ed25519Verify(signature, message, publicKey) {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true });
  } catch {
    return false;
  }
}

/** ML-DSA-44 (FIPS 204, pure, empty context); false on any malformed input. */
export function mlDsa44Verify(signature, message, publicKey) {
  try {
    return ml_dsa44.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** ML-DSA-65 (FIPS 204, pure, empty context); false on any malformed input. */
export function mlDsa65Verify(signature, message, publicKey) {
  try {
    return ml_dsa65.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * A hybrid signature: the ML-DSA-65 half under the key's first 1952 bytes and the Ed25519 half under its last 32.
 * Returns null when both verify, else which half failed ("ML-DSA-65" or "Ed25519").
 */
export function hybridVerify(signature, message, publicKey) {
  const mlKey = publicKey.subarray(0, ML_DSA_65_PUBLIC_KEY_LEN);
  const edKey = publicKey.subarray(ML_DSA_65_PUBLIC_KEY_LEN);
  if (!mlDsa65Verify(signature.subarray(0, ML_DSA_65_SIGNATURE_LEN), message, mlKey)) return "ML-DSA-65";
  if (!ed25519Verify(signature.subarray(ML_DSA_65_SIGNATURE_LEN), message, edKey)) return "Ed25519";
  return null;
}
