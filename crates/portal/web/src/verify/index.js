// The portal's verifier, pure (no DOM): each function returns `{ ok, pending?, checks: [{ id, ok, pending?, detail }] }`
// (see report.js); a certified header alone is checked as a block answer by verifyDocument.
export { verifyHistory } from "./history.js";
export { verifyDocument } from "./state.js";
export { verifyReceipt } from "./receipt.js";
export { verifyOwnershipAsOf, verifyPermitStatusAsOf } from "./registry.js";
