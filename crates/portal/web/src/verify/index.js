// The portal's verifier, pure (no DOM): each function returns `{ ok, checks: [{ id, ok, detail }] }`.
export { verifyHistory } from "./history.js";
export { verifyCertified } from "./certified.js";
export { verifyDocument } from "./state.js";
export { verifyReceipt } from "./receipt.js";
export { verifyOwnershipAsOf, verifyPermitStatusAsOf } from "./registry.js";
