// The wallet's one error type: a stable code the page translates, a detail, and an English message for logs and tests.

/** A refusal with a stable `code` (a key of `strings.js`'s `errors`) and a `detail` shown beside it. */
export class WalletError extends Error {
  constructor(code, detail = "", message = "") {
    super(message || `${code}${detail ? `: ${detail}` : ""}`);
    this.name = "WalletError";
    this.code = code;
    this.detail = detail;
  }
}
