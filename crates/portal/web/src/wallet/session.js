// Who is signed in. The browser keeps the key file exactly as given, still encrypted under its passphrase: for this
// browser session only (sessionStorage) unless the visitor asks to remember it on this computer (localStorage).
// The decrypted key lives only in this page's memory and is gone on reload.

import { parseKeyFile } from "./keyfile.js";
import { WalletError } from "./errors.js";

export const KEY_FILE_STORAGE = "publica.wallet.keyfile";

let current = null;

/** The browser's storage of one kind ("session" or "local"), or null when the browser does not allow it. */
function storageOf(kind) {
  try {
    return (kind === "local" ? globalThis.localStorage : globalThis.sessionStorage) ?? null;
  } catch {
    return null;
  }
}

/** Removes the stored key file from one kind of storage, if any. */
function removeFrom(kind) {
  try {
    storageOf(kind)?.removeItem(KEY_FILE_STORAGE);
  } catch {
    // Storage disabled: nothing to remove.
  }
}

/**
 * The stored key file, parsed, with where it is kept (`remembered`: true for this computer, false for this browser
 * session), or null when none is stored. What is stored but is not a key file is dropped.
 */
export function storedKeyFile() {
  for (const kind of ["session", "local"]) {
    let text = null;
    try {
      text = storageOf(kind)?.getItem(KEY_FILE_STORAGE) ?? null;
    } catch {
      text = null;
    }
    if (text === null) continue;
    try {
      return { ...parseKeyFile(text), remembered: kind === "local" };
    } catch {
      removeFrom(kind);
    }
  }
  return null;
}

/**
 * Records a sign-in: the key in memory, and `file`'s text (encrypted) in sessionStorage, or in localStorage when
 * `remember` is true (the other storage is cleared, so the file is in one place only). `address` is the account
 * the key signs for. Throws `storage_failed` when the browser refuses to store, after signing in for this page.
 */
export function signIn(file, key, address = key.address, { remember = false } = {}) {
  current = { file, key, address };
  removeFrom(remember ? "session" : "local");
  try {
    const storage = storageOf(remember ? "local" : "session");
    if (!storage) throw new Error("no storage");
    storage.setItem(KEY_FILE_STORAGE, file.text);
  } catch {
    throw new WalletError("storage_failed");
  }
}

/** The signed-in session `{file, key, address}`, or null. */
export function session() {
  return current;
}

/** The signed-in session, or a refusal that says to sign in. */
export function requireSession() {
  if (!current) throw new WalletError("not_signed_in");
  return current;
}

/** Signs out: forgets the key in memory and the stored key file, wherever it was kept. */
export function forget() {
  current = null;
  removeFrom("session");
  removeFrom("local");
}
