//! The identity routes (`/v1/identity/…`): schemas, accreditations with their chains and decisions, status lists
//! and their entries, consents; each answer checked against the state built by real transactions, verified
//! offline, and each bad input refused.

use axum::http::StatusCode;
use base64::Engine as _;
use publica_client::api::{
    AccreditationResponse, ConsentResponse, ConsentsResponse, IssuerAccreditationsResponse, SchemaResponse,
    StatusEntryResponse, StatusListResponse,
};
use publica_identity::call::SCHEMA_DIALECT;
use publica_identity::IdentityCall;
use publica_node::shared::now_ms;
use publica_tx::{AccountsCall, Call};
use publica_types::{sha256, Address, Hash, Keypair, Role};
use publica_verify::{verify_document, VerifiedSets};
use serde::de::DeserializeOwned;

use crate::{agency, key, Reply, TestNet};

/// Percent-encode a query value.
pub(crate) fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The diploma's credential type.
pub(crate) const DIPLOMA: &str = "https://publica.example/vct/diploma";
/// Another credential type.
const RESIDENCE: &str = "https://publica.example/vct/residence";

/// The world every test reads: who is who, and what was made.
pub(crate) struct World {
    pub net: TestNet,
    /// A trust root (also a citizen registrar).
    pub root: Keypair,
    /// An official accredited by the root (accreditation 1).
    pub university: Keypair,
    /// An official accredited by the university (accreditation 2); owns status list 0.
    pub faculty: Keypair,
    /// A citizen who granted consent 1 to the university.
    pub citizen: Keypair,
    /// The schema's document and hash.
    pub document: Vec<u8>,
    pub schema: Hash,
}

fn submit(net: &TestNet, sender: &Keypair, nonce: u64, call: Call) {
    net.node.submit(&net.body(sender, nonce, call).sign(sender).encode()).unwrap();
}

fn identity(call: IdentityCall) -> Call {
    Call::Identity(call)
}

