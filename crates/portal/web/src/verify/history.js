// The validator sets of a network, followed from its genesis set through each change: the header of the block that
// changed the set is certified by the set before it, and its `next_validator_set_hash` names the new set. What it
// yields ("verified sets") tells which set signs any height, and which sets were signing at any second.
import { FormatError, equalBytes, toHex } from "../bytes.js";
import { checkCertified } from "./certified.js";
import { CheckFailure, Report, fail, report } from "./report.js";
import { exactFields, parseCertified, parseGenesis, parseValidatorSet, str } from "./types.js";

/** Largest JSON document accepted (a history, an answer with proofs): 8 MiB. */
export const MAX_PROOF_JSON_BYTES = 8 << 20;
/** Most set changes a history may list. */
const MAX_CHANGES = 10000;

/** Parse JSON text (at most MAX_PROOF_JSON_BYTES) or pass an object through; `what` names it in errors. */
export function parseJson(input, what) {
  if (typeof input !== "string") return input;
  if (input.length > MAX_PROOF_JSON_BYTES) {
    throw new FormatError(`${what} is ${input.length} bytes, more than the limit of ${MAX_PROOF_JSON_BYTES}`);
  }
  try {
    return JSON.parse(input);
  } catch (e) {
    throw new FormatError(`${what} is not JSON: ${e.message}`);
  }
}

/** The set that signs the block at `height`: the last whose first height is at or below it. */
export function setAtHeight(sets, height) {
  let found = sets.list[0];
  for (const entry of sets.list) if (entry.from <= height) found = entry;
  return found.set;
}

/**
 * The sets that may have signed within second `timestamp`: a set signs the blocks after the block that installed
 * it, up to and including the block that replaced it.
 */
export function setsAtTimestamp(sets, timestamp) {
  const firstMs = timestamp * 1000;
  const lastMs = firstMs + 999;
  return sets.list
    .filter((entry, i) => {
      const until = i + 1 < sets.list.length ? sets.list[i + 1].sinceMs : Infinity;
      return entry.sinceMs < lastMs && until >= firstMs;
    })
    .map((entry) => entry.set);
}

/**
 * Verify a validator history (`GET /v1/validators/history`, JSON text or object) from a genesis document (JSON
 * text or object). Checks: format, chain, history. On success the report carries `sets` for the other verifiers.
 */
export function verifyHistory(genesis, history) {
  return report((r) => {
    const g = parseGenesis(genesis);
    const h = parseJson(history, "the validator history");
    exactFields(h, "the validator history", ["chain_id", "changes"]);
    str(h.chain_id, "the history's chain id");
    if (!Array.isArray(h.changes) || h.changes.length > MAX_CHANGES) {
      throw new FormatError(`the validator history's changes must be a list of at most ${MAX_CHANGES}`);
    }
    r.pass("format", `a genesis document of network ${g.chainId} and a validator history of ${h.changes.length} changes`);
    if (h.chain_id !== g.chainId) {
      fail("chain", `the validator history is of network ${h.chain_id}, but the genesis is of ${g.chainId}: ask the node of that network`);
    }
    r.pass("chain", `the validator history is of network ${g.chainId}`);
    const list = [{ from: 1, sinceMs: g.genesisTimeMs, set: g.set }];
    h.changes.forEach((change, i) => followChange(g.chainId, list, change, i));
    r.pass("history", h.changes.length === 0
      ? "the validator set never changed since the genesis"
      : `${h.changes.length} changes of the validator set, each certified by the set before it; ${list.length} sets in all`,
    h.changes.length === 0
      ? "validerarmängden har aldrig ändrats sedan genesis"
      : `${h.changes.length} ändringar av validerarmängden, var och en certifierad av mängden före den; ${list.length} mängder i allt`);
    return { sets: { chainId: g.chainId, list } };
  });
}

/** Check one change against the set in force before it and append the new set to `list`. */
function followChange(chainId, list, change, i) {
  const at = (detail) => `change ${i + 1} of the validator history: ${detail}`;
  let c;
  let next;
  try {
    exactFields(change, `change ${i + 1}`, ["header", "certificate", "validators"]);
    c = parseCertified({ header: change.header, certificate: change.certificate }, `change ${i + 1}`);
    next = parseValidatorSet(change.validators, `the set of change ${i + 1}`);
  } catch (e) {
    if (e instanceof FormatError) fail("history", at(e.message));
    throw e;
  }
  const current = list[list.length - 1];
  if (c.header.height < current.from) {
    fail("history", at(`it is at height ${c.header.height}, before the previous set's first height ${current.from}; changes must be in height order`));
  }
  try {
    checkCertified(new Report(), c, chainId, current.set);
  } catch (e) {
    if (e instanceof CheckFailure) fail("history", at(`block ${c.header.height}: ${e.message}`));
    throw e;
  }
  if (!equalBytes(c.header.next_validator_set_hash, next.hash)) {
    fail("history", at(`block ${c.header.height} names next set ${toHex(c.header.next_validator_set_hash)}, but the set given hashes to ${toHex(next.hash)}`));
  }
  if (equalBytes(next.hash, current.set.hash)) return;
  list.push({ from: c.header.height + 1, sinceMs: c.header.time_ms, set: next });
}
