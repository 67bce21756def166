//! `GET /v1/dids/{did}`: resolution of accounts' DIDs, their versions across a key rotation, the proofs checked
//! offline, and refusals of bad DIDs and parameters.

use axum::http::StatusCode;
use publica_accounts::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_accounts::did::Jwk;
use publica_tx::{AccountsCall, Call};
use publica_types::{signing_message, Address, Keypair};
use publica_verify::{verify_resolution, DidResolution, VerifiedSets, VerifyError};

use crate::{key, TestNet};

/// A network where the administrator registered an official (block 1), rotated its key to `key(50)` (block 2),
/// and registered another official with the new key (block 3).
fn rotated() -> (TestNet, Address) {
    let net = TestNet::new();
    let admin = net.admin.address();
    net.node.submit(&net.register(0, 10).encode()).unwrap();
    net.commit_block();
    let new = key(50);
    let message = signing_message(ROTATE_KEY_TAG, net.chain_id.as_str(), &rotate_key_message(&admin, 1));
    let call = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    net.node.submit(&net.body(&net.admin, 1, Call::Accounts(call)).sign(&net.admin).encode()).unwrap();
    net.commit_block();
    let mut body = net.body(&new, 2, crate::register_call(11));
    body.sender = admin;
    net.node.submit(&body.sign(&new).encode()).unwrap();
    net.commit_block();
    (net, admin)
}

fn did_of(net: &TestNet, address: &Address) -> String {
    format!("did:publica:{}:{}", net.chain_id, hex::encode(address.0))
}

async fn resolve(net: &TestNet, path: &str) -> DidResolution {
    let reply = net.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    serde_json::from_slice(&reply.bytes).unwrap()
}

fn sets(net: &TestNet) -> VerifiedSets {
    VerifiedSets::genesis_only(net.node.genesis())
}

/// The Ed25519 half a document shows, base64url.
fn ed25519_of(resolution: &DidResolution) -> String {
    resolution
        .did_document
        .verification_method
        .iter()
        .find_map(|m| match &m.public_key_jwk {
            Jwk::Okp { x, .. } => Some(x.clone()),
            Jwk::Akp { .. } => None,
        })
        .unwrap()
}

fn b64url(k: &Keypair) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.public_key().ed25519_bytes())
}

#[tokio::test]
async fn a_rotated_account_resolves_to_its_current_key_and_to_the_retired_one_at_earlier_versions() {
    let (net, admin) = rotated();
    let did = did_of(&net, &admin);
    let now = resolve(&net, &format!("/v1/dids/{did}")).await;
    let verified = verify_resolution(&now, &sets(&net)).unwrap();
    assert_eq!(verified.did.to_string(), did);
    assert_eq!(ed25519_of(&now), b64url(&key(50)));
    assert_eq!(now.did_document_metadata.version_id, "2");
    assert!(now.did_document_metadata.updated.is_some());
    assert_eq!(now.did_document_metadata.next_version_id, None);
    assert_eq!(now.proofs.len(), 3, "record, count and the last retired key");
    // The administrator is an official: its agency and roles are a service of the current version.
    assert_eq!(now.did_document.service[0].service_endpoint.agency, "land-registry");

    for (query, version, next) in
        [("versionId=0", "0", "2"), ("versionId=1", "0", "2"), ("versionTime=1970-01-02", "0", "2")]
    {
        let past = resolve(&net, &format!("/v1/dids/{did}?{query}")).await;
        verify_resolution(&past, &sets(&net)).unwrap();
        assert_eq!(ed25519_of(&past), b64url(&net.admin), "{query}");
        assert_eq!(past.did_document_metadata.version_id, version, "{query}");
        assert_eq!(past.did_document_metadata.next_version_id.as_deref(), Some(next), "{query}");
        assert!(past.did_document.service.is_empty(), "a past version shows no roles");
    }
    for query in ["versionId=2", "versionId=3", "versionId=99999"] {
        let current = resolve(&net, &format!("/v1/dids/{did}?{query}")).await;
        assert_eq!(ed25519_of(&current), b64url(&key(50)), "{query}");
        assert_eq!(current.did_document_metadata.next_version_id, None, "{query}");
    }
    // The colons may come percent-encoded.
    let encoded = resolve(&net, &format!("/v1/dids/{}", did.replace(':', "%3A"))).await;
    assert_eq!(encoded.did_document, now.did_document);
}