/// Block 1 registers the officials; block 2 registers the schema, accredits the university, registers the citizen
/// and creates the faculty's status list (10,000 two-bit entries: three chunks); block 3 accredits the faculty,
/// revokes entries 3 and 5,000, suspends entry 7 and grants a consent; block 4 records two uses of it; block 5
/// revokes the university's accreditation.
pub(crate) fn world() -> World {
    let net = TestNet::new();
    let (root, university, faculty, citizen) = (key(10), key(11), key(12), key(20));
    for (nonce, (official, roles)) in
        [(&root, &["trust-root", "citizen-registrar"][..]), (&university, &["registrar"]), (&faculty, &["registrar"])]
            .into_iter()
            .enumerate()
    {
        let roles = roles.iter().map(|r| Role::new(*r).unwrap()).collect();
        let call =
            AccountsCall::RegisterOfficial { public_key: official.public_key().clone(), agency: agency(), roles };
        submit(&net, &net.admin, nonce as u64, Call::Accounts(call));
    }
    net.commit_block();

    let document =
        format!(r#"{{"$schema": "{SCHEMA_DIALECT}", "type": "object", "required": ["degree"]}}"#).into_bytes();
    let schema = sha256(&document);
    let from = net.node.genesis().genesis_time_ms;
    let until = now_ms() + 365 * 86_400_000;
    let accredit = |issuer: &Keypair| IdentityCall::Accredit {
        issuer: issuer.address(),
        credential_type: DIPLOMA.into(),
        schema,
        valid_from_ms: from,
        valid_until_ms: until,
    };
    let register = IdentityCall::RegisterSchema { type_name: DIPLOMA.into(), version: 1, document: document.clone() };
    submit(&net, &root, 0, identity(register));
    submit(&net, &root, 1, identity(accredit(&university)));
    let citizen_call =
        AccountsCall::RegisterCitizen { public_key: citizen.public_key().clone(), id_commitment: [3; 32] };
    submit(&net, &root, 2, Call::Accounts(citizen_call));
    submit(&net, &faculty, 0, identity(IdentityCall::CreateStatusList { bits: 2, capacity: 10_000 }));
    net.commit_block();

    submit(&net, &university, 0, identity(accredit(&faculty)));
    submit(&net, &faculty, 1, identity(IdentityCall::UpdateStatus { list: 0, status: 1, indices: vec![3, 5_000] }));
    submit(&net, &faculty, 2, identity(IdentityCall::UpdateStatus { list: 0, status: 2, indices: vec![7] }));
    let grant = IdentityCall::GrantConsent {
        grantee: university.address(),
        credential: [9; 32],
        claims: vec!["age_over_18".into(), "kyc_level".into()],
        purpose: "account opening".into(),
        until_ms: now_ms() + 86_400_000,
    };
    submit(&net, &citizen, 0, identity(grant));
    net.commit_block();

    submit(&net, &university, 1, identity(IdentityCall::RecordConsentUse { id: 1 }));
    submit(&net, &university, 2, identity(IdentityCall::RecordConsentUse { id: 1 }));
    net.commit_block();
    // Later block times are strictly later: the revocation comes after everything above.
    std::thread::sleep(std::time::Duration::from_millis(5));
    submit(&net, &root, 3, identity(IdentityCall::RevokeAccreditation { id: 1 }));
    net.commit_block();
    assert_eq!(net.mempool_len(), 0, "every transaction was committed");
    World { net, root, university, faculty, citizen, document, schema }
}

/// A 200 answer of `uri` decoded into `T`, after checking every proof it carries offline.
async fn proven<T: DeserializeOwned>(net: &TestNet, uri: &str) -> (T, Reply) {
    let reply = net.get(uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    verify_document(&reply.bytes, &VerifiedSets::genesis_only(net.node.genesis()))
        .unwrap_or_else(|e| panic!("{uri}: the answer does not verify offline: {e}"));
    (serde_json::from_slice(&reply.bytes).unwrap(), reply)
}

/// Assert a refusal with a module's code (its number and HTTP status given).
#[track_caller]
fn assert_module_error(reply: &Reply, status: StatusCode, code: &str, number: u16) -> String {
    let json = reply.json();
    assert_eq!(reply.status, status, "{json}");
    assert_eq!(json["error"]["code"], code, "{json}");
    assert_eq!(json["error"]["number"], number, "{json}");
    json["error"]["message"].as_str().unwrap().to_owned()
}

fn addr(k: &Keypair) -> Address {
    k.address()
}

#[tokio::test]
async fn schemas_by_hash_and_by_type_and_version() {
    let w = world();
    let net = &w.net;
    let hash = hex::encode(w.schema);
    let (by_hash, _): (SchemaResponse, _) = proven(net, &format!("/v1/identity/schemas/{hash}")).await;
    assert_eq!(by_hash.schema.document, w.document);
    assert_eq!(by_hash.schema.type_name, DIPLOMA);
    assert_eq!(by_hash.schema.registered_by, addr(&w.root));
    assert_eq!(by_hash.document["required"][0], "degree", "the document is served parsed as well");
    assert_eq!(by_hash.proofs.len(), 1);
    assert_eq!(sha256(&by_hash.schema.document), w.schema, "the proven document is the one named");

    let uri = format!("/v1/identity/schemas?type={}&version=1", url_encode(DIPLOMA));
    let (by_version, _): (SchemaResponse, _) = proven(net, &uri).await;
    assert_eq!(by_version.schema, by_hash.schema);
    assert_eq!(by_version.proofs.len(), 2, "the version's key, then the schema's");
    assert_eq!(by_version.proofs[0].value.as_deref(), Some(w.schema.as_slice()));

    net.get(&format!("/v1/identity/schemas/{}", "ab".repeat(32)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let encoded = url_encode(DIPLOMA);
    net.get(&format!("/v1/identity/schemas?type={encoded}&version=2"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    for bad in [
        "/v1/identity/schemas/xyz".to_owned(),
        format!("/v1/identity/schemas/{}", "0".repeat(63)),
        format!("/v1/identity/schemas?type={encoded}"),
        "/v1/identity/schemas?version=1".to_owned(),
        format!("/v1/identity/schemas?type={encoded}&version=-1"),
        format!("/v1/identity/schemas?type={encoded}&version=4294967296"),
        format!("/v1/identity/schemas?type={encoded}&version=1&extra=1"),
        format!("/v1/identity/schemas/{hash}?version=1"),
        "/v1/identity/schemas?type=a%20b&version=1".to_owned(),
        format!("/v1/identity/schemas?type={}&version=1", "a".repeat(201)),
    ] {
        let message = net.get(&bad).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
        assert!(message.len() < 400, "{bad}: {message}");
    }
}

#[tokio::test]
async fn an_accreditation_comes_with_its_chain_and_the_decision_at_a_time() {
    let w = world();
    let net = &w.net;
    // Now: the university's accreditation (the faculty's parent) is revoked, so the faculty is not accredited.
    let (now, _): (AccreditationResponse, _) = proven(net, "/v1/identity/accreditations/2").await;
    assert_eq!(now.accreditation.issuer, addr(&w.faculty));
    assert_eq!(now.accreditation.parent, Some(1));
    assert_eq!(now.chain.len(), 1);
    assert_eq!(now.chain[0].issuer, addr(&w.university));
    assert_eq!(now.chain[0].accredited_by, addr(&w.root));
    assert_eq!(now.proofs.len(), 2);
    let revoked_at = now.chain[0].revoked_at_ms.expect("accreditation 1 was revoked");
    assert!(!now.decision.accredited, "{:?}", now.decision);
    assert_eq!(now.decision.failed_check.as_deref(), Some("revoked"));
    assert!(now.decision.reason.as_deref().unwrap().contains("accreditation 1"), "{:?}", now.decision);
    assert_eq!(now.decision.at_ms, now.certified.header.time_ms, "without at, the header's time");

    // Before the revocation the chain held.
    let at = now.accreditation.created_at_ms;
    assert!(at < revoked_at);
    let (then, _): (AccreditationResponse, _) = proven(net, &format!("/v1/identity/accreditations/2?at={at}")).await;
    assert!(then.decision.accredited, "{:?}", then.decision);
    assert_eq!((then.decision.at_ms, then.decision.failed_check), (at, None));
    // Before the window opened.
    let (early, _): (AccreditationResponse, _) = proven(net, "/v1/identity/accreditations/1?at=1970-01-02").await;
    assert_eq!(early.decision.failed_check.as_deref(), Some("accredited_only_after"));
    assert!(early.chain.is_empty(), "a trust root made accreditation 1");

    let future = now_ms() + 86_400_000;
    net.get(&format!("/v1/identity/accreditations/2?at={future}"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "time_after_last_block");
    net.get("/v1/identity/accreditations/3").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    net.get("/v1/identity/accreditations/0").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    for bad in ["abc", "-1", "%2B1", "18446744073709551616", "99999999999999999999", "1?at=2026-04-31", "1?when=1"] {
        net.get(&format!("/v1/identity/accreditations/{bad}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
}

#[tokio::test]
async fn an_issuers_accreditations_for_a_type() {
    let w = world();
    let net = &w.net;
    let diploma = url_encode(DIPLOMA);
    let uri = format!("/v1/identity/issuers/{}/accreditations?type={diploma}", addr(&w.faculty));
    let (listed, _): (IssuerAccreditationsResponse, _) = proven(net, &uri).await;
    assert_eq!(listed.issuer, addr(&w.faculty));
    assert_eq!(listed.credential_type, DIPLOMA);
    assert_eq!(listed.accreditations.iter().map(|a| a.id).collect::<Vec<_>>(), [2]);
    assert_eq!(listed.proofs.len(), 2, "the index, then the record");

    let other = url_encode(RESIDENCE);
    let uri = format!("/v1/identity/issuers/{}/accreditations?type={other}", addr(&w.faculty));
    let (none, _): (IssuerAccreditationsResponse, _) = proven(net, &uri).await;
    assert!(none.accreditations.is_empty());
    assert_eq!(none.proofs.len(), 1);
    assert_eq!(none.proofs[0].value, None, "the absence of the index proves there is none");

    for bad in [
        format!("/v1/identity/issuers/{}/accreditations", addr(&w.faculty)),
        format!("/v1/identity/issuers/{}/accreditations?type=", addr(&w.faculty)),
        format!("/v1/identity/issuers/xyz/accreditations?type={diploma}"),
        format!("/v1/identity/issuers/{}/accreditations?type={diploma}&from=1", addr(&w.faculty)),
    ] {
        net.get(&bad).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
}

/// The packed bytes of a status list answer.
fn packed(list: &StatusListResponse) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&list.packed).unwrap()
}

/// Entry `index` of a packed two-bit list.
fn two_bit(bytes: &[u8], index: usize) -> u8 {
    (bytes[index / 4] >> (2 * (index % 4))) & 0b11
}

#[tokio::test]
async fn a_status_list_whole_and_by_page() {
    let w = world();
    let net = &w.net;
    let base = format!("/v1/identity/status-lists/{}/0", addr(&w.faculty));
    let (list, reply): (StatusListResponse, _) = proven(net, &base).await;
    assert_eq!((list.header.bits, list.header.capacity), (2, 10_000));
    assert_eq!((list.chunk_count, list.from_chunk, list.chunks), (3, 0, 3));
    let bytes = packed(&list);
    assert_eq!(bytes.len(), 2_500, "10,000 two-bit entries");
    let set: Vec<(usize, u8)> = (0..10_000).map(|i| (i, two_bit(&bytes, i))).filter(|(_, s)| *s != 0).collect();
    assert_eq!(set, [(3, 1), (7, 2), (5_000, 1)]);
    assert_eq!(list.proofs.len(), 4, "the header and three chunks");
    // The packed bytes are the proven chunks (the third, never written, proven absent) put together.
    let mut from_proofs = Vec::new();
    for (chunk, proof) in list.proofs[1..].iter().enumerate() {
        match &proof.value {
            Some(v) => from_proofs.extend_from_slice(v),
            None => from_proofs.resize(from_proofs.len() + [1024, 1024, 452][chunk], 0),
        }
    }
    assert_eq!(from_proofs, bytes);
    assert_eq!(list.proofs[3].value, None);

    // A proof document whose proven value was altered does not verify.
    let mut tampered: serde_json::Value = serde_json::from_slice(&reply.bytes).unwrap();
    let value = tampered["proofs"][1]["value"].as_str().unwrap().to_owned();
    tampered["proofs"][1]["value"] = format!("ff{}", &value[2..]).into();
    let sets = VerifiedSets::genesis_only(net.node.genesis());
    assert!(verify_document(&serde_json::to_vec(&tampered).unwrap(), &sets).is_err());

    let (page, _): (StatusListResponse, _) = proven(net, &format!("{base}?from_chunk=1&chunks=1")).await;
    assert_eq!((page.from_chunk, page.chunks, page.proofs.len()), (1, 1, 2));
    assert_eq!(packed(&page), bytes[1024..2048]);
    let (tail, _): (StatusListResponse, _) = proven(net, &format!("{base}?from_chunk=2&chunks=256")).await;
    assert_eq!((tail.chunks, packed(&tail).len()), (1, 452), "a page stops at the list's end");

    let message =
        net.get(&format!("{base}?from_chunk=3")).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    assert!(message.contains("3 chunks"), "{message}");
    for bad in ["?chunks=0", "?chunks=257", "?from_chunk=-1", "?page=1"] {
        net.get(&format!("{base}{bad}")).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    for bad in ["xyz/0".to_owned(), format!("{}/x", addr(&w.faculty)), format!("{}/1000000000", addr(&w.faculty))] {
        net.get(&format!("/v1/identity/status-lists/{bad}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    net.get(&format!("/v1/identity/status-lists/{}/1", addr(&w.faculty)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    net.get(&format!("/v1/identity/status-lists/{}/0", addr(&w.root)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn one_status_entry_is_proven_by_its_header_and_one_chunk() {
    let w = world();
    let net = &w.net;
    let base = format!("/v1/identity/status-lists/{}/0/entries", addr(&w.faculty));
    for (index, status, name, chunk) in [(5_000, 1, "revoked", 1), (7, 2, "suspended", 0), (8, 0, "valid", 0)] {
        let (entry, _): (StatusEntryResponse, _) = proven(net, &format!("{base}/{index}")).await;
        assert_eq!((entry.index, entry.status, entry.status_name.as_str(), entry.chunk), (index, status, name, chunk));
        assert_eq!(entry.proofs.len(), 2, "the header and one chunk");
        assert!(entry.proofs[1].value.is_some());
    }
    // An entry of a chunk never written: valid, proven by the chunk's absence.
    let (absent, _): (StatusEntryResponse, _) = proven(net, &format!("{base}/9999")).await;
    assert_eq!((absent.status, absent.status_name.as_str(), absent.chunk), (0, "valid", 2));
    assert_eq!(absent.proofs[1].value, None);

    let message = assert_module_error(
        &net.get(&format!("{base}/10000")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "status_index_out_of_range",
        3724,
    );
    assert!(message.contains("10000 entries") && message.contains("0 to 9999"), "{message}");
    for bad in ["x", "-1", "1.5", "1000000000", "1?at=1"] {
        net.get(&format!("{base}/{bad}")).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    let unknown = format!("/v1/identity/status-lists/{}/3/entries/0", addr(&w.faculty));
    net.get(&unknown).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn consents_with_their_uses_and_by_grantor_and_grantee() {
    let w = world();
    let net = &w.net;
    let (consent, _): (ConsentResponse, _) = proven(net, "/v1/identity/consents/1").await;
    assert_eq!((consent.consent.grantor, consent.consent.grantee), (addr(&w.citizen), addr(&w.university)));
    assert_eq!(consent.consent.claims, ["age_over_18", "kyc_level"]);
    assert_eq!((consent.consent.uses, consent.uses.len(), consent.from), (2, 2, 0));
    assert!(consent.uses.iter().all(|u| u.by == addr(&w.university)));
    assert_eq!(consent.proofs.len(), 3, "the consent and its two uses");
    let (page, _): (ConsentResponse, _) = proven(net, "/v1/identity/consents/1?from=1&limit=1").await;
    assert_eq!((page.from, page.uses.len(), page.proofs.len()), (1, 1, 2));
    assert_eq!(page.uses[0], consent.uses[1]);

    for (side, who) in [("grantors", &w.citizen), ("grantees", &w.university)] {
        let (listed, _): (ConsentsResponse, _) =
            proven(net, &format!("/v1/identity/{side}/{}/consents", addr(who))).await;
        assert_eq!(listed.address, addr(who));
        assert_eq!(listed.consents, std::slice::from_ref(&consent.consent), "{side}");
        assert_eq!(listed.proofs.len(), 3, "{side}: the count, the index entry and the consent");
        let (past, _): (ConsentsResponse, _) =
            proven(net, &format!("/v1/identity/{side}/{}/consents?from=1&limit=1000", addr(who))).await;
        assert!(past.consents.is_empty() && past.from == 1);
    }
    let (none, _): (ConsentsResponse, _) =
        proven(net, &format!("/v1/identity/grantors/{}/consents", addr(&w.root))).await;
    assert!(none.consents.is_empty());
    assert_eq!(none.proofs[0].value, None, "the absence of the count proves there is none");

    net.get("/v1/identity/consents/2").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let citizen = addr(&w.citizen);
    for bad in [
        "/v1/identity/consents/x".to_owned(),
        "/v1/identity/consents/1?limit=0".to_owned(),
        "/v1/identity/consents/1?limit=1001".to_owned(),
        "/v1/identity/consents/1?from=-1".to_owned(),
        "/v1/identity/consents/1?offset=1".to_owned(),
        format!("/v1/identity/grantors/{citizen}/consents?limit=1001"),
        format!("/v1/identity/grantees/{citizen}/consents?limit=0"),
        format!("/v1/identity/grantees/{citizen}/consents?type=x"),
        "/v1/identity/grantors/00/consents".to_owned(),
    ] {
        net.get(&bad).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
}

#[tokio::test]
async fn a_list_of_the_largest_capacity_is_served_page_by_page_within_the_bound() {
    let net = TestNet::new();
    let owner = key(12);
    let call = AccountsCall::RegisterOfficial {
        public_key: owner.public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("registrar").unwrap()],
    };
    submit(&net, &net.admin, 0, Call::Accounts(call));
    net.commit_block();
    let capacity = publica_identity::call::MAX_STATUS_LIST_ENTRIES;
    submit(&net, &owner, 0, identity(IdentityCall::CreateStatusList { bits: 1, capacity }));
    // Every chunk of the first page written (one entry each), so the page carries 256 full chunks; and the last.
    let mut indices: Vec<u32> = (0..256).map(|c| c * 8192 + c).collect();
    indices.push(capacity - 1);
    submit(&net, &owner, 1, identity(IdentityCall::UpdateStatus { list: 0, status: 1, indices }));
    net.commit_block();

    let base = format!("/v1/identity/status-lists/{}/0", owner.address());
    let started = std::time::Instant::now();
    let (first, reply): (StatusListResponse, _) = proven(&net, &base).await;
    let elapsed = started.elapsed();
    let max = publica_api::MAX_STATUS_LIST_PAGE_CHUNKS;
    assert_eq!((first.chunk_count, first.from_chunk, first.chunks), (2048, 0, max));
    let bytes = packed(&first);
    assert_eq!(bytes.len(), max as usize * 1024);
    assert!((0..256).all(|c| bytes[c * 1024 + c / 8] >> (c % 8) & 1 == 1));
    assert!(reply.bytes.len() < publica_verify::MAX_PROOF_JSON_BYTES / 2, "{} bytes", reply.bytes.len());
    eprintln!("a page of {max} full chunks: {} bytes of JSON, served and verified in {elapsed:?}", reply.bytes.len());

    let (last, _): (StatusListResponse, _) = proven(&net, &format!("{base}?from_chunk=2047&chunks=1")).await;
    assert_eq!(packed(&last).last().copied(), Some(0x80), "entry 2^24 - 1 is the last bit of the last byte");
    let (entry, _): (StatusEntryResponse, _) = proven(&net, &format!("{base}/entries/{}", capacity - 1)).await;
    assert_eq!((entry.status_name.as_str(), entry.chunk), ("revoked", 2047));
    let message = assert_module_error(
        &net.get(&format!("{base}/entries/{capacity}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "status_index_out_of_range",
        3724,
    );
    assert!(message.contains(&format!("{capacity} entries")), "{message}");
}
