// Notary receipts: a C2SP tlog-proof whose `extra` line is the notary log's entry for one document. The checks,
// in order: format, origin (this network's notary log), entry, document (the file's SHA-256, when given),
// inclusion (RFC 9162, the entry's leaf to the checkpoint root), validator-signature and validator-quorum (more
// than two thirds of the set in force at the checkpoint's time signed with both checkpoint keys at one same
// time), witness-signature and witness-quorum (enough independent witnesses cosigned).
import { FormatError, Reader, equalBytes, fromHex, toHex } from "../bytes.js";
import { Report, fail, report } from "./report.js";
import { setsAtTimestamp } from "./history.js";
import { inclusionError, leafHash, makeVerifierKey, parseTlogProof, parseVerifierKey, SIG_COSIG_ML_DSA_44, SIG_ED25519, verifyLine } from "./tlog.js";

/** Most witness keys a policy may list. */
const MAX_WITNESS_KEYS = 64;

/** The name of a network's notary log: the origin line of its checkpoints. */
function logOrigin(chainId) {
  return `publica/${chainId}/notary`;
}

/** Parse a notary log entry (the receipt's `extra` data). */
export function parseEntry(bytes) {
  if (bytes.length > 1 + 32 + 20 + 1 + 64 + 16 + 1 + 128) throw new FormatError("the log entry is longer than any entry can be");
  const r = new Reader(bytes, "the log entry");
  const version = r.u8("version");
  if (version !== 1) throw new FormatError(`the log entry has format version ${version}; this verifier reads version 1`);
  const hash = r.take(32, "document hash");
  const account = r.take(20, "account");
  const agencyBytes = r.take(r.u8("agency length"), "agency");
  const agency = new TextDecoder().decode(agencyBytes);
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(agency)) throw new FormatError("the log entry's agency id is not a valid agency id");
  const height = beU64(r.take(8, "height"));
  const timeMs = beU64(r.take(8, "time"));
  const m = r.u8("label length");
  let label = null;
  if (m > 0) {
    try {
      label = new TextDecoder("utf-8", { fatal: true }).decode(r.take(m, "label"));
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError("the log entry's label is not UTF-8");
    }
    if (/\p{Cc}/u.test(label)) throw new FormatError("the log entry's label holds control characters");
  }
  r.end();
  return { hash: toHex(hash), account: toHex(account), agency, height, timeMs, label };
}

/** A big-endian u64 as a number. */
function beU64(b) {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return Number(v);
}

/** The witness keys of a policy: vkey strings, or `{ name, vkeys }` objects as `/v1/notary/witnesses` lists them. */
function witnessKeys(witnesses) {
  const vkeys = [];
  for (const w of witnesses ?? []) {
    if (typeof w === "string") vkeys.push(w);
    else if (w && Array.isArray(w.vkeys)) vkeys.push(...w.vkeys);
    else throw new FormatError("a witness must be a vkey or an object with `vkeys`");
  }
  if (vkeys.length > MAX_WITNESS_KEYS) throw new FormatError(`the policy lists ${vkeys.length} witness keys, more than ${MAX_WITNESS_KEYS}`);
  return vkeys.map(parseVerifierKey);
}

/** Check the policy can be met and does not take the log's own name for a witness. */
function checkPolicy(keys, minWitnesses, origin) {
  const names = new Set(keys.map((k) => k.name));
  if (!Number.isSafeInteger(minWitnesses) || minWitnesses < 0) fail("policy", "the minimum number of witnesses must be a whole number");
  if (minWitnesses > names.size) {
    fail("policy", `${minWitnesses} witnesses must cosign but only ${names.size} are known; add witness keys or lower the minimum`);
  }
  if (keys.some((k) => k.name === origin)) fail("policy", "a witness key carries the log's own name: validators' keys are not witnesses");
}

/**
 * Which members of `set` signed the checkpoint with both keys, and at which time a quorum attests. Returns
 * `{ ok: true, power, signers, at }`, or `{ ok: false, id, detail }` for a bad line or too little power.
 */
