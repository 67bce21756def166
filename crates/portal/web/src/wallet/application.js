// An application as the ledger proves it, before anyone signs for it. The node's answer to
// `GET /v1/registry/applications/{id}` carries state proofs under a certified header for three keys:
//
//   reg/app/<id>/h                    the latest version number (u32, little-endian)
//   reg/app/<id>/v/ ‖ u32_be(version) the borsh version record of the application at that version
//   reg/appx/<id>                     the borsh action, whose SHA-256 the application names as its action_hash
//
// Every proof is checked against validator sets verified from the trusted genesis; the version record is decoded
// here, and the JSON the node shows must say exactly what was proven. Only then may the page offer to sign.

import { FormatError, Reader, equalBytes, sha256, toHex, utf8 } from "../bytes.js";
import { KIND_APPLICATION, decodeVersion } from "../verify/registry.js";
import { verifyDocument } from "../verify/state.js";
import { WalletError } from "./errors.js";

/** Largest proven application record decoded, bytes (the ledger's own limit for one version). */
const MAX_RECORD_BYTES = 64 * 1024;
/** Workflow names by the action's variant index. */
const ACTIONS = ["transfer", "subdivide", "merge", "register_company", "dissolve_company", "company_filing"];
/** Variant indices whose first field is the parcel concerned. */
const PARCEL_ACTIONS = new Set([0, 1]);
const NUMBER = /^\d{1,20}$/;

/** Refuses with `code` and a detail saying what did not hold. */
function refuse(code, detail) {
  throw new WalletError(code, detail);
}

/** The application number a visitor typed, as a decimal string without leading zeros; refuses anything else. */
export function applicationNumber(typed) {
  const text = String(typed ?? "").trim();
  if (!NUMBER.test(text) || BigInt(text) >= 1n << 64n) refuse("invalid_argument", "an application number is a whole number");
  return BigInt(text).toString();
}

/** The state keys that prove application `id` at `version`. */
export function applicationKeys(id, version) {
  const versionBytes = new Uint8Array(4);
  new DataView(versionBytes.buffer).setUint32(0, version, false);
  const prefix = `reg/app/${id}`;
  return {
    head: utf8(`${prefix}/h`),
    version: new Uint8Array([...utf8(`${prefix}/v/`), ...versionBytes]),
    action: utf8(`reg/appx/${id}`),
  };
}

/**
 * Decodes a proven application version record into the JSON form the node shows (`answer.application`), with the
 * registry decoder the verifier uses for every record version.
 */
export function decodeApplicationVersion(bytes) {
  if (bytes.length > MAX_RECORD_BYTES) refuse("application_unproven", `the proven record is ${bytes.length} bytes, more than ${MAX_RECORD_BYTES}`);
  try {
    return { kind: "application", ...decodeVersion(KIND_APPLICATION, bytes) };
  } catch (e) {
    if (e instanceof FormatError) refuse("application_unproven", `the proven application record: ${e.message}`);
    throw e;
  }
}

