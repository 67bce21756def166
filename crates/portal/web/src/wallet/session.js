// Who is signed in. The browser keeps the key file exactly as given, still encrypted under its passphrase, in
// localStorage; the decrypted key lives only in this page's memory and is gone on reload. While signed in,
// sessionStorage['publica.address'] names the account for the portal's other pages.

import { parseKeyFile } from "./keyfile.js";
import { WalletError } from "./errors.js";

export const KEY_FILE_STORAGE = "publica.wallet.keyfile";
export const ADDRESS_STORAGE = "publica.address";

let current = null;

/** The stored key file, parsed, or null when none is stored (or what is stored is not a key file, which is dropped). */
export function storedKeyFile(storage = globalThis.localStorage) {
  let text = null;
  try {
    text = storage?.getItem(KEY_FILE_STORAGE) ?? null;
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    return parseKeyFile(text);
  } catch {
    forget();
    return null;
  }
}

/**
 * Records a sign-in: keeps `file`'s text (encrypted) in localStorage, the key in memory and the account's address
 * (`address`: the key's own, or the account a rotated-in key signs for) in sessionStorage. Throws `storage_failed`
 * when the browser refuses to store, after signing in for this page.
 */
export function signIn(file, key, address = key.address) {
  current = { file, key, address };
  try {
    globalThis.sessionStorage?.setItem(ADDRESS_STORAGE, address);
  } catch {
    // The address is a convenience for other pages; signing works without it.
  }
  try {
    globalThis.localStorage?.setItem(KEY_FILE_STORAGE, file.text);
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

/** Signs out: forgets the key in memory, the stored key file and the address. */
export function forget() {
  current = null;
  for (const [storage, key] of [
    [globalThis.localStorage, KEY_FILE_STORAGE],
    [globalThis.sessionStorage, ADDRESS_STORAGE],
  ]) {
    try {
      storage?.removeItem(key);
    } catch {
      // Nothing stored, or storage disabled: nothing to forget.
    }
  }
}
