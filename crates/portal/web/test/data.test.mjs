// The personal-data records as the browser decodes them, against the module's own encodings (test/fixtures/data/,
// written and checked by the portal's Rust test `the_browsers_record_fixtures_are_the_modules_encodings`), and the
// signing message of a read request against the bytes Rust signs (`the_browser_signs_the_bytes_the_node_checks`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, fromHex, toHex } from "../src/bytes.js";
import {
  decodeAccess, decodeConsent, decodeCourtOrder, decodeEmergency, decodeRecord, decodeRepresentation, decodeRetentionRule, decodeStudy,
  decodeStudyCounters, encodeReadRequest, ownerQuery, readSigningMessage, REFUSALS,
} from "../src/data/records.js";
import { parseRecordRef } from "../src/verify/records.js";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/data/records.json", import.meta.url), "utf8"));
const DECODERS = {
  access: decodeAccess,
  record: decodeRecord,
  consent: decodeConsent,
  court_order: decodeCourtOrder,
  representation: decodeRepresentation,
  study: decodeStudy,
  study_counters: decodeStudyCounters,
  emergency: decodeEmergency,
  retention_rule: decodeRetentionRule,
};

/** The signing message Rust computes for this request (`crates/portal/src/pages/data.rs`). */
const GOLDEN_SIGNING_MESSAGE =
  "5055424c4943412d5349472d563109646174612d726561640b7075626c6963612d646576021111111111111111111111111111111111111111010700000000000000c80000002222222222222222222222222222222222222222003146bb9e010000";

test("every data record decodes from the module's borsh to exactly the API's JSON", () => {
  for (const [kind, decode] of Object.entries(DECODERS)) {
    assert.ok(fixtures[kind]?.length > 0, `the fixture has ${kind}s`);
    for (const { borsh, json } of fixtures[kind]) {
      assert.deepEqual(decode(fromHex(borsh, kind)), json, `${kind} ${json.id ?? ""}`);
    }
  }
});

test("each access state and basis is covered by the fixture", () => {
  const states = new Set(fixtures.access.map(({ json }) => (typeof json.state === "string" ? json.state : Object.keys(json.state)[0])));
  assert.deepEqual([...states].sort(), ["declined", "lapsed", "pending", "refused", "released"]);
  const bases = new Set(fixtures.access.map(({ json }) => (typeof json.basis === "string" ? json.basis : Object.keys(json.basis)[0])));
  assert.deepEqual([...bases].sort(), ["consent", "court_order", "emergency", "owner"]);
  assert.equal(REFUSALS.length, 14);
});

test("a truncated, padded or out-of-range record is refused with the field named", () => {
  const bytes = fromHex(fixtures.access[2].borsh, "access");
  assert.throws(() => decodeAccess(bytes.subarray(0, bytes.length - 1)), (e) => e instanceof FormatError && /truncated/.test(e.message));
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  assert.throws(() => decodeAccess(padded), (e) => e instanceof FormatError && /left over/.test(e.message));
  const last = fromHex(fixtures.access[0].borsh, "access");
  const badState = last.slice();
  badState[badState.length - 1] = 9;
  assert.throws(() => decodeAccess(badState), (e) => e instanceof FormatError && /state has variant 9/.test(e.message));
});

test("a read request's signing message is the bytes the node checks", () => {
  const request = { query: ownerQuery("owner_log", "11".repeat(20), { after: 7, limit: 200 }), reader: "22".repeat(20), at_ms: 1_781_258_400_000 };
  assert.deepEqual(request.query, { owner_log: { owner: "11".repeat(20), after: 7, limit: 200 } });
  assert.equal(toHex(readSigningMessage("publica-dev", request)), GOLDEN_SIGNING_MESSAGE);
  assert.notEqual(toHex(readSigningMessage("another-chain", request)), GOLDEN_SIGNING_MESSAGE);
});

test("each query signs its own kind and fields", () => {
  const owner = "ab".repeat(20);
  const at = { reader: owner, at_ms: 1 };
  const first = encodeReadRequest({ query: ownerQuery("owner_log", owner), ...at });
  // Tag 2 (owner_log), the owner, no `after`, limit 200 (u32 little-endian).
  assert.equal(toHex(first.subarray(0, 1 + 20 + 1 + 4)), `02${owner}00c8000000`);
  assert.equal(encodeReadRequest({ query: ownerQuery("owner_records", owner, { limit: 5 }), ...at })[0], 3);
  const bases = encodeReadRequest({ query: ownerQuery("owner_bases", owner), ...at });
  assert.equal(bases.length, 1 + 20 + 20 + 8);
  assert.equal(bases[0], 4);
  assert.throws(() => ownerQuery("owner_log", owner, { limit: 201 }), FormatError);
  assert.throws(() => ownerQuery("owner_log", "xyz"), FormatError);
  assert.throws(() => encodeReadRequest({ query: { agency_queue: { agency: "a", limit: 1 } }, ...at }), /not one this page signs/);
});

test("pages name the data records they show", () => {
  const owner = "ab".repeat(20);
  assert.deepEqual(parseRecordRef(`log:${owner}`), { kind: "log", id: owner });
  assert.deepEqual(parseRecordRef(`log:${owner}:17`), { kind: "log", id: `${owner}:17` });
  assert.deepEqual(parseRecordRef("study:1"), { kind: "study", id: "1" });
  assert.deepEqual(parseRecordRef("emergencies:all"), { kind: "emergencies", id: "all" });
  assert.deepEqual(parseRecordRef("retention:nordvik-health-authority"), { kind: "retention", id: "nordvik-health-authority" });
  assert.throws(() => parseRecordRef("study:0"), FormatError);
  assert.throws(() => parseRecordRef("log:ABC"), FormatError);
});