/** The first place where `shown` differs from `proven` (a path like `value.approvals[1].by`), or null. */
export function firstDifference(proven, shown, path = "") {
  if (Array.isArray(proven)) {
    if (!Array.isArray(shown)) return path || "the whole";
    if (proven.length !== shown.length) return `${path} (${shown.length} shown, ${proven.length} proven)`;
    for (let i = 0; i < proven.length; i++) {
      const d = firstDifference(proven[i], shown[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (proven !== null && typeof proven === "object") {
    if (shown === null || typeof shown !== "object" || Array.isArray(shown)) return path || "the whole";
    const names = new Set([...Object.keys(proven), ...Object.keys(shown)]);
    for (const name of names) {
      const d = firstDifference(proven[name], shown[name], path ? `${path}.${name}` : name);
      if (d) return d;
    }
    return null;
  }
  const same = typeof proven === "bigint" || typeof shown === "bigint" ? String(proven) === String(shown) : proven === shown;
  return same ? null : path || "the whole";
}

/** The proven value under `key` among the document's proven reads, or a refusal naming what is missing. */
function provenValue(reads, key, what) {
  const read = reads.find((x) => equalBytes(x.key, key));
  if (!read) refuse("application_unproven", `the answer carries no proof of ${what}`);
  if (read.value === null) refuse("application_unproven", `the proof shows ${what} absent`);
  return read;
}

/** Where an application stands at block time `timeMs`: an open one past its deadline is expired. */
export function standing(status, deadlineMs, timeMs) {
  if (status.type === "open" && timeMs > Number(deadlineMs)) return "expired";
  return status.type;
}

/** The action's workflow and, for a transfer or a subdivision, its parcel, from the proven borsh action. */
function readAction(bytes) {
  const r = new Reader(bytes, "the proven action");
  const tag = r.u8("the action's kind");
  if (tag >= ACTIONS.length) refuse("application_unproven", `the proven action is of an unknown kind (${tag})`);
  return { workflow: ACTIONS[tag], parcel: PARCEL_ACTIONS.has(tag) ? r.string("the parcel", 64) : null };
}

/** Checks every proof of the answer against `sets`; returns its proven reads or refuses naming the failed check. */
function verifiedReads(answer, sets) {
  const result = verifyDocument(answer, sets);
  if (!result.ok) {
    const bad = result.checks.find((c) => !c.ok && !c.pending) ?? result.checks[result.checks.length - 1];
    refuse("application_unproven", `${bad.id}: ${bad.detail}`);
  }
  return result.reads;
}

/** Checks that the action the node shows is the proven one, and returns the proven action. */
function checkAction(answer, reads, id, value) {
  const action = provenValue(reads, applicationKeys(id, 1).action, `application ${id}'s action`);
  if (toHex(sha256(action.value)) !== value.action_hash) {
    refuse("application_altered", "the proven action is not the one the application names (its SHA-256 differs from action_hash)");
  }
  const proven = readAction(action.value);
  if (proven.workflow !== value.workflow) refuse("application_altered", `the proven action is a ${proven.workflow}, but the application says ${value.workflow}`);
  if (answer.action?.type !== proven.workflow) refuse("application_altered", `the page was shown action ${answer.action?.type}, but the proven action is a ${proven.workflow}`);
  if (proven.parcel !== null && answer.action?.parcel !== proven.parcel) {
    refuse("application_altered", `the page was shown parcel ${answer.action?.parcel}, but the proven action concerns parcel ${proven.parcel}`);
  }
  return proven;
}

/**
 * Proves the node's answer about application `typed` (the number the visitor typed) with validator sets verified
 * from the trusted genesis (`sets`, from `verifiedSets()`). Refuses (WalletError) when the answer is about another
 * application (`application_other`), when a proof does not verify or is missing (`application_unproven`), and when
 * anything the node shows differs from what is proven (`application_altered`, naming the field). Returns
 * `{id, record, state, parcel, height, timeMs}`: the proven version record (JSON form), where the application
 * stands at the certified block's time, and the parcel its action concerns (or null).
 */
export function proveApplication(answer, typed, sets) {
  const id = applicationNumber(typed);
  const shownId = String(answer?.application?.id ?? "");
  if (shownId !== id) refuse("application_other", `you asked for application ${id}, but the node answered about application ${shownId.slice(0, 24) || "none"}`);
  const reads = verifiedReads(answer, sets);
  const keys = applicationKeys(id, 1);
  const head = provenValue(reads, keys.head, `application ${id}'s latest version number`);
  if (head.value.length !== 4) refuse("application_unproven", "the proven latest version number is not 4 bytes");
  const latest = new DataView(head.value.buffer, head.value.byteOffset, 4).getUint32(0, true);
  const versionRead = provenValue(reads, applicationKeys(id, latest).version, `version ${latest} of application ${id}`);
  const record = decodeApplicationVersion(versionRead.value);
  if (record.id !== id) refuse("application_unproven", `the proven record is of application ${record.id}, not ${id}`);
  const difference = firstDifference(record, answer.application);
  if (difference) refuse("application_altered", `the node shows ${difference} other than the proven record says`);
  const { parcel } = checkAction(answer, reads, id, record.value);
  const state = standing(record.value.status, record.value.deadline_ms, versionRead.timeMs);
  if (answer.state?.type !== state) refuse("application_altered", `the node says the application is ${answer.state?.type}, but by the proof it is ${state}`);
  return { id, record, state, parcel, height: versionRead.height, timeMs: versionRead.timeMs };
}
