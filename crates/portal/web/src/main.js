// The portal's script: every page loads it. It shows times in the visitor's time zone and starts the parts of
// the page that work in the browser (checking proofs, hashing documents, signing). Each part looks for its own
// elements and does nothing on a page without them.
import { init as initCredentials } from "./credential/pages.js";
import { init as initDataLog } from "./data/pages.js";
import { localTimes } from "./time.js";
import { init as initVerify } from "./verify/pages.js";
import { init as initWallet } from "./wallet/pages.js";

function start() {
  localTimes(document);
  initVerify();
  initWallet();
  initCredentials();
  initDataLog();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
