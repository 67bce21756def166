// The verifier's election record kinds (`election:ID`, `ballot:ID:HASH`), against answers of a `publica dev` network
// with its demo elections (fixtures/verify/elections/, B its URL), after the library election (1) was closed and
// decrypted by two trustees (`publica election close 1`, `publica election trustee decrypt 1` twice):
//
//   curl -s $B/v1/genesis > genesis.json; curl -s $B/v1/validators/history > history.json
//   curl -s $B/v1/elections/0 > election-0.json   (the harbour referendum, taking ballots)
//   curl -s $B/v1/elections/1 > election-1.json   (the library's opening hours, decided)
//   curl -s $B/v1/elections/1/ballots/7e7f8f04…d2f6 > ballot-replaced.json   (a ballot a revote replaced)
//   curl -s $B/v1/elections/1/ballots/b1c9b731…efd0 > ballot-counted.json    (the revote that replaced it)
//
// `publica verify FILE --genesis genesis.json` accepts each of them. Tampered copies are made below, in memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyDocument, verifyHistory } from "../src/verify/index.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "verify", "elections");
const read = (name) => readFileSync(join(dir, name), "utf8");
const SETS = verifyHistory(read("genesis.json"), read("history.json")).sets;
const OPEN = JSON.parse(read("election-0.json"));
const DECIDED = JSON.parse(read("election-1.json"));
const REPLACED = JSON.parse(read("ballot-replaced.json"));
const COUNTED = JSON.parse(read("ballot-counted.json"));

/** Verify `answer` (an object) as the page of `record` shows it. */
const check = (answer, record) => verifyDocument(JSON.stringify(answer), SETS, record);

/** Assert a report passed, every check ok. */
function passed(report) {
  assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  assert.ok(report.checks.every((c) => c.ok && typeof c.detail === "string"));
  return report;
}

/** The id of the report's failed check (the last one), asserting the report failed with a message. */
function failedId(report) {
  assert.equal(report.ok, false, JSON.stringify(report.checks));
  const failed = report.checks.filter((c) => !c.ok);
  assert.equal(failed.length, 1, "exactly one check fails");
  assert.equal(report.checks.at(-1), failed[0], "the failed check is the last");
  assert.ok(failed[0].detail.length > 20, "the failure says what happened");
  return failed[0].id;
}

test("an election's answer is tied to the election shown, with its record, fingerprint and result proven", () => {
  const open = passed(check(OPEN, "election:0"));
  assert.deepEqual(open.checks.slice(-3).map((c) => c.id), ["record", "keys", "answer"]);
  assert.deepEqual([open.facts.name, open.facts.status, open.facts.ballots], ["Nordvik harbour referendum", "voting", 0]);
  assert.equal(open.facts.questions[0].counts, null, "an open election has no result");
  const decided = passed(check(DECIDED, "election:1"));
  assert.equal(decided.facts.status, "decided");
  assert.deepEqual([decided.facts.ballots, decided.facts.voters, decided.facts.events], [13, 12, DECIDED.election.events]);
  assert.deepEqual(decided.facts.questions[0].counts, DECIDED.result[0].map(String));
  assert.match(decided.checks.at(-1).detail, /result/);
  assert.match(decided.checks.at(-1).sv, /resultatet/);
});

test("an election's answer with a changed record, fingerprint, object or result fails the answer check", () => {
  const name = structuredClone(DECIDED);
  name.election.name = "Nordvik swimming pool";
  const bad = check(name, "election:1");
  assert.equal(failedId(bad), "answer");
  assert.match(bad.checks.at(-1).detail, /name/);
  const count = structuredClone(DECIDED);
  count.result[0][0] += 1;
  const badCount = check(count, "election:1");
  assert.equal(failedId(badCount), "answer");
  assert.match(badCount.checks.at(-1).detail, /result/);
  const fingerprint = structuredClone(DECIDED);
  fingerprint.fingerprint = OPEN.fingerprint;
  assert.equal(failedId(check(fingerprint, "election:1")), "answer");
  const object = structuredClone(DECIDED);
  object.election_object = OPEN.election_object;
  assert.equal(failedId(check(object, "election:1")), "answer");
  const resultObject = structuredClone(DECIDED);
  resultObject.result_object = Buffer.from('{"result":[[4,5,7]]}').toString("hex");
  assert.equal(failedId(check(resultObject, "election:1")), "answer");
  assert.equal(failedId(check({ ...DECIDED, result: null, result_object: null }, "election:1")), "answer");
  assert.equal(failedId(check({ ...OPEN, result: DECIDED.result }, "election:0")), "answer");
  const status = structuredClone(DECIDED);
  status.election.status = "voting";
  assert.equal(failedId(check(status, "election:1")), "answer");
});

