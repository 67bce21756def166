// The record kinds of the contracts module that a page may name (`KIND:ID`, see verify/records.js), with the forms
// of their ids. Kept apart, with no imports, so that the verifier can list them while it loads.

/**
 * The record kinds of this module a page may name, with their ids' forms: a page of the instance list (its first
 * number); an instance (its number); a page of an instance's events (`ID:FROM`); one key of an instance's state
 * (`ID:SHA256`, the SHA-256 of the key's bytes, so that a long key still fits a record name); a call's receipt (its
 * transaction id); an agency's policy (its id).
 */
export const CONTRACT_KIND_IDS = {
  contracts: /^(0|[1-9]\d{0,19})$/,
  instance: /^(0|[1-9]\d{0,19})$/,
  contractevents: /^(0|[1-9]\d{0,19}):(0|[1-9]\d{0,19})$/,
  contractstate: /^(0|[1-9]\d{0,19}):[0-9a-f]{64}$/,
  callreceipt: /^[0-9a-f]{64}$/,
  contractpolicy: /^[a-z0-9][a-z0-9-]{0,63}$/,
};
