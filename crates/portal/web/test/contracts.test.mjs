// The contracts module's records as the browser decodes them, against the module's own encodings
// (test/fixtures/contracts/, written and checked by the portal's Rust test
// `the_browsers_record_fixtures_are_the_modules_encodings` in `src/pages/contracts.rs`), the state keys it derives, and
// the record names a page may give.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, fromHex, toHex, utf8 } from "../src/bytes.js";
import {
  budgetKey, counterKey, decodeCounter, decodeEvent, decodeInstance, decodePolicy, decodeReceipt, eventCountKey, eventKey, instanceKey, nameKey,
  policyKey, receiptKey, stateKey,
} from "../src/contracts/records.js";
import { parseRecordRef } from "../src/verify/records.js";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/contracts/records.json", import.meta.url), "utf8"));
const DECODERS = { instance: decodeInstance, event: decodeEvent, receipt: decodeReceipt, policy: decodePolicy };

test("every contracts record decodes from the module's borsh to exactly the API's JSON", () => {
  for (const [kind, decode] of Object.entries(DECODERS)) {
    assert.ok(fixtures[kind]?.length > 0, `the fixture has ${kind}s`);
    for (const { borsh, json } of fixtures[kind]) {
      assert.deepEqual(decode(fromHex(borsh, kind)), json, kind);
    }
  }
});

test("the fixture covers both authorities, a failed receipt with no status and a negative one", () => {
  const authorities = new Set(fixtures.instance.flatMap(({ json }) => json.history.map((v) => v.authority.by)));
  assert.deepEqual([...authorities].sort(), ["admin", "proposal"]);
  assert.ok(fixtures.receipt.some(({ json }) => json.status === null && json.failure !== null));
  assert.ok(fixtures.receipt.some(({ json }) => json.status < 0));
});

test("the browser derives the module's state keys", () => {
  const k = fixtures.keys;
  const agency = "nordvik-finance-office";
  assert.equal(toHex(counterKey()), k.counter);
  assert.equal(toHex(instanceKey(258)), k.instance);
  assert.equal(toHex(nameKey("fee-schedule")), k.name);
  assert.equal(toHex(stateKey(258, utf8("declaration/NV"))), k.state);
  assert.equal(toHex(eventCountKey(258)), k.event_count);
  assert.equal(toHex(eventKey(258, 3)), k.event);
  assert.equal(toHex(receiptKey("7e".repeat(32))), k.receipt);
  assert.equal(toHex(policyKey(agency)), k.policy);
  assert.equal(toHex(budgetKey(agency, 20_500)), k.budget);
});

test("a truncated, padded or out-of-range record is refused with the field named", () => {
  const bytes = fromHex(fixtures.instance[0].borsh, "instance");
  assert.throws(() => decodeInstance(bytes.subarray(0, bytes.length - 1)), (e) => e instanceof FormatError && /truncated/.test(e.message));
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  assert.throws(() => decodeInstance(padded), (e) => e instanceof FormatError && /left over/.test(e.message));
  const receipt = fromHex(fixtures.receipt[0].borsh, "receipt");
  const badOption = receipt.slice();
  badOption[8] = 2;
  assert.throws(() => decodeReceipt(badOption), (e) => e instanceof FormatError && /status has option tag 2/.test(e.message));
  assert.equal(decodeCounter(null, "a counter"), 0);
  assert.throws(() => decodeCounter(new Uint8Array([1, 2]), "a counter"), FormatError);
});

test("a page names a contracts record by its kind's form", () => {
  assert.deepEqual(parseRecordRef("contracts:0"), { kind: "contracts", id: "0" });
  assert.deepEqual(parseRecordRef("instance:2"), { kind: "instance", id: "2" });
  assert.deepEqual(parseRecordRef("contractevents:0:20"), { kind: "contractevents", id: "0:20" });
  assert.deepEqual(parseRecordRef(`contractstate:0:${"ab".repeat(32)}`), { kind: "contractstate", id: `0:${"ab".repeat(32)}` });
  assert.deepEqual(parseRecordRef(`callreceipt:${"cd".repeat(32)}`), { kind: "callreceipt", id: "cd".repeat(32) });
  assert.deepEqual(parseRecordRef("contractpolicy:nordvik-finance-office"), { kind: "contractpolicy", id: "nordvik-finance-office" });
  for (const bad of ["instance:01", "instance:fee-schedule", "contractevents:0", "contractstate:0:6b", "callreceipt:CD", "contracts:-1"]) {
    assert.throws(() => parseRecordRef(bad), FormatError, bad);
  }
});
