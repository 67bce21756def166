//! The credential verifier (`publica_verify::verify_credential`) against real ledger state: credentials issued and
//! presented with `publica-credentials`, their bundles fetched through the routes a holder uses, and every check
//! of the verifier made to fail on its own; then `POST /v1/credentials/verify`, the same checks run by the node on
//! its own state.

use axum::http::StatusCode;
use base64::Engine as _;
use publica_accounts::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_accounts::did::{Did, ED25519_FRAGMENT, ML_DSA_65_FRAGMENT};
use publica_client::api::VerifyCredentialResponse;
use publica_credentials::{Claim, CredentialContent, Form, Issuer, StatusReference, VerifyPolicy};
use publica_identity::call::SCHEMA_DIALECT;
use publica_identity::schema::Accreditation;
use publica_identity::IdentityCall;
use publica_node::shared::now_ms;
use publica_tx::{AccountsCall, Call};
use publica_types::{sha256, signing_message, Address, Hash, Keypair, Role};
use publica_verify::credential::{status_uri, DEFAULT_MAX_STATUS_AGE_SECS};
use publica_verify::{
    verify_credential, CredentialBundle, CredentialCheckError, CredentialPolicy, VerifiedCredential, VerifiedSets,
};
use serde_json::{json, Value};

use crate::{agency, key, TestNet};

const DIPLOMA: &str = "https://publica.example/vct/diploma";
const RESIDENCE: &str = "https://publica.example/vct/residence";
const AUDIENCE: &str = "https://verifier.example";
const NONCE: &str = "n-1";
/// The base of the status list URIs credentials name.
const API: &str = "https://node.example";

/// Who is who. Block 1 registers the officials; block 2 registers both schemas, accredits the university for
/// diplomas (accreditation 1) and `other` for residence (accreditation 2), and creates the faculty's status list
/// 0 (100 two-bit entries); block 3 has the university accredit the faculty for diplomas (accreditation 3).
/// Nonces used: admin 0..=4, root 0..=3, university 0, faculty 0.
struct World {
    net: TestNet,
    root: Keypair,
    university: Keypair,
    faculty: Keypair,
    other: Keypair,
    /// An official accredited by no one (yet).
    expired: Keypair,
    /// The holder of every credential (a key alone: the ledger need not know it).
    holder: Keypair,
    diploma_schema: Hash,
}

fn submit(net: &TestNet, sender: &Keypair, nonce: u64, call: Call) {
    net.node.submit(&net.body(sender, nonce, call).sign(sender).encode()).unwrap();
}

fn identity(net: &TestNet, sender: &Keypair, nonce: u64, call: IdentityCall) {
    submit(net, sender, nonce, Call::Identity(call));
}

/// The accreditation of `issuer` for `vct` from `from_ms` until `until_ms`.
fn accredit(issuer: &Keypair, vct: &str, schema: Hash, from_ms: u64, until_ms: u64) -> IdentityCall {
    IdentityCall::Accredit {
        issuer: issuer.address(),
        credential_type: vct.into(),
        schema,
        valid_from_ms: from_ms,
        valid_until_ms: until_ms,
    }
}

