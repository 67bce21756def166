// The registries' "as of a date" answers: who owned a parcel at time D, what a permit's status was at time D.
// Records are versioned and never overwritten, so the version in force at D is proven by two state keys: version n
// (written at or before D) and version n + 1 (written after D, or absent); when none was in force, by version 1
// alone. The proofs' certified header must cover D: at or after D, or before D with the certified header of its
// child (`following`) after D. Otherwise the answer is "not covered": proven only up to the header's own time.
import { FormatError, Reader, concat, equalBytes, fromHex, toHex, utf8 } from "../bytes.js";
import { checkCertified } from "./certified.js";
import { Report, fail, report } from "./report.js";
import { parseJson, setAtHeight } from "./history.js";
import { stateProofError, parseStateProof } from "./state.js";
import { exactFields, parseCertified, uint } from "./types.js";

export const KIND_PARCEL = 0;
export const KIND_TITLE = 1;
const KIND_PERMIT = 4;
export const KIND_ENCUMBRANCE = 2;
export const KIND_APPLICATION = 3;
export const KIND_COMPANY = 5;
const KIND_SEGMENT = { [KIND_PARCEL]: "parcel", [KIND_TITLE]: "title", [KIND_ENCUMBRANCE]: "enc", [KIND_APPLICATION]: "app", [KIND_PERMIT]: "permit", [KIND_COMPANY]: "company" };
/** Most parties, stages or approvals an application version may list. */
const MAX_PARTIES = 2 * 64 + 8;
const LEGAL_FORMS = ["private_limited", "public_limited", "general_partnership", "limited_partnership", "cooperative", "sole_trader", "foundation", "association"];
const OFFICER_ROLES = ["director", "secretary", "chair"];
const CONTROL_KINDS = ["shareholding", "votingRights", "appointmentOfBoard", "seniorManagingOfficial", "otherInfluenceOrControl"];
/** Most officers, shareholders, beneficial owners or interests a company version may list. */
const MAX_COMPANY_LIST = 256;
const MAX_LINEAGE = 64;
const MAX_OWNERS = 64;
const MAX_ENCUMBRANCES = 32;
const MAX_TEXT = 512;
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The state key of version `n` of a record: `reg/<kind>/<id>/v/` ‖ u32 big-endian. */
export function versionKey(kind, id, n) {
  return concat(utf8(`reg/${KIND_SEGMENT[kind]}/${id}/v/`), new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
}

/** The state key of a record's latest version number: `reg/<kind>/<id>/h`. */
export function headKey(kind, id) {
  return utf8(`reg/${KIND_SEGMENT[kind]}/${id}/h`);
}

/** Decode a record's latest version number (u32 little-endian). */
export function decodeHead(bytes) {
  const r = new Reader(bytes, "the record's latest version number");
  const n = r.u32("version");
  r.end();
  if (n < 1) throw new FormatError("a record's latest version number is at least 1");
  return n;
}

/** A record id (string) read from borsh, checked. */
function recordId(r, field) {
  const s = r.string(field, 64);
  if (!RECORD_ID.test(s)) throw new FormatError(`${field} \`${s}\` is not a record number`);
  return s;
}

/** Registry text (a case reference, a reason): 1 to 512 bytes without control characters. */
function text(r, field) {
  const s = r.string(field, MAX_TEXT);
  if (s.length === 0 || /\p{Cc}/u.test(s)) throw new FormatError(`${field} must be 1 to ${MAX_TEXT} bytes without control characters`);
  return s;
}

/** Read a title (the value of a title version) and check its schema. */
function readTitle(r) {
  const owners = r.vec("owners", MAX_OWNERS, () => ({
    account: toHex(r.take(20, "owner account")),
    id_commitment: r.option("id commitment", () => toHex(r.take(32, "id commitment"))),
    numerator: r.u64("share numerator"),
    denominator: r.u64("share denominator"),
  }));
  const encumbrances = r.vec("encumbrances", MAX_ENCUMBRANCES, () => r.u64("encumbrance"));
  const tag = r.u8("title basis");
  const basis = [
    () => ({ type: "first_registration" }),
    () => ({ type: "transfer" }),
    () => ({ type: "inheritance", deceased: toHex(r.take(20, "deceased")), case: text(r, "case") }),
    () => ({ type: "court_order", case: text(r, "case") }),
    () => ({ type: "encumbrance_registered", encumbrance: r.u64("encumbrance") }),
    () => ({ type: "encumbrance_released", encumbrance: r.u64("encumbrance") }),
    () => ({ type: "subdivision", parent: recordId(r, "parent") }),
    () => ({ type: "merger", parents: r.vec("parents", 64, () => recordId(r, "parent")) }),
    () => ({ type: "retired", successors: r.vec("successors", 64, () => recordId(r, "successor")) }),
  ][tag];
  if (!basis) throw new FormatError(`unknown title basis ${tag}`);
  const title = { owners, encumbrances, basis: basis() };
  checkTitle(title);
  return title;
}

/** The title schema: encumbrances ascending; a retired title has no owners; else 1 to 64 sorted owners whose shares sum to one. */
function checkTitle(t) {
  for (let i = 1; i < t.encumbrances.length; i++) {
    if (!(t.encumbrances[i - 1] < t.encumbrances[i])) throw new FormatError("a title's encumbrances must be ascending");
  }
  if (t.basis.type === "retired") {
    if (t.owners.length || t.encumbrances.length) throw new FormatError("a retired title has no owners and no encumbrances");
    return;
  }
  if (t.owners.length === 0) throw new FormatError("a title has 1 to 64 owners");
  let n = 0n;
  let d = 1n;
  t.owners.forEach((o, i) => {
    if (i > 0 && !(t.owners[i - 1].account < o.account)) throw new FormatError("a title's owners must be distinct and sorted");
    const on = BigInt(o.numerator);
    const od = BigInt(o.denominator);
    if (on === 0n || od === 0n || on > od) throw new FormatError(`share ${on}/${od} is not a fraction in (0, 1]`);
    n = n * od + on * d;
    d = d * od;
  });
  if (n !== d) throw new FormatError("the title's shares do not sum to exactly one");
}

/** Read a parcel (the value of a parcel version): status, bounding box, area, vertices, lineage. */
function readParcel(r) {
  const status = r.u8("parcel status");
  if (status > 1) throw new FormatError(`unknown parcel status ${status}`);
  const i64 = (field) => {
    const v = BigInt.asIntN(64, r.uint(8, field));
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  };
  const p = {
    status: status === 0 ? "active" : "retired",
    bbox: { min_x: i64("bbox"), min_y: i64("bbox"), max_x: i64("bbox"), max_y: i64("bbox") },
    area_m2: r.u64("area"),
    doubled_area: r.u128("doubled area"),
    vertices: r.u32("vertices"),
    parents: r.vec("parents", MAX_LINEAGE, () => recordId(r, "parent")),
    children: r.vec("children", MAX_LINEAGE, () => recordId(r, "child")),
  };
  if ((p.status === "retired") === (p.children.length === 0)) throw new FormatError("a parcel has children exactly when it is retired");
  return p;
}

/** One of `names` by its borsh tag; `what` names it in errors. */
function oneOf(r, names, what) {
  const tag = r.u8(what);
  if (tag >= names.length) throw new FormatError(`unknown ${what} ${tag}`);
  return names[tag];
}

/** Read an encumbrance (the value of an encumbrance version), in the API's JSON shape. */
function readEncumbrance(r) {
  return {
    parcel: recordId(r, "parcel"),
    kind: oneOf(r, ["mortgage", "lien"], "kind of encumbrance"),
    agency: r.string("agency", 64),
    role: r.string("role", 64),
    registered_by: toHex(r.take(20, "registered by")),
    reference: text(r, "reference"),
    released_by: r.option("released by", () => toHex(r.take(20, "released by"))),
  };
}

/** A workflow party: an account or a role, in the API's JSON shape. */
function readParty(r) {
  const tag = r.u8("party");
  if (tag === 0) return { type: "account", value: toHex(r.take(20, "party account")) };
  if (tag === 1) return { type: "role", value: r.string("party role", 64) };
  throw new FormatError(`unknown party ${tag}`);
}

/** Read an application (the value of an application version), in the API's JSON shape. */
function readApplication(r) {
  const a = {
    workflow: r.string("workflow", 64),
    action_hash: toHex(r.take(32, "action hash")),
    opened_by: toHex(r.take(20, "opened by")),
    deadline_ms: r.u64("deadline"),
    stages: r.vec("stages", MAX_PARTIES, () => r.vec("stage", MAX_PARTIES, () => readParty(r))),
    title_versions: r.vec("title versions", MAX_OWNERS, () => [recordId(r, "parcel"), r.u32("title version")]),
    approvals: r.vec("approvals", MAX_PARTIES, () => ({
      party: readParty(r),
      by: toHex(r.take(20, "approved by")),
      height: r.u64("approval height"),
      time_ms: r.u64("approval time"),
      tx_id: toHex(r.take(32, "approval transaction")),
    })),
  };
  const tag = r.u8("application status");
  if (tag === 0) a.status = { type: "open" };
  else if (tag === 1) a.status = { type: "approved" };
  else if (tag === 2) a.status = { type: "rejected", party: readParty(r), by: toHex(r.take(20, "rejected by")), reason: text(r, "reason") };
  else throw new FormatError(`unknown application status ${tag}`);
  return a;
}

/** Read a company (the value of a company version), in the API's JSON shape. */
function readCompany(r) {
  const name = r.string("name", MAX_TEXT);
  const legal_form = oneOf(r, LEGAL_FORMS, "legal form");
  const registered_address = r.string("registered address", MAX_TEXT);
  const statusTag = r.u8("company status");
  let status;
  if (statusTag === 0) status = { type: "active" };
  else if (statusTag === 1) status = { type: "in_liquidation", case: text(r, "case") };
  else if (statusTag === 2) status = { type: "dissolved" };
  else throw new FormatError(`unknown company status ${statusTag}`);
  const officers = r.vec("officers", MAX_COMPANY_LIST, () => ({ account: toHex(r.take(20, "officer")), role: oneOf(r, OFFICER_ROLES, "officer role") }));
  const shareholders = r.vec("shareholders", MAX_COMPANY_LIST, () => {
    const tag = r.u8("holder");
    if (tag > 1) throw new FormatError(`unknown holder ${tag}`);
    const holder = tag === 0 ? { type: "person", id: toHex(r.take(20, "holder")) } : { type: "company", id: recordId(r, "holder") };
    return { holder, shares: r.u64("shares") };
  });
  const beneficial_owners = r.vec("beneficial owners", MAX_COMPANY_LIST, () => ({
    person: toHex(r.take(20, "beneficial owner")),
    interests: r.vec("interests", MAX_COMPANY_LIST, () => ({
      kind: oneOf(r, CONTROL_KINDS, "kind of control"),
      direct: r.bool("direct"),
      share: r.option("share of control", () => {
        const tag = r.u8("share of control");
        if (tag === 0) return { type: "exact", basis_points: Number(r.uint(2, "basis points")) };
        if (tag === 1) return { type: "range", minimum: Number(r.uint(2, "minimum")), maximum: Number(r.uint(2, "maximum")) };
        throw new FormatError(`unknown share of control ${tag}`);
      }),
    })),
  }));
  return {
    name, legal_form, registered_address, status, officers, shareholders, beneficial_owners,
    registered_ms: r.u64("registration time"),
    dissolved_ms: r.option("dissolution time", () => r.u64("dissolution time")),
    filings: r.u32("filings"),
  };
}

/** Read a permit (the value of a permit version) and check its schema. */
function readPermit(r) {
  const p = {
    kind: recordId(r, "permit kind"),
    holder: toHex(r.take(20, "holder")),
    agency: r.string("agency", 64),
    valid_from_ms: r.u64("valid from"),
    valid_until_ms: r.u64("valid until"),
  };
  const state = r.u8("permit state");
  if (state === 0) p.state = { type: "active" };
  else if (state === 1) p.state = { type: "suspended", reason: text(r, "reason") };
  else if (state === 2) p.state = { type: "revoked", reason: text(r, "reason") };
  else throw new FormatError(`unknown permit state ${state}`);
  const change = r.u8("permit change");
  if (change > 4) throw new FormatError(`unknown permit change ${change}`);
  p.changed_by = toHex(r.take(20, "changed by"));
  if (!(p.valid_from_ms < p.valid_until_ms)) throw new FormatError("a permit's validity must end after it starts");
  return p;
}

/** Decode a record version of `kind` from a proven value (borsh). */
export function decodeVersion(kind, bytes) {
  const r = new Reader(bytes, "the record version");
  const k = r.u8("kind");
  if (k !== kind) throw new FormatError(`a ${KIND_SEGMENT[kind]} version was expected, the value is of kind ${k}`);
  if (!KIND_SEGMENT[k]) throw new FormatError(`record versions of kind ${k} are not read here`);
  const v = {
    id: r.string("id", 64),
    version: r.u32("version"),
    height: r.u64("height"),
    time_ms: r.u64("time"),
    tx_id: toHex(r.take(32, "transaction id")),
    application: r.option("application", () => r.u64("application")),
  };
  const read = { [KIND_PARCEL]: readParcel, [KIND_TITLE]: readTitle, [KIND_ENCUMBRANCE]: readEncumbrance, [KIND_APPLICATION]: readApplication, [KIND_PERMIT]: readPermit, [KIND_COMPANY]: readCompany }[kind];
  v.value = read(r);
  r.end();
  return v;
}

/** Which version was in force at `atMs`, given the proven versions; throws a failed `decision` on inconsistency. */
function decideAsOf(id, atMs, inForce, next) {
  for (const v of [inForce, next]) if (v && v.id !== id) fail("decision", `a version of ${v.id} was given for ${id}`);
  let expectedNext = 1;
  if (inForce) {
    if (inForce.time_ms > atMs) fail("decision", `version ${inForce.version} was written at ${inForce.time_ms} ms, after ${atMs} ms`);
    expectedNext = inForce.version + 1;
  }
  if (next) {
    if (next.version !== expectedNext) fail("decision", `the following version is ${next.version}, expected ${expectedNext}`);
    if (next.time_ms <= atMs) fail("decision", `version ${next.version} was already written at ${next.time_ms} ms, not after ${atMs} ms: it is the one in force`);
  }
  return inForce;
}

/** Who owned the parcel at `atMs` (the API's `decision` shape). */
function ownersAt(id, atMs, inForce, next) {
  const v = decideAsOf(id, atMs, inForce, next);
  if (!v) return { type: "not_registered" };
  if (v.value.basis.type === "retired") return { type: "retired", version: v.version, successors: v.value.basis.successors };
  return { type: "owned", version: v.version, owners: v.value.owners, encumbrances: v.value.encumbrances };
}

/** A permit's status at `atMs` (the API's `decision` shape); revocation and suspension take precedence. */
function permitStatus(id, atMs, inForce, next) {
  const v = decideAsOf(id, atMs, inForce, next);
  if (!v) return { type: "not_issued" };
  const p = v.value;
  if (p.state.type !== "active") return { type: p.state.type, reason: p.state.reason };
  if (atMs < p.valid_from_ms) return { type: "not_yet_valid" };
  if (atMs >= p.valid_until_ms) return { type: "expired" };
  return { type: "valid" };
}

/** JSON with object keys sorted, for comparing decisions. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Verify an as-of answer of record `kind`, re-deciding it with `decide` (see verifyOwnershipAsOf). */
function verifyAsOf(answer, sets, atMs, record, kind, decide) {
  let notCovered = null;
  const result = report((r) => {
    const a = parseJson(answer, "the answer");
    exactFields(a, "the as-of answer", ["record", "at_ms", "decision", "certified", "proofs"], ["following"]);
    const id = a.record;
    if (typeof id !== "string" || !RECORD_ID.test(id)) throw new FormatError("the answer's record is not a record number");
    const asked = uint(a.at_ms, "the answer's at_ms");
    if (atMs !== undefined && atMs !== null && Number(atMs) !== asked) {
      fail("question", `the answer is for ${asked} ms, but ${atMs} ms was asked: ask the node again`);
    }
    if (!Array.isArray(a.proofs) || a.proofs.length < 1 || a.proofs.length > 2) {
      throw new FormatError("an as-of answer carries one or two proofs");
    }
    const certified = parseCertified(a.certified);
    const proofs = a.proofs.map((p) => {
      exactFields(p, "a proof", ["height", "key", "value", "proof"]);
      return {
        height: uint(p.height, "a proof's height"),
        key: fromHex(p.key, "a proof's key"),
        value: p.value === null ? null : fromHex(p.value, "a proof's value"),
        proof: parseStateProof(p.proof),
      };
    });
    const following = a.following ? parseCertified(a.following, "the following header") : null;
    r.pass("format", `an answer about ${id} at ${new Date(asked).toISOString()}`);
    if (record !== undefined && record !== null) {
      if (id !== record) fail("record", `the answer is about ${KIND_SEGMENT[kind === KIND_TITLE ? KIND_PARCEL : kind]} ${id}, but the page shows ${record}: it is another record's answer`);
      r.pass("record", `the answer is about ${record}, the record this page shows`, `svaret gäller ${record}, posten som sidan visar`);
    }
    const h = certified.header;
    checkCertified(r, certified, sets.chainId, setAtHeight(sets, h.height));
    proofs.forEach((p) => {
      if (p.height !== h.height) throw new FormatError(`a proof names height ${p.height}, the certified header is ${h.height}`);
      const error = stateProofError(p.proof, h.state_root, p.key, p.value);
      if (error) fail("state-proof", `key ${toHex(p.key)}: ${error}`);
    });
    r.pass("state-proof", `${proofs.length} state ${proofs.length === 1 ? "proof leads" : "proofs lead"} to the certified state root of block ${h.height}`,
      `${proofs.length} tillståndsbevis leder till den certifierade tillståndsroten i block ${h.height}`);
    let versions;
    try {
      versions = proofs.map((p) => (p.value === null ? null : decodeVersion(kind, p.value)));
    } catch (e) {
      if (e instanceof FormatError) fail("versions", `a proven value is not a valid record version: ${e.message}`);
      throw e;
    }
    let inForce = null;
    let next;
    if (versions.length === 2) {
      if (!versions[0]) fail("keys", "the first proof shows no version, so it cannot be the one in force");
      [inForce, next] = versions;
    } else {
      next = versions[0];
    }
    const expected = inForce ? [versionKey(kind, id, inForce.version), versionKey(kind, id, inForce.version + 1)] : [versionKey(kind, id, 1)];
    if (expected.length !== proofs.length || !expected.every((k, i) => equalBytes(k, proofs[i].key))) {
      fail("keys", `the proofs are for keys ${proofs.map((p) => toHex(p.key)).join(", ")}, but the question needs exactly ${expected.map(toHex).join(", ")}: the node may be hiding a newer version`);
    }
    r.pass("keys", inForce ? `the proofs are of version ${inForce.version} and of the version after it` : "the proof is of version 1: no version was in force",
      inForce ? `bevisen gäller version ${inForce.version} och versionen efter den` : "beviset gäller version 1: ingen version gällde");
    const coverage = checkCoverage(r, h, following, asked, sets);
    if (coverage === null) {
      notCovered = { askedMs: asked, height: h.height, provenToMs: h.time_ms, decision: safeDecide(() => decide(id, h.time_ms, inForce, next)) };
      fail("coverage", `the proofs cover the ledger only up to block ${h.height} at ${new Date(h.time_ms).toISOString()}, before the time asked about (${new Date(asked).toISOString()}), and no later certified header shows that nothing changed in between: the answer is not proven for that time. Ask the node again for that time, or rely on the answer only up to block ${h.height}`);
    }
    const decision = decide(id, asked, inForce, next);
    if (canonical(decision) !== canonical(a.decision)) {
      fail("decision", `the answer says ${canonical(a.decision)}, but its proven versions say ${canonical(decision)}`);
    }
    r.pass("decision", `the proven versions give the same answer: ${decision.type.replaceAll("_", " ")}`);
    if (atMs === undefined || atMs === null) {
      const when = new Date(h.time_ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
      if (asked !== h.time_ms) {
        fail("proven-time", `the answer gives the status at ${new Date(asked).toISOString()}, not at the time of block ${h.height} it was read at (${when}): a status "now" must be the latest block's; ask the node again`,
          `svaret ger statusen vid ${new Date(asked).toISOString()}, inte vid tiden för block ${h.height} där det lästes (${when}): en status "nu" måste gälla det senaste blocket; fråga noden igen`);
      }
      r.pass("proven-time", `the answer is proven for ${when}, the time of the certified block ${h.height} it was read at, not for any later moment`,
        `svaret är bevisat för ${when}, tiden för det certifierade block ${h.height} där det lästes, inte för någon senare tidpunkt`);
    }
    return { decision, height: h.height, timeMs: h.time_ms, atMs: asked };
  });
  if (notCovered) result.notCovered = notCovered;
  return result;
}

/** The decision at the header's own time, or null when even that is inconsistent. */
function safeDecide(decide) {
  try {
    return decide();
  } catch {
    return null;
  }
}

/**
 * How the proofs' header covers the time asked: at or after it, or before it with a certified child after it.
 * Records a passed `coverage` check and returns true, returns null when not covered, or fails `coverage`.
 */
function checkCoverage(r, h, following, asked, sets) {
  if (!following) {
    if (h.time_ms >= asked) {
      r.pass("coverage", `block ${h.height} is at or after the time asked, so its state holds every version written until then`,
        `block ${h.height} är vid eller efter den frågade tidpunkten, så dess tillstånd innehåller varje version som skrivits fram till dess`);
      return true;
    }
    return null;
  }
  const n = following.header;
  if (h.time_ms > asked) fail("coverage", `the proofs' header (block ${h.height}) is already after the time asked; a following header is not expected`);
  if (n.height !== h.height + 1 || !equalBytes(n.parent_hash, h.hash)) {
    fail("coverage", `the following header (block ${n.height}) is not the child of the proofs' header (block ${h.height})`);
  }
  if (n.time_ms <= asked) fail("coverage", `the following block ${n.height} is not after the time asked: the proofs are not under the block in force then; ask the node again`);
  const inner = new Report();
  try {
    checkCertified(inner, following, sets.chainId, setAtHeight(sets, n.height), `the following block ${n.height}`);
  } catch (e) {
    if (e.id) fail("coverage", e.message);
    throw e;
  }
  r.pass("coverage", `block ${h.height} was the block in force at the time asked: the next block, ${n.height} (certified), came after it`,
    `block ${h.height} var det gällande blocket vid den frågade tidpunkten: nästa block, ${n.height} (certifierat), kom efter den`);
  return true;
}

/**
 * Verify an answer of `GET /v1/land/parcels/{id}/owners?at=` (JSON text or object) against verified sets;
 * `atMs` (optional) is the time the visitor asked about, which the answer must be for (else `question` fails);
 * without it the report ends with `proven-time`, the time the answer is proven for (the certified block's). `record`
 * (optional) is the record the page shows, which the answer must be about (else `record` fails). Checks: format, record, chain,
 * certificate, validator-set, signatures, state-proof, versions, keys, coverage, decision. A "not covered"
 * answer fails `coverage` and carries `notCovered: { askedMs, height, provenToMs, decision }`, the decision its
 * proofs do establish at the header's own time.
 */
export function verifyOwnershipAsOf(answer, sets, atMs, record) {
  return verifyAsOf(answer, sets, atMs, record, KIND_TITLE, ownersAt);
}

/** Verify an answer of `GET /v1/permits/{id}/status?at=` the same way as `verifyOwnershipAsOf`. */
export function verifyPermitStatusAsOf(answer, sets, atMs, record) {
  return verifyAsOf(answer, sets, atMs, record, KIND_PERMIT, permitStatus);
}
