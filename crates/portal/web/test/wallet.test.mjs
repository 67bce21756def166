// The wallet's pure code against artifacts of a real demo network (test/fixtures/wallet/): key files made by
// `publica dev` with their addresses as `publica keys show` prints them, and blocks holding transactions the CLI
// signed (a notary anchoring, registry approvals for an account and for a role, a rejection with a reason), and a
// network's genesis, validator history and its answer about an open land transfer (application 8), with proofs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sha256 } from "@noble/hashes/sha2.js";
import { fromBase64, fromHex, toHex, concat } from "../src/bytes.js";
import { parseKeyFile, decryptKeyFile, signingKey, verifyHybrid, addressOf } from "../src/wallet/keyfile.js";
import { anchorCall, approveCall, rejectCall, encodeBody, encodeTransaction, signingBytes, signTransaction, txId } from "../src/wallet/tx.js";
import { sha256File } from "../src/wallet/document.js";
import { WalletError } from "../src/wallet/errors.js";
import { exactU64 } from "../src/wallet/api.js";
import { partiesFor } from "../src/wallet/actions.js";
import { proveApplication, firstDifference, standing } from "../src/wallet/application.js";
import { expiryFor, signingChain, EXPIRY_MS } from "../src/wallet/transact.js";
import { KEY_FILE_STORAGE, forget, signIn, storedKeyFile } from "../src/wallet/session.js";
import { Writer } from "../src/bytes.js";
import { verifyHistory } from "../src/verify/history.js";

const dir = new URL("./fixtures/wallet/", import.meta.url);
const read = (name) => readFileSync(new URL(name, dir), "utf8");
const expected = JSON.parse(read("expected.json"));
const blocks = expected.blocks.map((name) => JSON.parse(read(name)));

/** RFC 9162 root over leaves given as their data (here: transactions' full hashes). */
function merkleRoot(items) {
  if (items.length === 0) return sha256(new Uint8Array());
  if (items.length === 1) return sha256(concat(new Uint8Array([0]), items[0]));
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return sha256(concat(new Uint8Array([1]), merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k))));
}

/** The call of a block's JSON transaction, rebuilt with the wallet's own constructors (which validate it). */
function callOf(json) {
  const c = json.call;
  if (json.module === "notary") return anchorCall(c.hashes, c.label);
  if (c.method === "approve") return approveCall(c.application, c.party);
  return rejectCall(c.application, c.party, c.reason);
}

/** A body from a block's JSON, numbers kept exact by reading them as decimal text. */
function bodyOf(json) {
  return { chain_id: json.chain_id, sender: json.sender, nonce: BigInt(json.nonce), expires_at_ms: BigInt(json.expires_at_ms), call: callOf(json.call) };
}

test("a demo key file decrypts to the address the CLI shows", async () => {
  for (const [name, address] of Object.entries(expected.addresses)) {
    const file = parseKeyFile(read(name));
    assert.equal(file.address, address);
    const seen = [];
    const key = await decryptKeyFile(file, expected.passphrase, { onProgress: (p) => seen.push(p) });
    assert.equal(key.address, address);
    assert.equal(addressOf(key.publicKey), address);
    assert.ok(seen.length > 0, "argon2id reports its progress");
  }
});

test("a wrong passphrase fails cleanly, and so does a changed ciphertext", async () => {
  const file = parseKeyFile(read("notary.json"));
  await assert.rejects(decryptKeyFile(file, expected.passphrase + "x"), (e) => e instanceof WalletError && e.code === "wrong_passphrase");
  await assert.rejects(decryptKeyFile(file, ""), (e) => e.code === "passphrase_empty");
  const changed = { ...file, ciphertext: file.ciphertext.slice() };
  changed.ciphertext[5] ^= 1;
  await assert.rejects(decryptKeyFile(changed, expected.passphrase), (e) => e.code === "wrong_passphrase");
});

test("a key file with a changed address, version, cost or field is refused before decryption", () => {
  const json = JSON.parse(read("notary.json"));
  const tampered = (change) => JSON.stringify(change(structuredClone(json)));
  const refusals = [
    [(j) => ({ ...j, address: "00".repeat(20) }), /does not belong to the public key/],
    [(j) => ({ ...j, version: 2 }), /version 2 is not supported/],
    [(j) => ({ ...j, kdf: { ...j.kdf, m_kib: 4 * 1024 * 1024 } }), /m_kib/],
    [(j) => ({ ...j, kdf: { ...j.kdf, name: "scrypt" } }), /kdf "scrypt"/],
    [(j) => ({ ...j, ciphertext: j.ciphertext.slice(4) }), /ciphertext holds/],
    [(j) => ({ ...j, public_key: j.public_key.replace(/^..../, "AAAA") }), /does not belong/],
  ];
  for (const [change, message] of refusals) {
    assert.throws(() => parseKeyFile(tampered(change)), (e) => e.code === "key_file_invalid" && message.test(e.detail));
  }
  assert.throws(() => parseKeyFile("x".repeat(70 * 1024)), (e) => e.code === "key_file_too_large");
  assert.throws(() => parseKeyFile("not json"), (e) => e.code === "key_file_invalid");
});

