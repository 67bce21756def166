//! The notary routes: entries, receipts, checkpoints, tiles, consistency proofs and verifier keys.

use axum::http::StatusCode;
use base64::Engine as _;
use publica_merkle::log::{leaf_hash, root, verify_consistency};
use publica_notary::checkpoint;
use publica_tlog::{SignedCheckpoint, TlogProof};
use publica_tx::{Call, NotaryCall};
use publica_types::{Role, ValidatorSet};

use crate::{agency, key, TestNet};

const NOTARY_SEED: u8 = 50;

/// Register a notary, then anchor `batches` (one transaction per batch, one block per batch).
fn anchored(batches: &[Vec<[u8; 32]>]) -> TestNet {
    let net = TestNet::new();
    let register = Call::Accounts(publica_tx::AccountsCall::RegisterOfficial {
        public_key: key(NOTARY_SEED).public_key().clone(),
        agency: agency(),
        roles: vec![Role::notary()],
    });
    net.node.submit(&net.body(&net.admin, 0, register).sign(&net.admin).encode()).unwrap();
    net.commit_block();
    let notary = key(NOTARY_SEED);
    for (nonce, hashes) in batches.iter().enumerate() {
        let call = Call::Notary(NotaryCall::Anchor { hashes: hashes.clone(), label: Some("api test".into()) });
        net.node.submit(&net.body(&notary, nonce as u64, call).sign(&notary).encode()).unwrap();
        net.commit_block();
    }
    net
}

fn doc(i: u8) -> [u8; 32] {
    publica_crypto::sha256(&[i])
}

#[tokio::test]
async fn receipts_checkpoints_and_tiles_agree_with_an_independent_log() {
    let batches = vec![(0..5).map(doc).collect::<Vec<_>>(), vec![doc(5), doc(0), doc(6)]];
    let net = anchored(&batches);
    let set = ValidatorSet::new(vec![publica_types::Validator::from_keypair(&net.validator, 10)]).unwrap();

    // The entry of a hash anchored twice is its first one.
    let entry = net.get(&format!("/v1/notary/entries/{}", hex::encode(doc(0)))).await;
    assert_eq!(entry.status, StatusCode::OK, "{}", entry.text());
    let json = entry.json();
    assert_eq!(json["index"], 0);
    assert_eq!(json["label"], "api test");
    assert_eq!(json["agency"], "land-registry");

    // The checkpoint is signed by the validator and covers all 7 entries; its root is the RFC 9162 root of the
    // entries as served.
    let cp = net.get("/tlog/checkpoint").await;
    assert_eq!(cp.status, StatusCode::OK);
    let signed = SignedCheckpoint::parse(&cp.bytes).unwrap();
    checkpoint::verify_checkpoint(&net.chain_id, &set, &signed).unwrap();
    assert_eq!(signed.checkpoint.size, 7);
    assert_eq!(net.get("/v1/notary/checkpoint").await.bytes, cp.bytes);
    let bundle = net.get("/tlog/tile/entries/000.p/7").await;
    assert_eq!(bundle.status, StatusCode::OK);
    let entries = publica_tlog::decode_entry_bundle(&bundle.bytes).unwrap();
    let leaves: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(root(&leaves), signed.checkpoint.root);
    let tile = net.get("/tlog/tile/0/000.p/7").await;
    assert_eq!(tile.bytes, leaves.concat());
    // Tiles not in the log yet, and bad tile paths.
    assert_eq!(net.get("/tlog/tile/0/000.p/8").await.status, StatusCode::NOT_FOUND);
    assert_eq!(net.get("/tlog/tile/0/000").await.status, StatusCode::NOT_FOUND);
    let bad = net.get("/tlog/tile/0/0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());

    // A receipt's proof leads from the entry to the checkpoint.
    let receipt = net.get(&format!("/v1/notary/receipts/{}", hex::encode(doc(6)))).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    let proof = TlogProof::parse(&receipt.bytes).unwrap();
    assert_eq!(proof.index, 6);
    let entry = publica_notary::Entry::from_bytes(proof.extra.as_deref().unwrap()).unwrap();
    assert_eq!(entry.hash, doc(6));
    proof.verify_inclusion(&leaf_hash(proof.extra.as_deref().unwrap())).unwrap();

    // Consistency proofs between sizes the log had.
    let reply = net.get("/v1/notary/consistency?old=5&new=7").await;
    assert_eq!(reply.status, StatusCode::OK);
    let hashes: Vec<[u8; 32]> = reply
        .text()
        .lines()
        .map(|l| base64::engine::general_purpose::STANDARD.decode(l).unwrap().try_into().unwrap())
        .collect();
    verify_consistency(5, 7, &root(&leaves[..5]), &root(&leaves), &hashes).unwrap();
    assert_eq!(net.get("/v1/notary/consistency?old=5&new=8").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(net.get("/v1/notary/consistency?old=x&new=8").await.status, StatusCode::BAD_REQUEST);

    // The validator's two verifier keys.
    let vkeys = net.get("/v1/notary/vkeys").await.text();
    let keys: Vec<publica_tlog::VerifierKey> =
        vkeys.lines().map(|l| publica_tlog::VerifierKey::parse(l).unwrap()).collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(publica_tlog::verify_note(&signed.note, &keys).unwrap().len(), 2);
}

#[tokio::test]
async fn bad_and_unknown_hashes_get_clear_answers() {
    let net = anchored(&[vec![doc(1)]]);
    let reply = net.get("/v1/notary/receipts/not-a-hash").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("64 hex digits"), "{}", reply.text());
    let reply = net.get(&format!("/v1/notary/receipts/{}", hex::encode(doc(2)))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("not in the log"), "{}", reply.text());
    let reply = net.get(&format!("/v1/notary/entries/{}", hex::encode(doc(2)))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_log_without_entries_has_no_checkpoint() {
    let net = TestNet::new();
    net.commit_block();
    let reply = net.get("/tlog/checkpoint").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("no signed checkpoint"), "{}", reply.text());
}
