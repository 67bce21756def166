// A document's SHA-256, computed in the browser in chunks: the file never leaves the computer and is never held
// in memory whole.

import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytes.js";
import { WalletError } from "./errors.js";

/** Largest document the page hashes (4 GiB). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 ** 3;
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * SHA-256 (hex) of a File or Blob, read `chunkBytes` at a time; `onProgress(fraction)` follows the reading.
 */
export async function sha256File(file, { chunkBytes = CHUNK_BYTES, onProgress } = {}) {
  if (file.size > MAX_DOCUMENT_BYTES) throw new WalletError("document_too_large", `${MAX_DOCUMENT_BYTES}`);
  const hash = sha256.create();
  for (let at = 0; at < file.size; at += chunkBytes) {
    const chunk = new Uint8Array(await file.slice(at, Math.min(at + chunkBytes, file.size)).arrayBuffer());
    hash.update(chunk);
    onProgress?.(Math.min(1, (at + chunk.length) / file.size));
  }
  return toHex(hash.digest());
}
