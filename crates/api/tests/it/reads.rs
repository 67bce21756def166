//! Reads: transaction status, blocks, accounts and state with proofs, status, genesis; bad parameters.

use axum::http::{header, StatusCode};
use publica_accounts::schema::account_key;
use publica_types::{codec, Genesis};
use publica_verify::ReadProof;
use serde_json::json;

use crate::{key, TestNet};

#[tokio::test]
async fn unknown_transaction_is_not_found() {
    let net = TestNet::new();
    let message = net
        .get(&format!("/v1/transactions/{}", "ab".repeat(32)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains(&"ab".repeat(32)), "{message}");
}

#[tokio::test]
async fn committed_transaction_reports_its_place() {
    let net = TestNet::new();
    let first = net.register(0, 10);
    let second = net.register(1, 11);
    for tx in [&first, &second] {
        assert_eq!(net.post_raw("/v1/transactions", tx.encode()).await.status, StatusCode::ACCEPTED);
    }
    net.commit_block();
    assert_eq!(net.mempool_len(), 0);
    let status = net.get(&format!("/v1/transactions/{}", second.id())).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(
        status.json(),
        json!({
            "tx_id": second.id().to_string(),
            "status": "committed",
            "height": 1,
            "index": 1,
            "outcome": {"type": "account", "address": key(11).address().to_string()}
        })
    );
}

#[tokio::test]
async fn proofs_before_the_first_block_are_unavailable() {
    let net = TestNet::new();
    let key_hex = hex::encode(account_key(&net.admin.address()));
    for uri in [format!("/v1/state/{key_hex}"), format!("/v1/accounts/{}", net.admin.address())] {
        let reply = net.get(&uri).await;
        let message = reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(message.contains("height 1"), "{message}");
        assert_eq!(reply.headers.get(header::RETRY_AFTER).unwrap(), "1");
    }
    net.get("/v1/blocks/latest").await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

/// Parse a proof document as a citizen would (from the bytes the API sent) and verify it against the genesis.
fn verify_document(bytes: &[u8], genesis: &Genesis) -> publica_verify::VerifiedRead {
    ReadProof::from_json(bytes).unwrap().verify_with_genesis(genesis).unwrap()
}

#[tokio::test]
async fn state_proofs_verify_for_present_and_absent_keys() {
    let net = TestNet::new();
    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    net.commit_block();

    let present = account_key(&key(10).address());
    let reply = net.get(&format!("/v1/state/{}", hex::encode(&present))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let verified = verify_document(&reply.bytes, net.node.genesis());
    assert_eq!(verified.height, 1);
    assert_eq!(verified.key, present);
    let value = verified.value.expect("the registered official is present");
    let record: publica_accounts::AccountRecord = codec::decode_canonical("account", &value, 1 << 16).unwrap();
    assert_eq!(record.address, key(10).address());
    assert_eq!(record.created_at_height, 1);

    // Upper-case hex reads the same key.
    let upper = net.get(&format!("/v1/state/{}", hex::encode_upper(&present))).await;
    assert_eq!(upper.json(), reply.json());

    let absent = account_key(&key(99).address());
    let reply = net.get(&format!("/v1/state/{}", hex::encode(&absent))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["value"], serde_json::Value::Null);
    let verified = verify_document(&reply.bytes, net.node.genesis());
    assert_eq!(verified.value, None);

    // A proof that lies does not verify: claim the absent key holds the present key's value.
    let mut forged = ReadProof::from_json(&reply.bytes).unwrap();
    forged.value = Some(value.clone());
    assert!(forged.verify_with_genesis(net.node.genesis()).is_err());
    let mut forged = ReadProof::from_json(&reply.bytes).unwrap();
    forged.certified.header.state_root = [0; 32];
    assert!(forged.verify_with_genesis(net.node.genesis()).is_err());
}

#[tokio::test]
async fn account_route_gives_record_nonce_and_proof() {
    let net = TestNet::new();
    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    net.commit_block();

    let admin = net.admin.address();
    let reply = net.get(&format!("/v1/accounts/{admin}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["address"], admin.to_string());
    assert_eq!(body["height"], 1);
    assert_eq!(body["next_nonce"], 1);
    assert_eq!(body["account"]["kind"], json!({"type": "official", "agency": "land-registry", "roles": ["admin"]}));
    assert_eq!(body["account"]["active"], true);
    let proof_bytes = serde_json::to_vec(&body["proof"]).unwrap();
    let verified = verify_document(&proof_bytes, net.node.genesis());
    assert_eq!(verified.key, account_key(&admin));
    let record: publica_accounts::AccountRecord =
        codec::decode_canonical("account", verified.value.as_deref().unwrap(), 1 << 16).unwrap();
    assert_eq!(serde_json::to_value(&record).unwrap(), body["account"]);

    let official = net.get(&format!("/v1/accounts/{}", key(10).address())).await.json();
    assert_eq!(official["next_nonce"], 0);
    assert_eq!(official["account"]["kind"]["roles"], json!(["registrar"]));

    let message =
        net.get(&format!("/v1/accounts/{}", key(99).address())).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("is not registered as of height") && message.contains("proves"), "{message}");
}

#[tokio::test]
async fn blocks_by_height_and_latest() {
    let net = TestNet::new();
    let tx = net.register(0, 10);
    assert_eq!(net.post_raw("/v1/transactions", tx.encode()).await.status, StatusCode::ACCEPTED);
    let block = net.commit_block();

    let latest = net.get("/v1/blocks/latest").await;
    assert_eq!(latest.status, StatusCode::OK, "{}", latest.text());
    let body = latest.json();
    assert_eq!(body["height"], 1);
    assert_eq!(body["hash"], hex::encode(block.hash()));
    assert_eq!(body["header"], serde_json::to_value(&block.header).unwrap());
    assert_eq!(body["tx_ids"], json!([tx.id().to_string()]));
    assert!(body.get("txs").is_none());
    let certificate: publica_types::CommitCertificate = serde_json::from_value(body["certificate"].clone()).unwrap();
    certificate.verify(&net.chain_id, &net.node.genesis().validators).unwrap();
    assert_eq!(certificate.block_hash, block.hash());

    let full = net.get("/v1/blocks/1?txs=true").await.json();
    assert_eq!(full["txs"], json!([serde_json::to_value(&tx).unwrap()]));
    assert_eq!(full["tx_ids"], body["tx_ids"]);
    let explicit_false = net.get("/v1/blocks/1?txs=false").await.json();
    assert_eq!(explicit_false, body);

    net.get("/v1/blocks/2").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let genesis = net.get("/v1/blocks/0").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(genesis.contains("/v1/genesis"), "{genesis}");
    net.get("/v1/blocks/1?txs=maybe").await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    net.get("/v1/blocks/1?unknown=1").await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn bad_path_parameters_are_json_errors() {
    let net = TestNet::new();
    for uri in [
        "/v1/transactions/zz",
        "/v1/transactions/abc",
        &format!("/v1/transactions/{}", "a".repeat(65)),
        "/v1/blocks/abc",
        "/v1/blocks/-1",
        "/v1/blocks/+1",
        "/v1/blocks/99999999999999999999999",
        "/v1/accounts/xyz",
        &format!("/v1/accounts/0x{}", "1".repeat(38)),
        "/v1/state/abc",
        "/v1/state/zz",
        &format!("/v1/state/{}", "00".repeat(1025)),
        "/v1/transactions/%FF%FE",
    ] {
        let reply = net.get(uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}: {}", reply.text());
        reply.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    let message = net.get("/v1/nothing/here").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("/openapi.json"), "{message}");
    let request = axum::http::Request::delete("/v1/status").body(axum::body::Body::empty()).unwrap();
    net.call(request).await.assert_error(StatusCode::METHOD_NOT_ALLOWED, "malformed_request");
    let request = axum::http::Request::get("/v1/transactions").body(axum::body::Body::empty()).unwrap();
    net.call(request).await.assert_error(StatusCode::METHOD_NOT_ALLOWED, "malformed_request");
}

#[tokio::test]
async fn status_reports_the_chain_and_the_node() {
    let net = TestNet::new();
    let body = net.get("/v1/status").await.json();
    assert_eq!(body["chain_id"], "api-test");
    assert_eq!(body["moniker"], "api-test-node");
    assert_eq!(body["height"], 0);
    assert_eq!(body["last_block_hash"], serde_json::Value::Null);
    assert_eq!(body["validator_address"], net.validator.address().to_string());
    assert_eq!(body["is_validator"], true);
    assert_eq!(body["validator_count"], 1);
    assert_eq!(body["mempool_txs"], 0);

    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    assert_eq!(net.get("/v1/status").await.json()["mempool_txs"], 1);
    let block = net.commit_block();
    let body = net.get("/v1/status").await.json();
    assert_eq!(body["height"], 1);
    assert_eq!(body["last_block_hash"], hex::encode(block.hash()));
    assert_eq!(body["last_block_time_ms"], block.header.time_ms);
    assert_eq!(body["state_root"], hex::encode(block.header.state_root));
    assert_eq!(body["mempool_txs"], 0);
}

#[tokio::test]
async fn genesis_is_served_as_stored() {
    let net = TestNet::new();
    let reply = net.get("/v1/genesis").await;
    assert_eq!(reply.status, StatusCode::OK);
    let genesis = Genesis::from_json(&reply.bytes).unwrap();
    assert_eq!(&genesis, net.node.genesis());
}

#[tokio::test]
async fn past_states_are_proven_under_the_header_of_their_time() {
    let net = TestNet::new();
    net.node.submit(&net.register(0, 10).encode()).unwrap();
    let first = net.commit_block();
    net.node.submit(&net.register(1, 11).encode()).unwrap();
    let second = net.commit_block();
    net.commit_block();
    let genesis = net.node.genesis();
    let official = account_key(&key(10).address());
    let later = account_key(&key(11).address());

    // At the first block's time: the proofs lead to block 1, and block 2 comes along (its time is later).
    let at = first.header.time_ms;
    let ((), read) = net.node.read_as_of(at, |_| ((), vec![official.clone(), later.clone()])).unwrap();
    let sets = publica_verify::VerifiedSets::genesis_only(genesis);
    let verified = read.reads.verify_with_sets(&sets).unwrap();
    assert!(verified.iter().all(|v| v.height == 1), "{verified:?}");
    assert!(verified[0].value.is_some(), "the first official was registered in block 1");
    assert_eq!(verified[1].value, None, "the second official did not exist yet at block 1");
    let following = read.following.expect("block 2 shows that block 1 was in force");
    assert_eq!(following.header, second.header);
    assert_eq!(following.header.parent_hash, first.header.hash());
    following.verify(&genesis.chain_id, &genesis.validators).unwrap();

    // Before the first block: the first block, nothing following; at the last block's time: the last, nothing
    // following; after it: refused, as no header shows what held then.
    let ((), early) = net.node.read_as_of(at - 1, |_| ((), vec![official.clone()])).unwrap();
    assert_eq!(early.reads.certified.header.height, 1);
    assert!(early.following.is_none());
    let last_ms = net.node.certified_header(3).unwrap().header.time_ms;
    let ((), late) = net.node.read_as_of(last_ms, |_| ((), vec![later.clone()])).unwrap();
    assert_eq!(late.reads.verify_with_sets(&sets).unwrap()[0].height, 3);
    assert!(late.following.is_none());
    let after = net.node.read_as_of(last_ms + 1, |_| ((), vec![later.clone()])).unwrap_err();
    assert!(matches!(after, publica_node::NodeError::AfterLastBlock { height: 3, .. }), "{after}");

    // A key whose value changed since (the administrator's nonce) cannot be proven in the past, as only the
    // latest values are kept: the node proves it under its latest header instead.
    let nonce = publica_accounts::schema::nonce_key(&net.admin.address());
    let ((), changed) = net.node.read_as_of(at, |_| ((), vec![nonce])).unwrap();
    assert_eq!(changed.reads.verify_with_sets(&sets).unwrap()[0].height, 3);
    assert!(changed.following.is_none());
}

#[tokio::test]
async fn a_node_without_past_states_proves_under_its_latest_header() {
    let net = TestNet::with_config(|c| c.storage.past_states = false);
    net.node.submit(&net.register(0, 10).encode()).unwrap();
    let first = net.commit_block();
    net.commit_block();
    let official = account_key(&key(10).address());
    let ((), read) = net.node.read_as_of(first.header.time_ms, |_| ((), vec![official])).unwrap();
    let verified =
        read.reads.reads[0].with_header(&read.reads.certified).verify_with_genesis(net.node.genesis()).unwrap();
    assert_eq!(verified.height, 2);
    assert!(verified.value.is_some() && read.following.is_none());
}