test("bodies encode to the bytes the node hashed: each CLI transaction's id is SHA-256 of our encoding", () => {
  let count = 0;
  for (const block of blocks) {
    block.txs.forEach((tx, i) => {
      assert.equal(txId(encodeBody(bodyOf(tx.body))), block.tx_ids[i], `transaction ${i} of block ${block.height}`);
      count++;
    });
  }
  assert.ok(count >= 5);
});

test("whole transactions encode to the bytes the block commits to (tx_root over their full hashes)", () => {
  for (const block of blocks) {
    const full = block.txs.map((tx) => sha256(encodeTransaction(encodeBody(bodyOf(tx.body)), fromBase64(tx.signature))));
    assert.equal(toHex(merkleRoot(full)), block.header.tx_root, `block ${block.height}`);
  }
});

test("the CLI's signatures verify over our signing bytes, and not over another chain's", () => {
  const notary = parseKeyFile(read("notary.json"));
  const anchor = blocks.flatMap((b) => b.txs).find((tx) => tx.body.call.module === "notary");
  assert.equal(anchor.body.sender, notary.address);
  const body = encodeBody(bodyOf(anchor.body));
  const signature = fromBase64(anchor.signature);
  assert.ok(verifyHybrid(notary.publicKey, signingBytes(anchor.body.chain_id, body), signature));
  assert.ok(!verifyHybrid(notary.publicKey, signingBytes("another-chain", body), signature));
});

test("a transaction signed here verifies under the file's public key and changes id with any field", async () => {
  const file = parseKeyFile(read("citizen-dmitri.json"));
  const key = await decryptKeyFile(file, expected.passphrase);
  const body = { chain_id: "publica-dev-1", sender: key.address, nonce: 7n, expires_at_ms: 1796346746011n, call: approveCall(9, { type: "account", value: key.address }) };
  const signed = signTransaction(key, body);
  const bodyBytes = encodeBody(body);
  assert.equal(signed.id, txId(bodyBytes));
  assert.equal(signed.bytes.length, bodyBytes.length + 3373);
  assert.ok(verifyHybrid(file.publicKey, signingBytes(body.chain_id, bodyBytes), signed.bytes.subarray(bodyBytes.length)));
  assert.notEqual(signTransaction(key, { ...body, nonce: 8n }).id, signed.id);
  assert.notEqual(signTransaction(key, { ...body, call: rejectCall(9, body.call.call.party, "no") }).id, signed.id);
});

test("calls refuse what the ledger refuses", () => {
  const refuses = (f, pattern) => assert.throws(f, (e) => e.code === "invalid_argument" && pattern.test(e.detail));
  refuses(() => anchorCall([]), /1 to 3500 hashes/);
  refuses(() => anchorCall(["ab"]), /64 hex digits/);
  refuses(() => anchorCall(["00".repeat(32)], ""), /0 bytes/);
  refuses(() => anchorCall(["00".repeat(32)], "two\nlines"), /control characters/);
  refuses(() => anchorCall(["00".repeat(32)], "x".repeat(129)), /129 bytes/);
  refuses(() => approveCall(-1, { type: "role", value: "notary" }), /application number/);
  refuses(() => approveCall(1, { type: "role", value: "Notary" }), /role/);
  refuses(() => approveCall(1, { type: "account", value: "xyz" }), /40 hex digits/);
  refuses(() => rejectCall(1, { type: "role", value: "notary" }, ""), /reason/);
  refuses(() => encodeBody({ chain_id: "Bad Chain", sender: "00".repeat(20), nonce: 0, expires_at_ms: 0, call: anchorCall(["00".repeat(32)]) }), /chain id/);
  refuses(() => encodeBody({ chain_id: "c", sender: "00".repeat(20), nonce: 2n ** 64n, expires_at_ms: 0, call: anchorCall(["00".repeat(32)]) }), /nonce/);
});