fn world() -> World {
    let net = TestNet::new();
    let (root, university, faculty, other, expired) = (key(10), key(11), key(12), key(13), key(14));
    let officials = [&university, &faculty, &other, &expired].map(|k| (k, "registrar"));
    for (nonce, (official, role)) in [(&root, "trust-root")].into_iter().chain(officials).enumerate() {
        let roles = vec![Role::new(role).unwrap()];
        let call =
            AccountsCall::RegisterOfficial { public_key: official.public_key().clone(), agency: agency(), roles };
        submit(&net, &net.admin, nonce as u64, Call::Accounts(call));
    }
    net.commit_block();
    let mut schemas = Vec::new();
    for (nonce, vct) in [DIPLOMA, RESIDENCE].into_iter().enumerate() {
        let document = format!(r#"{{"$schema": "{SCHEMA_DIALECT}", "title": "{vct}", "type": "object"}}"#).into_bytes();
        schemas.push(sha256(&document));
        let call = IdentityCall::RegisterSchema { type_name: vct.into(), version: 1 + nonce as u32, document };
        identity(&net, &root, nonce as u64, call);
    }
    let (from, until) = (net.node.genesis().genesis_time_ms, now_ms() + 365 * 86_400_000);
    identity(&net, &root, 2, accredit(&university, DIPLOMA, schemas[0], from, until));
    identity(&net, &root, 3, accredit(&other, RESIDENCE, schemas[1], from, until));
    identity(&net, &faculty, 0, IdentityCall::CreateStatusList { bits: 2, capacity: 100 });
    net.commit_block();
    identity(&net, &university, 0, accredit(&faculty, DIPLOMA, schemas[0], from, until));
    net.commit_block();
    assert_eq!(net.mempool_len(), 0, "every transaction was committed");
    World { net, root, university, faculty, other, expired, holder: key(20), diploma_schema: schemas[0] }
}

fn now_secs() -> u64 {
    now_ms() / 1000
}

/// A credential of type `vct` issued by `issuer` (signing with `keypair`) at `iat` for the world's holder, with
/// entry `status` of the issuer's list 0 when given.
fn issue_with(
    w: &World,
    issuer: &Address,
    keypair: &Keypair,
    vct: &str,
    status: Option<u64>,
    iat: u64,
    form: Form,
) -> String {
    let did = Did::new(w.net.chain_id.clone(), *issuer);
    let (did_text, kid_ml, kid_ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
    let signer = Issuer { keypair, did: &did_text, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
    let content = CredentialContent {
        vct: vct.into(),
        iat,
        nbf: iat,
        exp: iat + 86_400,
        holder: w.holder.public_key().clone(),
        status: status.map(|idx| StatusReference { idx, uri: status_uri(API, issuer, 0) }),
        claims: vec![
            Claim { name: "name".into(), value: json!("Ada"), disclosable: true },
            Claim { name: "degree".into(), value: json!("MSc"), disclosable: true },
        ],
        decoys: 2,
    };
    publica_credentials::issue(&signer, &content, form).unwrap()
}

/// A hybrid diploma issued by `issuer` in the second of the latest block: the latest proofs are then never from
/// before its issuance, however long the test took to get here.
fn issue(w: &World, issuer: &Keypair, status: Option<u64>) -> String {
    issue_with(w, &issuer.address(), issuer, DIPLOMA, status, issued_at(&w.net), Form::Hybrid)
}

/// The issuance time of the test's credentials: the second of the latest block.
fn issued_at(net: &TestNet) -> u64 {
    last_block_ms(net) / 1000
}

/// The credential presented to [`AUDIENCE`] with [`NONCE`], disclosing the degree.
fn present(w: &World, issued: &str) -> String {
    publica_credentials::present(issued, &w.holder, &["degree"], AUDIENCE, NONCE, now_secs()).unwrap()
}

/// A 200 answer of the router, as JSON.
async fn get_json(net: &TestNet, uri: &str) -> Value {
    let reply = net.get(uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    reply.json()
}

/// The bundle of a credential, fetched through the routes as `publica credential bundle` does: the issuer's DID at
/// issuance, the accreditation for the type in force at issuance (else the latest), the status entry.
async fn bundle(net: &TestNet, text: &str) -> CredentialBundle {
    bundle_of(net, text, None).await
}

/// As [`bundle`], with accreditation `id` when given.
async fn bundle_of(net: &TestNet, text: &str, id: Option<u64>) -> CredentialBundle {
    let claimed = publica_credentials::peek(text).unwrap();
    let iat_ms = claimed.iat.unwrap() * 1000;
    let issuer = Did::parse(&claimed.iss).unwrap();
    let resolution = get_json(net, &format!("/v1/dids/{}?versionTime={iat_ms}", claimed.iss)).await;
    let vct = crate::identity::url_encode(&claimed.vct);
    let listed = get_json(net, &format!("/v1/identity/issuers/{}/accreditations?type={vct}", issuer.address)).await;
    let records: Vec<Accreditation> = serde_json::from_value(listed["accreditations"].clone()).unwrap();
    let chosen = publica_identity::verify::accreditation_for(&records, iat_ms).map(|r| r.id);
    let id = id.or(chosen).expect("the issuer has an accreditation for the type");
    let accreditation = get_json(net, &format!("/v1/identity/accreditations/{id}")).await;
    let schema_hash = accreditation["accreditation"]["schema"].as_str().unwrap().to_owned();
    let schema = get_json(net, &format!("/v1/identity/schemas/{schema_hash}")).await;
    let status = match &claimed.status {
        None => None,
        Some(s) => {
            Some(get_json(net, &format!("/v1/identity/status-lists/{}/0/entries/{}", issuer.address, s.idx)).await)
        }
    };
    CredentialBundle { issuer: serde_json::from_value(resolution).unwrap(), accreditation, schema, status }
}

/// The default policy: the hybrid form only, [`AUDIENCE`] and [`NONCE`], any root.
fn policy() -> CredentialPolicy {
    CredentialPolicy {
        audience: AUDIENCE.into(),
        nonce: NONCE.into(),
        now_secs: now_secs(),
        presentation: VerifyPolicy::default(),
        max_status_age_secs: DEFAULT_MAX_STATUS_AGE_SECS,
        trusted_roots: None,
    }
}

fn check(
    net: &TestNet,
    presentation: &str,
    bundle: &CredentialBundle,
    policy: &CredentialPolicy,
) -> Result<VerifiedCredential, CredentialCheckError> {
    verify_credential(presentation, bundle, &VerifiedSets::genesis_only(net.node.genesis()), policy)
}

/// Assert a refusal by `name`, whose message contains `says`.
#[track_caller]
fn assert_refused(result: Result<VerifiedCredential, CredentialCheckError>, name: &str, says: &str) {
    let error = result.map(|v| v.issuer).expect_err("the presentation must be refused");
    assert_eq!(error.check(), name, "{error}");
    assert!(error.to_string().contains(says), "{name}: {error:?} does not say {says:?}");
}

/// Wait until the clock is in a later second than `ms`, then commit a block: a credential issued now is issued
/// after `ms`, and the latest proofs are of a block at or after its issuance.
fn next_second(net: &TestNet, ms: u64) {
    while now_ms() / 1000 <= ms / 1000 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    net.commit_block();
}

/// The time of the latest block.
fn last_block_ms(net: &TestNet) -> u64 {
    net.node.view(|state| state.time_ms())
}

#[tokio::test]
async fn a_genuine_presentation_passes_and_each_presentation_check_fails_alone() {
    let w = world();
    let net = &w.net;
    let issued = issue(&w, &w.faculty, Some(5));
    let shown = present(&w, &issued);
    let b = bundle(net, &issued).await;
    let verified = check(net, &shown, &b, &policy()).unwrap();
    assert_eq!(verified.issuer.address, w.faculty.address());
    assert_eq!(verified.accreditation.id, 3);
    assert_eq!(verified.chain_links, 2, "the faculty's accreditation, then the university's");
    assert_eq!(verified.presentation.claims.get("degree"), Some(&json!("MSc")));
    assert!(!verified.presentation.claims.contains_key("name"), "only the degree is disclosed");
    assert!(verified.status_as_of.is_some_and(|(height, _)| height == 3));
    // The issuer's own records back the accreditation: its schema is the registered one.
    assert_eq!(verified.accreditation.schema, w.diploma_schema);

    let other_nonce = CredentialPolicy { nonce: "n-2".into(), ..policy() };
    assert_refused(check(net, &shown, &b, &other_nonce), "key_binding_nonce", "nonce");
    let other_audience = CredentialPolicy { audience: "https://other.example".into(), ..policy() };
    assert_refused(check(net, &shown, &b, &other_audience), "key_binding_audience", "other.example");

    // A disclosure altered after issuance (the degree upgraded) no longer matches a digest the issuer signed.
    let mut tampered: Value = serde_json::from_str(&shown).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let disclosure = tampered["signatures"][0]["header"]["disclosures"][0].as_str().unwrap().to_owned();
    let mut decoded: Value = serde_json::from_slice(&b64.decode(&disclosure).unwrap()).unwrap();
    assert_eq!(decoded[2], "MSc");
    decoded[2] = json!("PhD");
    tampered["signatures"][0]["header"]["disclosures"][0] = json!(b64.encode(decoded.to_string()));
    assert_refused(check(net, &tampered.to_string(), &b, &policy()), "disclosure_not_in_payload", "not referenced");
}

#[tokio::test]
async fn the_compact_form_is_refused_by_default_and_accepted_when_allowed() {
    let w = world();
    let net = &w.net;
    let issued = issue_with(&w, &w.faculty.address(), &w.faculty, DIPLOMA, None, issued_at(net), Form::Compact);
    let shown = present(&w, &issued);
    let b = bundle(net, &issued).await;
    assert_refused(check(net, &shown, &b, &policy()), "classical_form_refused", "compact");
    let lenient = CredentialPolicy { presentation: VerifyPolicy::accepting_compact(), ..policy() };
    let verified = check(net, &shown, &b, &lenient).unwrap();
    assert_eq!(verified.status_as_of, None, "the credential has no status");
}

#[tokio::test]
async fn the_issuers_key_is_the_one_in_force_at_issuance() {
    let w = world();
    let net = &w.net;
    let before = last_block_ms(net);
    let new = key(52);
    let message = signing_message(ROTATE_KEY_TAG, net.chain_id.as_str(), &rotate_key_message(&w.faculty.address(), 1));
    let rotate = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    submit(net, &w.faculty, 1, Call::Accounts(rotate));
    net.commit_block();
    next_second(net, last_block_ms(net));
    // Issued with the new key after the rotation: the resolution at issuance holds, the one of before does not.
    let issued = issue_with(&w, &w.faculty.address(), &new, DIPLOMA, None, issued_at(net), Form::Hybrid);
    let shown = present(&w, &issued);
    let mut b = bundle(net, &issued).await;
    check(net, &shown, &b, &policy()).unwrap();
    let did = Did::new(net.chain_id.clone(), w.faculty.address());
    b.issuer = serde_json::from_value(get_json(net, &format!("/v1/dids/{did}?versionTime={before}")).await).unwrap();
    assert_refused(check(net, &shown, &b, &policy()), "issuer key", "was not the issuer's key");
    // The old key, no longer the issuer's, cannot issue in its name.
    let forged = issue(&w, &w.faculty, None);
    let b = bundle(net, &forged).await;
    assert_refused(check(net, &present(&w, &forged), &b, &policy()), "issuer_signature", "not signed by this issuer");
}

#[tokio::test]
async fn an_issuer_outside_its_accreditation_window_or_type_is_refused() {
    let w = world();
    let net = &w.net;
    let (genesis, now) = (net.node.genesis().genesis_time_ms, now_ms());
    // `other` is accredited for residence (2) only: that accreditation does not make it an issuer of diplomas.
    let diploma = issue(&w, &w.other, None);
    let b = bundle_of(net, &diploma, Some(2)).await;
    assert_refused(check(net, &present(&w, &diploma), &b, &policy()), "accreditation", "proves no accreditation");

    // Accredited for diplomas from tomorrow (4): a diploma issued today is issued before the accreditation starts.
    let window = (now + 86_400_000, now + 2 * 86_400_000);
    identity(net, &w.university, 1, accredit(&w.other, DIPLOMA, w.diploma_schema, window.0, window.1));
    // Accredited for diplomas for the first second after genesis only (5): it ended long before today.
    identity(net, &w.university, 2, accredit(&w.expired, DIPLOMA, w.diploma_schema, genesis, genesis + 1000));
    net.commit_block();
    let early = issue(&w, &w.other, None);
    let b = bundle(net, &early).await;
    assert_eq!(b.accreditation["accreditation"]["id"], 4);
    assert_refused(check(net, &present(&w, &early), &b, &policy()), "accreditation", "accredited only after");
    let late = issue(&w, &w.expired, None);
    let b = bundle(net, &late).await;
    assert_eq!(b.accreditation["accreditation"]["id"], 5);
    assert_refused(check(net, &present(&w, &late), &b, &policy()), "accreditation", "accreditation expired");
}

#[tokio::test]
async fn a_revoked_accreditation_and_a_revoked_parent_end_the_issuers_right() {
    let w = world();
    let net = &w.net;
    let before = issue(&w, &w.faculty, None);
    // The root revokes the university's accreditation (1), under which the faculty's (3) was made.
    identity(net, &w.root, 4, IdentityCall::RevokeAccreditation { id: 1 });
    net.commit_block();
    next_second(net, last_block_ms(net));
    let after = issue(&w, &w.faculty, None);
    assert_refused(
        check(net, &present(&w, &after), &bundle(net, &after).await, &policy()),
        "accreditation",
        "accreditation 1",
    );
    // Issued before the revocation, the credential stays good (its proofs are of a later block).
    let b = bundle(net, &before).await;
    check(net, &present(&w, &before), &b, &policy()).unwrap();
    // The university's own credential after the revocation is refused for its own accreditation.
    let own = issue(&w, &w.university, None);
    assert_refused(check(net, &present(&w, &own), &bundle(net, &own).await, &policy()), "accreditation", "revoked");
}

#[tokio::test]
async fn a_revoked_accreditation_of_the_issuer_itself() {
    let w = world();
    let net = &w.net;
    identity(net, &w.university, 1, IdentityCall::RevokeAccreditation { id: 3 });
    net.commit_block();
    next_second(net, last_block_ms(net));
    let issued = issue(&w, &w.faculty, None);
    let b = bundle(net, &issued).await;
    assert_refused(check(net, &present(&w, &issued), &b, &policy()), "accreditation", "revoked");
}

#[tokio::test]
async fn the_chain_must_be_whole_and_end_at_a_trusted_root() {
    let w = world();
    let net = &w.net;
    let issued = issue(&w, &w.faculty, None);
    let shown = present(&w, &issued);
    let b = bundle(net, &issued).await;
    let roots = |r: &Keypair| CredentialPolicy { trusted_roots: Some(vec![r.address()]), ..policy() };
    check(net, &shown, &b, &roots(&w.root)).unwrap();
    assert_refused(check(net, &shown, &b, &roots(&w.other)), "accreditation", "root");

    // The parent's record left out of the bundle: the chain does not reach a root.
    let mut broken = b.clone();
    let proofs = broken.accreditation["proofs"].as_array_mut().unwrap();
    let parent_key = hex::encode(publica_identity::schema::accreditation_key(1));
    let before = proofs.len();
    proofs.retain(|p| p["key"] != parent_key.as_str());
    assert_eq!(proofs.len(), before - 1, "the parent's proof was in the bundle");
    assert_refused(check(net, &shown, &broken, &policy()), "accreditation", "missing");

    // A proven value altered: the proof no longer leads to the certified state root.
    let mut tampered = b.clone();
    let value = tampered.accreditation["proofs"][0]["value"].as_str().unwrap().to_owned();
    let flipped = if value.starts_with('0') { "1" } else { "0" };
    tampered.accreditation["proofs"][0]["value"] = json!(format!("{flipped}{}", &value[1..]));
    assert_refused(check(net, &shown, &tampered, &policy()), "ledger proof", "does not match the certified state root");
}

#[tokio::test]
async fn accreditation_proofs_from_before_issuance_are_refused() {
    let w = world();
    let net = &w.net;
    let stale = get_json(net, "/v1/identity/accreditations/3").await;
    next_second(net, last_block_ms(net));
    let issued = issue(&w, &w.faculty, None);
    let mut b = bundle(net, &issued).await;
    b.accreditation = stale;
    assert_refused(
        check(net, &present(&w, &issued), &b, &policy()),
        "accreditation",
        "before the credential's issuance",
    );
}

#[tokio::test]
async fn the_status_entry_decides_and_must_be_proven_fresh_from_the_issuers_list() {
    let w = world();
    let net = &w.net;
    identity(net, &w.faculty, 1, IdentityCall::UpdateStatus { list: 0, status: 1, indices: vec![3] });
    identity(net, &w.faculty, 2, IdentityCall::UpdateStatus { list: 0, status: 2, indices: vec![7] });
    net.commit_block();
    let height = net.node.view(|state| state.height());
    for (index, name) in [(3, "revoked"), (7, "suspended")] {
        let issued = issue(&w, &w.faculty, Some(index));
        let b = bundle(net, &issued).await;
        let says = format!("{name} (entry {index} of list 0 of {}, as of block {height})", w.faculty.address());
        assert_refused(check(net, &present(&w, &issued), &b, &policy()), name, &says);
    }
    let issued = issue(&w, &w.faculty, Some(5));
    let shown = present(&w, &issued);
    let b = bundle(net, &issued).await;
    check(net, &shown, &b, &policy()).unwrap();

    let without = CredentialBundle { status: None, ..b.clone() };
    assert_refused(check(net, &shown, &without, &policy()), "status", "carries no status proof");
    let strict = CredentialPolicy { max_status_age_secs: 1, now_secs: now_secs() + 5, ..policy() };
    assert_refused(check(net, &shown, &b, &strict), "status", "older than the 1 s accepted");

    // A credential whose status entry sits in another issuer's list.
    let did = Did::new(net.chain_id.clone(), w.faculty.address());
    let (did_text, kid_ml, kid_ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
    let signer = Issuer { keypair: &w.faculty, did: &did_text, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
    // Issued in the second of the latest block, as `issue` does: a later second would be refused first for an
    // issuance after every proof, whenever the clock turned a second during the test.
    let at = issued_at(net);
    let content = CredentialContent {
        vct: DIPLOMA.into(),
        iat: at,
        nbf: at,
        exp: at + 3600,
        holder: w.holder.public_key().clone(),
        status: Some(StatusReference { idx: 5, uri: status_uri(API, &w.university.address(), 0) }),
        claims: vec![Claim { name: "degree".into(), value: json!("MSc"), disclosable: true }],
        decoys: 0,
    };
    let foreign = publica_credentials::issue(&signer, &content, Form::Hybrid).unwrap();
    assert_refused(check(net, &present(&w, &foreign), &b, &policy()), "status", "belongs to");
}

const VERIFY: &str = "/v1/credentials/verify";

/// A request to verify `presentation` for [`AUDIENCE`] and [`NONCE`].
fn verify_body(presentation: &str) -> Value {
    json!({"presentation": presentation, "audience": AUDIENCE, "nonce": NONCE})
}

/// The node's verdict on a request, checked to be a 200 answer that decodes and encodes back to itself.
async fn verdict(net: &TestNet, body: &Value) -> VerifyCredentialResponse {
    let reply = net.post_json(VERIFY, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answer: VerifyCredentialResponse = serde_json::from_slice(&reply.bytes).unwrap();
    assert_eq!(serde_json::to_value(&answer).unwrap(), reply.json(), "the answer is exactly its type");
    answer
}

/// Assert a refusal by `name` in the node's verdict.
#[track_caller]
fn assert_invalid(answer: &VerifyCredentialResponse, name: &str) {
    match answer {
        VerifyCredentialResponse::Invalid(refused) => {
            assert_eq!((refused.valid, refused.check.as_str()), (false, name), "{}", refused.reason)
        }
        VerifyCredentialResponse::Valid(_) => panic!("{name}: the node accepted the presentation"),
    }
}

#[tokio::test]
async fn the_route_verifies_with_the_nodes_own_state() {
    let w = world();
    let net = &w.net;
    identity(net, &w.faculty, 1, IdentityCall::UpdateStatus { list: 0, status: 1, indices: vec![3] });
    net.commit_block();
    let shown = present(&w, &issue(&w, &w.faculty, Some(5)));
    let VerifyCredentialResponse::Valid(valid) = verdict(net, &verify_body(&shown)).await else {
        panic!("the genuine presentation was refused");
    };
    assert!(valid.valid);
    assert_eq!(valid.issuer, Did::new(net.chain_id.clone(), w.faculty.address()).to_string());
    assert_eq!((valid.credential_type.as_str(), valid.accreditation.id), (DIPLOMA, 3));
    assert_eq!(valid.claims.get("degree"), Some(&json!("MSc")));
    assert!(!valid.claims.contains_key("name"), "only the degree is disclosed");
    assert_eq!(valid.status_as_of.map(|s| s.height), Some(4));

    let mut body = verify_body(&shown);
    body["nonce"] = json!("n-2");
    assert_invalid(&verdict(net, &body).await, "key_binding_nonce");
    let mut body = verify_body(&shown);
    body["trusted_roots"] = json!([w.other.address()]);
    assert_invalid(&verdict(net, &body).await, "accreditation");
    body["trusted_roots"] = json!([w.other.address(), w.root.address()]);
    assert!(verdict(net, &body).await.is_valid());
    let iat = issued_at(net);
    let revoked = issue_with(&w, &w.faculty.address(), &w.faculty, DIPLOMA, Some(3), iat, Form::Hybrid);
    assert_invalid(&verdict(net, &verify_body(&present(&w, &revoked))).await, "revoked");
    let compact = issue_with(&w, &w.faculty.address(), &w.faculty, DIPLOMA, None, iat, Form::Compact);
    let mut body = verify_body(&present(&w, &compact));
    assert_invalid(&verdict(net, &body).await, "classical_form_refused");
    body["accept_compact"] = json!(true);
    assert!(verdict(net, &body).await.is_valid());
}

#[tokio::test]
async fn the_route_answers_what_the_ledger_lacks_as_a_refusal() {
    let w = world();
    let net = &w.net;
    // Not a credential at all: refused by the cheap parse, before the state is read.
    assert_invalid(&verdict(net, &verify_body("not a credential")).await, "malformed");
    // An issuer the ledger does not know.
    let stranger = key(60);
    let issued = issue_with(&w, &stranger.address(), &stranger, DIPLOMA, None, issued_at(net), Form::Hybrid);
    assert_invalid(&verdict(net, &verify_body(&present(&w, &issued))).await, "issuer key");
    // An issuer with no accreditation for the type: the empty index is proven, and the verifier refuses it.
    let unaccredited = present(&w, &issue(&w, &w.other, None));
    assert_invalid(&verdict(net, &verify_body(&unaccredited)).await, "accreditation");
    // A status list that does not exist (the issuer's list 1), and an index past the list's capacity.
    for (list, index) in [(1, 0), (0, 100)] {
        let did = Did::new(net.chain_id.clone(), w.faculty.address());
        let (did_text, kid_ml, kid_ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
        let signer = Issuer { keypair: &w.faculty, did: &did_text, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
        let content = CredentialContent {
            vct: DIPLOMA.into(),
            iat: now_secs(),
            nbf: now_secs(),
            exp: now_secs() + 3600,
            holder: w.holder.public_key().clone(),
            status: Some(StatusReference { idx: index, uri: status_uri(API, &w.faculty.address(), list) }),
            claims: vec![Claim { name: "degree".into(), value: json!("MSc"), disclosable: true }],
            decoys: 0,
        };
        let issued = publica_credentials::issue(&signer, &content, Form::Hybrid).unwrap();
        assert_invalid(&verdict(net, &verify_body(&present(&w, &issued))).await, "status");
    }
}

#[tokio::test]
async fn the_route_refuses_a_malformed_or_oversized_request() {
    let w = world();
    let net = &w.net;
    let shown = present(&w, &issue(&w, &w.faculty, None));
    let long = "a".repeat(publica_api::MAX_VERIFIER_TEXT_BYTES + 1);
    for bad in [
        json!({"presentation": shown, "audience": AUDIENCE}),
        json!({"presentation": shown, "audience": AUDIENCE, "nonce": NONCE, "extra": 1}),
        json!({"presentation": shown, "audience": AUDIENCE, "nonce": 7}),
        json!({"presentation": shown, "audience": "", "nonce": NONCE}),
        json!({"presentation": "", "audience": AUDIENCE, "nonce": NONCE}),
        json!({"presentation": shown, "audience": long, "nonce": NONCE}),
        json!({"presentation": shown, "audience": AUDIENCE, "nonce": NONCE, "trusted_roots": []}),
        json!({"presentation": shown, "audience": AUDIENCE, "nonce": NONCE, "trusted_roots": ["xyz"]}),
        json!({"presentation": shown, "audience": AUDIENCE, "nonce": NONCE,
               "trusted_roots": vec![w.root.address(); publica_api::MAX_TRUSTED_ROOT_COUNT + 1]}),
        json!([shown]),
    ] {
        net.post_json(VERIFY, &bad).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    let reply = net.post_text(VERIFY, "application/json", "{\"presentation\": ".into()).await;
    reply.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    let reply = net.post_text(VERIFY, "text/plain", verify_body(&shown).to_string()).await;
    reply.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "malformed_request");
    let oversized = verify_body(&"a".repeat(publica_credentials::MAX_CREDENTIAL_BYTES + 1));
    net.post_json(VERIFY, &oversized).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    let body = verify_body(&"\"".repeat(publica_api::MAX_VERIFY_BODY_BYTES / 2));
    net.post_json(VERIFY, &body).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
}

/// A status list token of the faculty's list 0 holding `bits`, signed by `signer` in `form`, naming `uri`.
fn status_token(w: &World, signer: &Keypair, uri: &str, bits: publica_credentials::StatusList, form: Form) -> String {
    let did = Did::new(w.net.chain_id.clone(), signer.address());
    let (id, ml, ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
    let issuer = Issuer { keypair: signer, did: &id, kid_ml_dsa_65: &ml, kid_ed25519: &ed };
    let token = publica_credentials::StatusListToken {
        uri: uri.to_owned(),
        iat: now_secs(),
        exp: Some(now_secs() + 3_600),
        ttl: Some(600),
        list: bits,
    };
    publica_credentials::issue_status_list_token(&issuer, &token, form).unwrap()
}

#[tokio::test]
async fn a_published_status_list_token_is_served_while_its_bits_are_the_ledgers() {
    let w = world();
    let net = &w.net;
    identity(net, &w.faculty, 1, IdentityCall::UpdateStatus { list: 0, status: 1, indices: vec![3] });
    net.commit_block();
    let owner = w.faculty.address();
    let path = format!("/v1/identity/status-lists/{owner}/0/token");
    let uri = status_uri(API, &owner, 0);
    let message = net.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("no token"), "{message}");
    let ledger = || {
        let mut bits = publica_credentials::StatusList::new(2, 100).unwrap();
        bits.set(3, 1).unwrap();
        bits
    };
    // Refused, each naming why, and nothing kept: bits that are not the ledger's, another key, another list's URI.
    let empty = publica_credentials::StatusList::new(2, 100).unwrap();
    for (token, says) in [
        (status_token(&w, &w.faculty, &uri, empty, Form::Hybrid), "not the ledger's"),
        (status_token(&w, &w.other, &uri, ledger(), Form::Hybrid), "issuer_signature"),
        (status_token(&w, &w.faculty, &status_uri(API, &owner, 1), ledger(), Form::Hybrid), "does not name list 0"),
        ("not a token".to_owned(), "not a status list token"),
    ] {
        let reply = net.post_json(&path, &json!({ "token": token })).await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
        assert!(message.contains(says), "{says}: {message}");
    }
    net.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    // The genuine one, hybrid then compact: served as published, with its media type.
    for form in [Form::Hybrid, Form::Compact] {
        let token = status_token(&w, &w.faculty, &uri, ledger(), form);
        let reply = net.post_json(&path, &json!({ "token": token })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["uri"], uri.as_str());
        let served = net.get(&path).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.content_type, "application/statuslist+jwt");
        assert_eq!(served.text(), token);
    }
    // Once an entry changes on the ledger, the token is no longer served.
    identity(net, &w.faculty, 2, IdentityCall::UpdateStatus { list: 0, status: 2, indices: vec![9] });
    net.commit_block();
    let message = net.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("no longer matches"), "{message}");
}
