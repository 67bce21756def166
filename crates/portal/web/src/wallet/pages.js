// The wallet page (`/wallet`, `<body data-page="wallet">`): sign in with a Publica key file, see the account, and
// act — anchor a document as a notary, approve or reject a registry application as one of its parties. Everything
// is built inside the server-rendered `<div id="wallet-app">`; on any other page this module does nothing.

import { pageStrings } from "./strings.js";
import { forget } from "./session.js";
import { accountSection, keyIsCurrent, signInSection } from "./signin.js";
import { anchorSection, applicationSection } from "./actions.js";
import { h, replace } from "./dom.js";

/** Whether the account may anchor: an active official holding the notary role. */
function isNotary(record) {
  const account = record?.account;
  return account?.kind?.type === "official" && account.active && (account.kind.roles ?? []).includes("notary");
}

/** Whether the account is an official's (who may hold the notary role), not a citizen's. */
function isOfficial(record) {
  return record?.account?.kind?.type === "official";
}

/** Shows the sign-in form in `root`. */
function showSignIn(root, t, message) {
  const section = signInSection(t, (signedIn) => showSignedIn(root, t, signedIn));
  replace(root, section);
  if (message) replace(section.querySelector("#wallet-signin-status"), message);
}

/** Shows the signed-in account and the actions it can take. */
function showSignedIn(root, t, signedIn) {
  const onSignOut = () => {
    forget();
    showSignIn(root, t, t.signedOut);
    root.querySelector("#wallet-keyfile")?.focus();
  };
  const account = accountSection(t, signedIn, onSignOut);
  const usable = signedIn.account && keyIsCurrent(signedIn.account.account, signedIn.publicKey);
  replace(
    root,
    account,
    usable && isNotary(signedIn.account) ? anchorSection(t) : null,
    usable ? applicationSection(t, signedIn) : null,
    usable && isOfficial(signedIn.account) && !isNotary(signedIn.account) ? h("p", { class: "muted", id: "wallet-no-anchor" }, t.notNotary) : null,
  );
  account.querySelector("#wallet-account-heading").focus();
}

/** Builds the wallet in `#wallet-app` on the wallet page; does nothing elsewhere. */
export function init(doc = document) {
  const root = doc.getElementById("wallet-app");
  if (!root || doc.body?.dataset?.page !== "wallet") return;
  showSignIn(root, pageStrings(doc));
}