#[tokio::test]
async fn an_account_that_never_rotated_is_proven_by_its_record_and_count() {
    let (net, _) = rotated();
    let official = key(10).address();
    let r = resolve(&net, &format!("/v1/dids/{}", did_of(&net, &official))).await;
    verify_resolution(&r, &sets(&net)).unwrap();
    assert_eq!(r.proofs.len(), 2);
    assert_eq!(r.did_document_metadata.version_id, "1");
    assert_eq!(r.did_document.service[0].service_endpoint.roles, ["registrar"]);
    // Before its creation it had no document.
    let message = net
        .get(&format!("/v1/dids/{}?versionId=0", did_of(&net, &official)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("at height 0"), "{message}");
}

#[tokio::test]
async fn a_document_that_does_not_follow_from_its_proofs_is_refused_offline() {
    let (net, admin) = rotated();
    let did = did_of(&net, &admin);
    let now = resolve(&net, &format!("/v1/dids/{did}")).await;
    let past = resolve(&net, &format!("/v1/dids/{did}?versionId=1")).await;
    let answer = |r: &DidResolution| match verify_resolution(r, &sets(&net)) {
        Err(VerifyError::Answer(why)) => why,
        other => panic!("expected a refusal of the answer, got {other:?}"),
    };

    // The old key shown as the current one.
    let mut swapped = now.clone();
    swapped.did_document = past.did_document.clone();
    assert!(answer(&swapped).contains("document"), "{}", answer(&swapped));
    // A past version dressed as the current one.
    let mut dressed = past.clone();
    dressed.did_document_metadata.next_version_id = None;
    dressed.did_document_metadata.next_update = None;
    assert!(!answer(&dressed).is_empty());
    // The last rotation hidden: the current version without the retired key's proof.
    let mut hidden = now.clone();
    hidden.proofs.pop();
    assert!(answer(&hidden).contains("last one is not given"), "{}", answer(&hidden));
    // Another account's proofs under this DID.
    let other = resolve(&net, &format!("/v1/dids/{}", did_of(&net, &key(10).address()))).await;
    let mut foreign = other.clone();
    foreign.did_document.id = did.clone();
    assert!(answer(&foreign).contains("first two proofs"), "{}", answer(&foreign));
    // A suspension hidden is caught the same way: the metadata must be what the record says.
    let mut metadata = now.clone();
    metadata.did_document_metadata.deactivated = true;
    assert!(answer(&metadata).contains("metadata"), "{}", answer(&metadata));
    // A document of another network.
    let mut elsewhere = now.clone();
    elsewhere.did_document.id = did.replace("api-test", "elsewhere");
    assert!(matches!(verify_resolution(&elsewhere, &sets(&net)), Err(VerifyError::WrongChain { .. })));
}

#[tokio::test]
async fn bad_dids_and_parameters_are_refused_with_what_to_send() {
    let (net, admin) = rotated();
    let did = did_of(&net, &admin);
    let hex = hex::encode(admin.0);
    for (path, needle) in [
        ("/v1/dids/did:web:example.com".to_string(), "publica"),
        (format!("/v1/dids/{hex}"), "did:"),
        (format!("/v1/dids/did:publica:api-test:{}", hex.to_uppercase()), "lower-case"),
        (format!("/v1/dids/did:publica:api-test:{}", &hex[..38]), "40"),
        (format!("/v1/dids/did:publica:Api-Test:{hex}"), "chain id"),
        (format!("/v1/dids/did:publica:api-test:{hex}:extra"), "two parts"),
        (format!("/v1/dids/did:publica:{}:{hex}", "a".repeat(200)), "at most"),
        (format!("/v1/dids/{did}?versionId=abc"), "decimal"),
        (format!("/v1/dids/{did}?versionId=-1"), "decimal"),
        (format!("/v1/dids/{did}?versionTime=yesterday"), "RFC 3339"),
        (format!("/v1/dids/{did}?versionId=1&versionTime=2026-01-01"), "not both"),
        (format!("/v1/dids/{did}?version=1"), "query"),
    ] {
        let message = net.get(&path).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
        assert!(message.contains(needle), "{path}: {message}");
    }
    let unknown = format!("/v1/dids/did:publica:api-test:{}", "00".repeat(20));
    net.get(&unknown).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let foreign = net
        .get(&format!("/v1/dids/did:publica:elsewhere:{hex}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(foreign.contains("elsewhere"), "{foreign}");
}