test("an election's answer on another election's page fails the record check; one without its proof is refused", () => {
  assert.equal(failedId(check(DECIDED, "election:0")), "record");
  assert.equal(failedId(check({ ...DECIDED, proofs: OPEN.proofs, certified: OPEN.certified }, "election:1")), "record");
  assert.equal(failedId(check({ ...DECIDED, proofs: [] }, "election:1")), "format", "an answer without any proof is not a proof document");
});

test("a receipt is tied to the ballot shown; whether it counts is its credential's proven last ballot", () => {
  const counted = passed(check(COUNTED, `ballot:1:${COUNTED.ballot}`));
  assert.deepEqual(counted.checks.slice(-3).map((c) => c.id), ["record", "keys", "answer"]);
  assert.equal(counted.facts.counted, true);
  assert.equal(counted.facts.name, "Nordvik library opening hours");
  assert.equal(counted.facts.eventHeight, COUNTED.entry.event_height);
  const replaced = passed(check(REPLACED, `ballot:1:${REPLACED.ballot}`));
  assert.equal(replaced.facts.counted, false);
  assert.equal(replaced.facts.ballots, 2, "its credential cast two ballots");
  assert.equal(REPLACED.credential.last_ballot, COUNTED.ballot, "the revote is the one that counts");
  assert.match(replaced.checks.at(-1).detail, /replaced by a later ballot/);
});

test("a receipt that says a replaced ballot counts, or shows another place on the board, fails the answer check", () => {
  const a = check({ ...REPLACED, counted: true }, `ballot:1:${REPLACED.ballot}`);
  assert.equal(failedId(a), "answer");
  assert.match(a.checks.at(-1).detail, /counted/);
  const b = structuredClone(REPLACED);
  b.credential.last_ballot = REPLACED.ballot;
  assert.equal(failedId(check({ ...b, counted: true }, `ballot:1:${REPLACED.ballot}`)), "answer");
  const c = structuredClone(COUNTED);
  c.entry.block_height += 1;
  assert.equal(failedId(check(c, `ballot:1:${COUNTED.ballot}`)), "answer");
  assert.equal(failedId(check({ ...COUNTED, tracker: REPLACED.tracker }, `ballot:1:${COUNTED.ballot}`)), "answer");
  assert.equal(failedId(check({ ...COUNTED, event: REPLACED.event }, `ballot:1:${COUNTED.ballot}`)), "answer");
});

test("a receipt on another ballot's page, with another's proofs or with a proof left out, fails", () => {
  assert.equal(failedId(check(COUNTED, `ballot:1:${REPLACED.ballot}`)), "record");
  assert.equal(failedId(check(COUNTED, `ballot:0:${COUNTED.ballot}`)), "record");
  // Another ballot's answer and proofs, claiming to be this ballot.
  assert.equal(failedId(check({ ...REPLACED, ballot: COUNTED.ballot }, `ballot:1:${COUNTED.ballot}`)), "record");
  for (let drop = 0; drop < COUNTED.proofs.length; drop++) {
    const proofs = COUNTED.proofs.filter((_, i) => i !== drop);
    assert.equal(failedId(check({ ...COUNTED, proofs }, `ballot:1:${COUNTED.ballot}`)), "keys", `without proof ${drop}`);
  }
});

test("election and ballot record names are read strictly", () => {
  for (const bad of ["election:x", "election:-1", "election:01a", `ballot:1:${COUNTED.ballot.toUpperCase()}`, `ballot:1:${COUNTED.ballot.slice(1)}`, `ballot:${COUNTED.ballot}`, "ballot:1"]) {
    assert.equal(failedId(check(COUNTED, bad)), "format", bad);
  }
});