function checkpointQuorum(set, origin, proof) {
  const keys = [];
  set.validators.forEach((v, i) => {
    try {
      keys.push({ i, kind: 0, key: makeVerifierKey(origin, SIG_ED25519, v.logEd) });
      keys.push({ i, kind: 1, key: makeVerifierKey(origin, SIG_COSIG_ML_DSA_44, v.logMl) });
    } catch {
      // A member key no verifier can use is skipped; its member simply does not count.
    }
  });
  const edOk = set.validators.map(() => false);
  const mlTime = set.validators.map(() => null);
  let known = false;
  for (const line of proof.note.signatures) {
    let verified = false;
    let failure = null;
    for (const k of keys.filter((k) => k.key.name === line.name && k.key.id === line.id)) {
      const res = verifyLine(k.key, proof.note.text, proof.checkpoint, line);
      if (!res.ok) {
        failure = res.reason;
        continue;
      }
      verified = true;
      if (k.kind === 0) edOk[k.i] = true;
      else if (res.timestamp !== null && mlTime[k.i] === null) mlTime[k.i] = res.timestamp;
    }
    if (verified) known = true;
    else if (failure) return { ok: false, id: "validator-signature", detail: `${failure}: the checkpoint was altered or its signature forged` };
  }
  if (!known) return { ok: false, id: "validator-signature", detail: "no signature line of a validator of this set is on the checkpoint" };
  const byTime = new Map();
  set.validators.forEach((v, i) => {
    if (edOk[i] && mlTime[i] !== null) byTime.set(mlTime[i], (byTime.get(mlTime[i]) ?? 0) + v.power);
  });
  let best = null;
  for (const [t, p] of [...byTime.entries()].sort((a, b) => a[0] - b[0])) if (!best || p > best.power) best = { at: t, power: p };
  if (!best || best.power < set.quorum) {
    const power = best ? best.power : 0;
    return { ok: false, id: "validator-quorum", detail: `validators holding ${power} of ${set.total} voting power signed the checkpoint with both keys at one same time; more than two thirds (${set.quorum}) are needed` };
  }
  const signers = set.validators.filter((v, i) => edOk[i] && mlTime[i] === best.at).map((v) => v.addressHex);
  return { ok: true, power: best.power, signers, at: best.at };
}

/** Check 6: the quorum of the set in force at the time it attests, trying the latest set first. */
function checkValidators(r, sets, origin, proof) {
  let firstError = null;
  let notInForce = null;
  for (const entry of [...sets.list].reverse()) {
    const q = checkpointQuorum(entry.set, origin, proof);
    if (q.ok) {
      if (setsAtTimestamp(sets, q.at).includes(entry.set)) {
        r.pass("validator-signature", "every signature line of a validator's checkpoint key verifies (Ed25519 and ML-DSA-44)");
        r.pass("validator-quorum", `${q.signers.length} of ${entry.set.validators.length} validators, holding ${q.power} of ${entry.set.total} voting power, signed the checkpoint with both keys at ${new Date(q.at * 1000).toISOString()}`);
        return q;
      }
      notInForce ??= { id: "validator-quorum", detail: `the checkpoint is signed by a validator set that was not signing at its time (${q.at} s); verify with the network's validator history` };
    } else {
      firstError ??= q;
    }
  }
  const e = notInForce ?? firstError;
  if (e.id === "validator-quorum") r.pass("validator-signature", "every signature line of a validator's checkpoint key verifies");
  fail(e.id, e.detail);
}

/** Check 7: no witness line of a policy key fails, and enough witnesses cosigned with every key listed for them. */
function checkWitnesses(r, keys, minWitnesses, proof, pinned) {
  if (!pinned) {
    const result = checkWitnessLines(new Report(), keys, minWitnesses, proof);
    r.pending("witness-quorum", `the witnesses were taken from the node's own list, not pinned (${keys.length} ${keys.length === 1 ? "key" : "keys"}${result.length ? `; ${result.join(", ")} cosigned` : ""}): a node could leave a witness out; pin the witness keys you trust`,
      `vittnena togs från nodens egen lista, inte fästa (${keys.length} ${keys.length === 1 ? "nyckel" : "nycklar"}${result.length ? `; ${result.join(", ")} kontrasignerade` : ""}): en nod kan utelämna ett vittne; fäst de vittnesnycklar du litar på`);
    return result;
  }
  return checkWitnessLines(r, keys, minWitnesses, proof);
}