test("a document's SHA-256 is computed in chunks and matches the anchored hash", async () => {
  const text = "wallet reference document\n";
  const anchored = blocks.flatMap((b) => b.txs).find((tx) => tx.body.call.module === "notary").body.call.call.hashes[0];
  const blob = new Blob([text]);
  assert.equal(await sha256File(blob, { chunkBytes: 5 }), anchored);
  assert.equal(await sha256File(new Blob([text + " "])) === anchored, false);
});

test("hex and base64 decoders are strict", () => {
  assert.throws(() => fromHex("abc"));
  assert.throws(() => fromBase64("AAA"));
  assert.throws(() => fromBase64("AA-_"));
  assert.equal(toHex(fromBase64("AAEC")), "000102");
  assert.equal(toHex(signingKey(new Uint8Array(64)).publicKey).length, 2 * 1984);
});

test("u64 fields of the node's answers are read exactly, beyond 2^53", () => {
  const text = '{"address":"ab","next_nonce":18446744073709551615,"height":3}';
  assert.equal(exactU64(text, "next_nonce"), 18446744073709551615n);
  assert.throws(() => exactU64('{"next_nonce":"1"}', "next_nonce"), (e) => e.code === "node_unreachable");
  assert.throws(() => exactU64('{"next_nonce":18446744073709551616}', "next_nonce"), (e) => e.code === "node_unreachable");
});

test("an account acts for the application's open parties that are itself or a role it holds", () => {
  const me = "30837768c583f3b4d75423689e97149a63a653f8";
  const seller = "eb3bb123a8f28f29f114c7d88ba646d60d76249b";
  const value = {
    stages: [[{ type: "account", value: seller }, { type: "account", value: me }, { type: "role", value: "notary" }], [{ type: "role", value: "registrar" }]],
    approvals: [{ party: { type: "account", value: seller }, by: seller }],
  };
  const citizen = { kind: { type: "citizen" }, active: true };
  const notary = { kind: { type: "official", roles: ["notary"] }, active: true };
  assert.deepEqual(partiesFor(value, me, citizen), [{ type: "account", value: me }]);
  assert.deepEqual(partiesFor(value, seller, citizen), [], "an approved party is not offered again");
  assert.deepEqual(partiesFor(value, "00".repeat(20), notary), [{ type: "role", value: "notary" }]);
  assert.deepEqual(partiesFor(value, "00".repeat(20), { ...notary, active: false }), [], "a suspended official acts for no role");
});

/** The demo network's validator sets, verified from its genesis, and its answer about application 8. */
function applicationFixture() {
  const history = verifyHistory(read("genesis.json"), read("validators-history.json"));
  assert.ok(history.ok, "the fixture's validator history verifies from its genesis");
  return { sets: history.sets, answer: JSON.parse(read("application-8.json")) };
}

test("an application answer is proven in full: record, action, parcel and where it stands", () => {
  const { sets, answer } = applicationFixture();
  const proven = proveApplication(answer, " 8 ", sets);
  assert.equal(proven.id, "8");
  assert.equal(proven.state, "open");
  assert.equal(proven.parcel, "NV-E4-102");
  assert.deepEqual(proven.record.value.stages, answer.application.value.stages);
  assert.equal(proven.height, answer.certified.header.height);
});

test("a node answer about another application than the number typed is refused", () => {
  const { sets, answer } = applicationFixture();
  assert.throws(() => proveApplication(answer, "9", sets), (e) => e.code === "application_other" && /asked for application 9.*application 8/.test(e.detail));
  const relabelled = structuredClone(answer);
  relabelled.application.id = "9";
  assert.throws(() => proveApplication(relabelled, "9", sets), (e) => e.code === "application_unproven", "its proofs are of application 8's keys");
  assert.throws(() => proveApplication(answer, "8x", sets), (e) => e.code === "invalid_argument");
});

test("a tampered application answer is refused, naming what differs from the proofs", () => {
  const { sets, answer } = applicationFixture();
  const tampered = (change) => {
    const copy = structuredClone(answer);
    change(copy);
    return copy;
  };
  const refusals = [
    [(a) => (a.application.value.stages[0][1].value = "00".repeat(20)), "application_altered", /value\.stages\[0\]\[1\]\.value/],
    [(a) => a.application.value.stages[1].push({ type: "role", value: "notary" }), "application_altered", /value\.stages\[1\]/],
    [(a) => (a.application.value.deadline_ms += 1), "application_altered", /value\.deadline_ms/],
    [(a) => (a.application.value.status = { type: "approved" }), "application_altered", /value\.status\.type/],
    [(a) => (a.action.parcel = "NV-A1-101"), "application_altered", /parcel NV-A1-101/],
    [(a) => (a.action.type = "merge"), "application_altered", /action merge/],
    [(a) => (a.state = { type: "expired" }), "application_altered", /expired/],
    [(a) => (a.proofs[1].value = a.proofs[1].value.replace(/..$/, (last) => (last === "01" ? "02" : "01"))), "application_unproven", /state-proof/],
    [(a) => a.proofs.splice(2, 1), "application_unproven", /action/],
    [(a) => (a.certified.header.time_ms += 1), "application_unproven", /./],
  ];
  for (const [change, code, detail] of refusals) {
    assert.throws(() => proveApplication(tampered(change), "8", sets), (e) => e.code === code && detail.test(e.detail), String(change));
  }
});

