// The sign-in form (a key file and its passphrase, or the passphrase alone for the file this browser keeps) and
// the signed-in account's card.

import { parseKeyFile, decryptKeyFile, MAX_KEY_FILE_BYTES } from "./keyfile.js";
import { fetchAccount, fetchSignerAccount } from "./api.js";
import { forget, signIn, storedKeyFile } from "./session.js";
import { WalletError } from "./errors.js";
import { errorText } from "./strings.js";
import { dropTarget, h, hex, link, replace, showError } from "./dom.js";
import { toBase64 } from "../bytes.js";

/** Reads a chosen key file's text, refusing one over the size limit before reading it. */
async function readKeyFile(file) {
  if (file.size > MAX_KEY_FILE_BYTES) throw new WalletError("key_file_too_large", `${MAX_KEY_FILE_BYTES}`);
  return parseKeyFile(await file.text());
}

/**
 * Builds the sign-in section. Once a key is decrypted and its account read, `onSignedIn` runs with
 * `{address, keyAddress, publicKey, account, storageError}`: the account's address (the key's own, or the account a
 * rotated-in key signs for), the key's address and public key, the account record with its next nonce (null when
 * the address is not registered), and the refusal of a browser that would not store the key file (else null).
 */
export function signInSection(t, onSignedIn) {
  const stored = storedKeyFile();
  const status = h("p", { id: "wallet-signin-status", role: "status", "aria-live": "polite" });
  const error = h("div", { id: "wallet-signin-error", class: "error", role: "alert", hidden: true });
  const progress = h("progress", { id: "wallet-kdf-progress", max: "100", value: "0" });
  const progressRow = h("p", { id: "wallet-kdf", hidden: true }, h("label", { for: "wallet-kdf-progress" }, t.derivingLabel), " ", progress);
  const fileInput = h("input", { type: "file", id: "wallet-keyfile", name: "keyfile", accept: ".json,application/json" });
  const passInput = h("input", { type: "password", id: "wallet-passphrase", name: "passphrase", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary", id: "wallet-signin-button" }, stored ? t.unlock : t.signIn);
  const rememberInput = h("input", { type: "checkbox", id: "wallet-remember", name: "remember", "aria-describedby": "wallet-remember-note" });
  rememberInput.checked = Boolean(stored?.remembered);

  const form = h(
    "form",
    { id: "wallet-signin-form", novalidate: true },
    stored
      ? h("p", { id: "wallet-stored-note" }, t.storedNote(stored.address, stored.remembered))
      : dropTarget(h("div", { class: "dropzone" }, h("label", { for: "wallet-keyfile" }, t.keyFile), " ", fileInput, h("p", { class: "muted" }, t.dropHint)), fileInput),
    h("p", {}, h("label", { for: "wallet-passphrase" }, t.passphrase), " ", passInput),
    h("p", {}, rememberInput, " ", h("label", { for: "wallet-remember" }, t.remember)),
    h("p", { class: "muted", id: "wallet-remember-note" }, t.rememberNote),
    h("p", {}, submit, " ", stored ? h("button", { type: "button", id: "wallet-forget", onclick: () => onForget() }, t.forget) : null),
  );
  const section = h("section", { id: "wallet-signin", class: "card", "aria-labelledby": "wallet-signin-heading" }, h("h2", { id: "wallet-signin-heading" }, t.signInHeading), form, progressRow, status, error);

  /** Forgets the stored file and starts again with an empty form. */
  function onForget() {
    forget();
    const fresh = signInSection(t, onSignedIn);
    section.replaceWith(fresh);
    replace(fresh.querySelector("#wallet-signin-status"), t.signedOut);
    fresh.querySelector("#wallet-keyfile")?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, "");
    submit.disabled = true;
    try {
      const chosen = fileInput.files?.[0];
      if (!stored && !chosen) throw new WalletError("key_file_missing");
      const file = stored ?? (await readKeyFile(chosen));
      progress.value = 0;
      progressRow.hidden = false;
      replace(status, t.deriving);
      const key = await decryptKeyFile(file, passInput.value, { onProgress: (p) => (progress.value = Math.round(p * 100)) });
      passInput.value = "";
      progress.value = 100;
      replace(status, t.checkingAccount);
      const address = (await fetchSignerAccount(key.address)) ?? key.address;
      const record = await fetchAccount(address);
      let storageError = null;
      try {
        signIn(file, key, address, { remember: rememberInput.checked });
      } catch (e) {
        storageError = e;
      }
      replace(status, t.signedInAs(address));
      onSignedIn({ address, keyAddress: key.address, publicKey: key.publicKey, account: record, storageError });
    } catch (e) {
      passInput.value = "";
      replace(status, "");
      showError(error, errorText(t, e));
      (e.code?.startsWith("key_file") && !stored ? fileInput : passInput).focus();
    } finally {
      progressRow.hidden = true;
      submit.disabled = false;
    }
  });
  return section;
}

/** A row of the account's description list. */
function row(term, ...value) {
  return [h("dt", {}, term), h("dd", {}, ...value)];
}

/** Whether the account's registered key is the key that signed in (it differs after a rotation). */
export function keyIsCurrent(account, publicKey) {
  return account?.public_key === toBase64(publicKey);
}

/**
 * The signed-in account's card: address, kind, agency and roles, active, next nonce; a note when the address is
 * not registered or its key was rotated; and "Sign out", which calls `onSignOut`.
 */
export function accountSection(t, { address, keyAddress, publicKey, account: record, storageError }, onSignOut) {
  const account = record?.account;
  const kind = account?.kind;
  const rows = record
    ? [
        row(t.address, link(`/accounts/${address}`, hex(address))),
        keyAddress && keyAddress !== address ? row(t.keyAddress, hex(keyAddress)) : null,
        row(t.kind, kind?.type === "official" ? t.official : t.citizen),
        kind?.type === "official" ? row(t.agency, kind.agency) : row(t.registeredBy, kind?.registered_by_agency ?? ""),
        kind?.type === "official" ? row(t.roles, (kind.roles ?? []).join(", ")) : null,
        row(t.active, account.active ? t.yes : t.no),
        row(t.nextNonce, String(record.nextNonce)),
      ]
    : [row(t.address, hex(address))];
  let note = null;
  if (!record) note = h("p", { class: "error", id: "wallet-account-note" }, t.notRegistered);
  else if (!keyIsCurrent(account, publicKey)) note = h("p", { class: "error", id: "wallet-account-note" }, t.keyRotated);
  return h(
    "section",
    { id: "wallet-account", class: "card", "aria-labelledby": "wallet-account-heading", "data-address": address },
    h("h2", { id: "wallet-account-heading", tabindex: "-1" }, t.accountHeading),
    h("dl", { class: "facts" }, rows),
    note,
    storageError ? h("p", { class: "error" }, errorText(t, storageError)) : null,
    h("p", {}, h("button", { type: "button", id: "wallet-signout", onclick: onSignOut }, t.signOut)),
  );
}