/** The witness lines of the policy's keys verify and enough witnesses cosigned (see checkWitnesses). */
function checkWitnessLines(r, keys, minWitnesses, proof) {
  if (keys.length === 0) {
    r.pass("witness-quorum", "no independent witness is required (none is pinned for this network)");
    return [];
  }
  const cosigned = [];
  for (const line of proof.note.signatures) {
    for (const k of keys.filter((k) => k.name === line.name && k.id === line.id)) {
      const res = verifyLine(k, proof.note.text, proof.checkpoint, line);
      if (!res.ok) fail("witness-signature", `${res.reason}: a witness's cosignature was altered or forged`);
      if (!cosigned.includes(k)) cosigned.push(k);
    }
  }
  r.pass("witness-signature", `${cosigned.length} witness ${cosigned.length === 1 ? "key" : "keys"} cosigned the checkpoint, every line verifies`);
  const names = [...new Set(keys.map((k) => k.name))];
  const complete = names.filter((n) => keys.filter((k) => k.name === n).every((k) => cosigned.includes(k)));
  if (complete.length < minWitnesses) {
    fail("witness-quorum", `${complete.length} of the trusted witnesses cosigned the checkpoint, ${minWitnesses} are required`);
  }
  r.pass("witness-quorum", `${complete.length} independent ${complete.length === 1 ? "witness" : "witnesses"} cosigned (${complete.join(", ") || "none"}); ${minWitnesses} required`);
  return complete;
}

/**
 * Verify a notary receipt (tlog-proof text) against verified validator sets (from `verifyHistory`). Options:
 * `documentHash` (hex SHA-256 of the file; the `document` check runs only when given), `witnesses` (vkeys or
 * `{ name, vkeys }`), `minWitnesses` (default 0), `witnessesPinned` (default true: the visitor chose the witnesses;
 * false: they are the node's own list, and `witness-quorum` is pending, never passed). On success the report carries `entry`, `index`, `treeSize`,
 * `signedAt` (seconds) and `witnesses`.
 */
export function verifyReceipt(receiptText, sets, { documentHash = null, witnesses = [], minWitnesses = 0, witnessesPinned = true } = {}) {
  return report((r) => {
    const origin = logOrigin(sets.chainId);
    const keys = witnessKeys(witnesses);
    checkPolicy(keys, minWitnesses, origin);
    const proof = parseTlogProof(receiptText);
    r.pass("format", `a C2SP tlog-proof of entry ${proof.index} in a log of ${proof.checkpoint.size} entries, with ${proof.note.signatures.length} signature lines`);
    if (proof.checkpoint.origin !== origin) {
      fail("origin", `the receipt is from log "${proof.checkpoint.origin}", not from this network's log "${origin}": verify it with the genesis of the network that issued it`);
    }
    r.pass("origin", `the checkpoint is of this network's notary log (${origin})`, `kontrollpunkten tillhör detta nätverks notarielogg (${origin})`);
    if (proof.extra === null) fail("entry", "the receipt has no `extra` line with the log entry, so it proves nothing about a document");
    let entry;
    try {
      entry = parseEntry(proof.extra);
    } catch (e) {
      if (e instanceof FormatError) fail("entry", e.message);
      throw e;
    }
    r.pass("entry", `the entry anchors SHA-256 ${entry.hash}, by account ${entry.account} of ${entry.agency}, in block ${entry.height}${entry.label ? ` (label "${entry.label}")` : ""}`);
    if (documentHash !== null) {
      const wanted = toHex(fromHex(documentHash, "the document hash", 32));
      if (!equalBytes(fromHex(wanted, "the document hash"), fromHex(entry.hash, "the entry hash"))) {
        fail("document", `the file's SHA-256 is ${wanted}, but the receipt is for the document with SHA-256 ${entry.hash}: this receipt belongs to another file, or the file was changed`);
      }
      r.pass("document", `the file's SHA-256 is the one the receipt anchors (${wanted})`, `filens SHA-256 är den som kvittot förankrar (${wanted})`);
    }
    const error = inclusionError(leafHash(proof.extra), proof.index, proof.checkpoint.size, proof.proof, proof.checkpoint.root);
    if (error) fail("inclusion", `entry ${proof.index} is not proven to be in the checkpointed log: ${error}`);
    r.pass("inclusion", `the entry is leaf ${proof.index} of the log of ${proof.checkpoint.size} entries whose root the checkpoint signs`,
      `posten är löv ${proof.index} i loggen med ${proof.checkpoint.size} poster vars rot kontrollpunkten signerar`);
    const q = checkValidators(r, sets, origin, proof);
    const complete = checkWitnesses(r, keys, minWitnesses, proof, witnessesPinned);
    return { entry, index: Number(proof.index), treeSize: Number(proof.checkpoint.size), signedAt: q.at, signers: q.signers, witnesses: complete };
  });
}