test("an open application past its deadline stands expired; differences are named by path", () => {
  assert.equal(standing({ type: "open" }, 100, 101), "expired");
  assert.equal(standing({ type: "open" }, 100, 100), "open");
  assert.equal(standing({ type: "approved" }, 100, 200), "approved");
  assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), "a[1].b");
  assert.equal(firstDifference({ a: 1 }, { a: 1, extra: 0 }), "extra");
  assert.equal(firstDifference({ a: 10n }, { a: 10 }), null);
});

test("the expiry comes from this computer's clock, and a node clock far from it is refused", () => {
  const now = Date.UTC(2026, 11, 4, 1, 40);
  assert.equal(expiryFor(now, BigInt(now - 2000)), BigInt(now + EXPIRY_MS));
  assert.equal(expiryFor(now, null), BigInt(now + EXPIRY_MS), "a network without blocks yet");
  const yearAhead = BigInt(now + 365 * 24 * 3600 * 1000);
  assert.throws(() => expiryFor(now, yearAhead), (e) => e.code === "clock_gap" && /525600 minutes ahead of this computer's clock/.test(e.detail));
  assert.throws(() => expiryFor(now, BigInt(now - 6 * 60 * 1000)), (e) => e.code === "clock_gap" && /6 minutes behind/.test(e.detail));
  assert.equal(expiryFor(now, BigInt(now + 4 * 60 * 1000)), BigInt(now + EXPIRY_MS), "a few minutes' difference is tolerated");
});

test("the page signs for the trusted genesis's network, and refuses a node of another", () => {
  assert.deepEqual(signingChain({ chainId: "publica-a", pinned: true }, { chainId: "publica-a" }), { chainId: "publica-a", pinned: true });
  assert.deepEqual(signingChain({ chainId: "publica-a", pinned: false }, { chainId: "publica-a" }), { chainId: "publica-a", pinned: false });
  assert.throws(() => signingChain({ chainId: "publica-a", pinned: true }, { chainId: "publica-b" }), (e) => e.code === "chain_mismatch" && /trust network publica-a.*publica-b/.test(e.detail));
});

/** A Storage-like object kept in a Map. */
function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k), items };
}

test("the key file is kept for the browser session by default, on this computer only when asked", () => {
  const local = memoryStorage();
  const sessionStore = memoryStorage();
  globalThis.localStorage = local;
  globalThis.sessionStorage = sessionStore;
  try {
    const file = parseKeyFile(read("notary.json"));
    const key = { address: file.address };
    signIn(file, key);
    assert.equal(sessionStore.getItem(KEY_FILE_STORAGE), file.text);
    assert.equal(local.getItem(KEY_FILE_STORAGE), null);
    assert.equal(storedKeyFile().remembered, false);
    signIn(file, key, file.address, { remember: true });
    assert.equal(local.getItem(KEY_FILE_STORAGE), file.text);
    assert.equal(sessionStore.getItem(KEY_FILE_STORAGE), null, "the file is kept in one place only");
    assert.equal(storedKeyFile().remembered, true);
    assert.deepEqual([...sessionStore.items.keys()], [], "nothing else is written to sessionStorage");
    forget();
    assert.equal(local.getItem(KEY_FILE_STORAGE), null);
    assert.equal(storedKeyFile(), null);
  } finally {
    delete globalThis.localStorage;
    delete globalThis.sessionStorage;
  }
});

test("the shared borsh writer refuses integers out of range", () => {
  assert.throws(() => new Writer().u64(1n << 64n), RangeError);
  assert.throws(() => new Writer().u8(256), RangeError);
  assert.throws(() => new Writer().u32(-1), RangeError);
  assert.throws(() => new Writer().fixed(new Uint8Array(19), 20), RangeError);
  assert.equal(toHex(new Writer().option(null, () => {}).option(7, (w, v) => w.u8(v)).vec([1, 2], (w, v) => w.u8(v)).done()), "0001070200000001" + "02");
});
