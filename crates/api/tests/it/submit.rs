//! Submissions: accepted forms, and every kind of bad input answered with the right status and code while the
//! mempool stays as it was.

use axum::http::StatusCode;
use publica_crypto::SIGNATURE_LEN;
use publica_node::shared::now_ms;
use publica_tx::{AccountsCall, Call};
use publica_types::{ChainId, MAX_TX_BYTES};
use serde_json::json;

use crate::{b64, key, register_call, TestNet};

#[tokio::test]
async fn submit_raw_bytes_is_accepted_and_pending() {
    let net = TestNet::new();
    let tx = net.register(0, 10);
    let reply = net.post_raw("/v1/transactions", tx.encode()).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body, json!({"tx_id": tx.id().to_string(), "status": "pending"}));
    assert_eq!(net.mempool_len(), 1);

    let status = net.get(&format!("/v1/transactions/{}", tx.id())).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json(), json!({"tx_id": tx.id().to_string(), "status": "pending"}));
}

#[tokio::test]
async fn submit_json_is_accepted() {
    let net = TestNet::new();
    let tx = net.register(0, 10);
    let reply = net.post_json("/v1/transactions", &json!({"tx": b64(&tx.encode())})).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    assert_eq!(reply.json()["tx_id"], tx.id().to_string());
    // A content type with parameters is still JSON.
    let second = net.register(1, 11);
    let reply = net
        .post_text(
            "/v1/transactions",
            "application/json; charset=utf-8",
            json!({"tx": b64(&second.encode())}).to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    assert_eq!(net.mempool_len(), 2);
}

#[tokio::test]
async fn duplicate_submission_conflicts_and_keeps_pending() {
    let net = TestNet::new();
    let tx = net.register(0, 10);
    assert_eq!(net.post_raw("/v1/transactions", tx.encode()).await.status, StatusCode::ACCEPTED);
    net.post_raw("/v1/transactions", tx.encode()).await.assert_error(StatusCode::CONFLICT, "duplicate_transaction");
    assert_eq!(net.mempool_len(), 1);
    let status = net.get(&format!("/v1/transactions/{}", tx.id())).await.json();
    assert_eq!(status["status"], "pending");
}

/// Submit `bytes` raw, expect the error, and check nothing entered the mempool.
async fn refused(net: &TestNet, bytes: Vec<u8>, status: StatusCode, code: &str) -> String {
    let before = net.mempool_len();
    let message = net.post_raw("/v1/transactions", bytes).await.assert_error(status, code);
    assert_eq!(net.mempool_len(), before, "the mempool changed after a refused {code}");
    message
}

#[tokio::test]
async fn undecodable_bytes_are_refused() {
    let net = TestNet::new();
    let good = net.register(0, 10).encode();
    refused(&net, vec![1, 2, 3], StatusCode::BAD_REQUEST, "malformed_transaction").await;
    refused(&net, Vec::new(), StatusCode::BAD_REQUEST, "malformed_transaction").await;
    refused(&net, good[..good.len() - 1].to_vec(), StatusCode::BAD_REQUEST, "malformed_transaction").await;
    refused(&net, good[..good.len() / 2].to_vec(), StatusCode::BAD_REQUEST, "malformed_transaction").await;
    let mut trailing = good.clone();
    trailing.push(0);
    refused(&net, trailing, StatusCode::BAD_REQUEST, "malformed_transaction").await;
    // Larger than any transaction, but within the body limit: the transaction limit answers.
    refused(&net, vec![0; MAX_TX_BYTES + 1], StatusCode::PAYLOAD_TOO_LARGE, "transaction_too_large").await;
    // The untouched transaction is still accepted afterwards.
    assert_eq!(net.post_raw("/v1/transactions", good).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn oversize_body_is_refused_before_decoding() {
    let limit = MAX_TX_BYTES * 2;
    let net = TestNet::with_config(|c| c.api.body_bytes_max = limit);
    refused(&net, vec![0; limit + 1], StatusCode::PAYLOAD_TOO_LARGE, "request_too_large").await;
    let huge = json!({"tx": "A".repeat(limit)});
    let before = net.mempool_len();
    net.post_json("/v1/transactions", &huge).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    net.post_json("/v1/transactions/batch", &json!({"txs": ["A".repeat(limit)]}))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    assert_eq!(net.mempool_len(), before);
}

#[tokio::test]
async fn single_submissions_have_their_own_tighter_limit() {
    let net = TestNet::new();
    let limit = publica_api::MAX_SUBMIT_BODY_BYTES;
    assert!(limit < net.node.config().api.body_bytes_max);
    refused(&net, vec![0; limit + 1], StatusCode::PAYLOAD_TOO_LARGE, "request_too_large").await;
    // Base64 of more than a transaction's bytes, inside the body limit: the transaction limit answers.
    let too_long = "A".repeat((MAX_TX_BYTES / 3 + 2) * 4);
    assert!(too_long.len() < limit - 100);
    net.post_json("/v1/transactions", &json!({ "tx": too_long }))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "transaction_too_large");
    let reply = net.post_json("/v1/transactions/batch", &json!({ "txs": [too_long] })).await;
    assert_eq!(reply.json()["results"][0]["error"]["code"], "transaction_too_large");
    assert_eq!(net.mempool_len(), 0);
}

#[tokio::test]
async fn bad_signatures_are_refused_for_each_half() {
    let net = TestNet::new();
    let tx = net.register(0, 10);
    let good = tx.encode();
    // The signature closes the encoding: ML-DSA-65 (3309 bytes), then Ed25519 (64 bytes).
    let signature_at = good.len() - SIGNATURE_LEN;
    let mut ml_dsa = good.clone();
    ml_dsa[signature_at + 100] ^= 0x01;
    let message = refused(&net, ml_dsa, StatusCode::BAD_REQUEST, "bad_signature").await;
    assert!(message.contains("ML-DSA"), "{message}");
    let mut ed25519 = good.clone();
    let last = ed25519.len() - 10;
    ed25519[last] ^= 0x01;
    let message = refused(&net, ed25519, StatusCode::BAD_REQUEST, "bad_signature").await;
    assert!(message.contains("Ed25519"), "{message}");
    // A valid signature by another key than the sender's.
    let forged = net.body(&net.admin, 0, register_call(10)).sign(&key(2)).encode();
    refused(&net, forged, StatusCode::BAD_REQUEST, "bad_signature").await;
    // A signed body altered after signing.
    let mut body_changed = good.clone();
    body_changed[signature_at - 1] ^= 0x01;
    let code_ok = |reply_code: &str| ["bad_signature", "malformed_transaction"].contains(&reply_code);
    let reply = net.post_raw("/v1/transactions", body_changed).await;
    assert!(code_ok(reply.json()["error"]["code"].as_str().unwrap()), "{}", reply.text());
    assert_eq!(net.mempool_len(), 0);
    let status = net.get(&format!("/v1/transactions/{}", tx.id())).await.json();
    assert_eq!(status["status"], "rejected", "a refused signature is remembered");
    assert_eq!(status["error"]["code"], "bad_signature");
}

#[tokio::test]
async fn wrong_chain_unknown_sender_expired_are_refused() {
    let net = TestNet::new();
    let mut other_chain = net.body(&net.admin, 0, register_call(10));
    other_chain.chain_id = ChainId::new("another-chain").unwrap();
    let message =
        refused(&net, other_chain.sign(&net.admin).encode(), StatusCode::UNPROCESSABLE_ENTITY, "wrong_chain").await;
    assert!(message.contains("another-chain"), "{message}");

    let stranger = key(50);
    let unknown = net.body(&stranger, 0, register_call(10)).sign(&stranger).encode();
    refused(&net, unknown, StatusCode::FORBIDDEN, "unknown_sender").await;

    let mut expired = net.body(&net.admin, 0, register_call(10));
    expired.expires_at_ms = now_ms() - 1_000;
    refused(&net, expired.sign(&net.admin).encode(), StatusCode::UNPROCESSABLE_ENTITY, "expired").await;

    let mut far = net.body(&net.admin, 0, register_call(10));
    far.expires_at_ms = now_ms() + 365 * 86_400_000;
    refused(&net, far.sign(&net.admin).encode(), StatusCode::UNPROCESSABLE_ENTITY, "expiry_too_far").await;
}

#[tokio::test]
async fn missing_role_is_caught_by_the_admission_dry_run() {
    let net = TestNet::new();
    // The administrator lacks the citizen-registrar role.
    let call = Call::Accounts(AccountsCall::RegisterCitizen {
        public_key: key(20).public_key().clone(),
        id_commitment: [7; 32],
    });
    let tx = net.body(&net.admin, 0, call).sign(&net.admin);
    let message = refused(&net, tx.encode(), StatusCode::FORBIDDEN, "missing_role").await;
    assert!(message.contains("citizen-registrar"), "{message}");
    let status = net.get(&format!("/v1/transactions/{}", tx.id())).await.json();
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["error"]["code"], "missing_role");
    assert_eq!(status["error"]["number"], 1201);
}

#[tokio::test]
async fn replayed_and_far_nonces_conflict() {
    let net = TestNet::new();
    let first = net.register(0, 10);
    assert_eq!(net.post_raw("/v1/transactions", first.encode()).await.status, StatusCode::ACCEPTED);
    let block = net.commit_block();
    assert_eq!(block.txs.len(), 1);
    // Same nonce, another body: a replay of nonce 0.
    refused(&net, net.register(0, 11).encode(), StatusCode::CONFLICT, "bad_nonce").await;
    // The committed transaction itself again.
    refused(&net, first.encode(), StatusCode::CONFLICT, "duplicate_transaction").await;
    let ahead = net.node.config().mempool.per_sender_max as u64 + 1;
    refused(&net, net.register(ahead, 12).encode(), StatusCode::CONFLICT, "nonce_too_far_ahead").await;
    assert_eq!(net.post_raw("/v1/transactions", net.register(1, 11).encode()).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn bad_request_bodies_are_json_errors() {
    let net = TestNet::new();
    let cases: Vec<(&str, &str, String, StatusCode, &str)> = vec![
        ("/v1/transactions", "application/json", "{\"tx\": ".into(), StatusCode::BAD_REQUEST, "malformed_request"),
        ("/v1/transactions", "application/json", "[]".into(), StatusCode::BAD_REQUEST, "malformed_request"),
        (
            "/v1/transactions",
            "application/json",
            "{\"transaction\": \"AA==\"}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            "/v1/transactions",
            "application/json",
            "{\"tx\": \"AA==\", \"x\": 1}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            "/v1/transactions",
            "application/json",
            "{\"tx\": \"***\"}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        ("/v1/transactions", "application/json", "{\"tx\": 5}".into(), StatusCode::BAD_REQUEST, "malformed_request"),
        (
            "/v1/transactions",
            "application/json",
            "{\"tx\": \"AAEC\"}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_transaction",
        ),
        ("/v1/transactions", "text/plain", "hello".into(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "malformed_request"),
        (
            "/v1/transactions/batch",
            "application/json",
            "{\"txs\": [".into(),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            "/v1/transactions/batch",
            "application/json",
            "{\"txs\": [1]}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        ("/v1/transactions/batch", "application/json", "{}".into(), StatusCode::BAD_REQUEST, "malformed_request"),
        (
            "/v1/transactions/batch",
            "application/octet-stream",
            "{\"txs\": []}".into(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "malformed_request",
        ),
    ];
    for (uri, content_type, body, status, code) in cases {
        let reply = net.post_text(uri, content_type, body.clone()).await;
        assert_eq!(reply.status, status, "{uri} {content_type} {body}: {}", reply.text());
        reply.assert_error(status, code);
    }
    // No content type at all.
    let request = axum::http::Request::post("/v1/transactions").body(axum::body::Body::from("x")).unwrap();
    net.call(request).await.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "malformed_request");
    assert_eq!(net.mempool_len(), 0);
}

#[tokio::test]
async fn batch_answers_each_item_in_order() {
    let net = TestNet::new();
    let a = net.register(0, 10);
    let b = net.register(1, 11);
    let c = net.register(2, 12);
    let mut bad_signature = c.encode();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 1;
    let stranger = key(50);
    let unknown = net.body(&stranger, 0, register_call(13)).sign(&stranger);
    let body = json!({"txs": [
        b64(&a.encode()),
        "not base64!",
        b64(&b.encode()),
        b64(&bad_signature),
        b64(&[1, 2, 3]),
        b64(&unknown.encode()),
        b64(&a.encode()),
    ]});
    let reply = net.post_json("/v1/transactions/batch", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let results = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 7);
    assert_eq!(results[0], json!({"tx_id": a.id().to_string()}));
    assert_eq!(results[1]["error"]["code"], "malformed_request");
    assert!(results[1].get("tx_id").is_none());
    assert_eq!(results[2], json!({"tx_id": b.id().to_string()}));
    assert_eq!(results[3]["error"]["code"], "bad_signature");
    assert_eq!(results[3]["tx_id"], c.id().to_string());
    assert_eq!(results[4]["error"]["code"], "malformed_transaction");
    assert!(results[4].get("tx_id").is_none());
    assert_eq!(results[5]["error"]["code"], "unknown_sender");
    assert_eq!(results[5]["tx_id"], unknown.id().to_string());
    assert_eq!(results[6]["error"]["code"], "duplicate_transaction");
    assert_eq!(net.mempool_len(), 2);

    let empty = net.post_json("/v1/transactions/batch", &json!({"txs": []})).await;
    assert_eq!(empty.json(), json!({"results": []}));
}

#[tokio::test]
async fn batch_over_the_item_limit_is_refused() {
    let net = TestNet::new();
    let txs = vec!["AAAA"; publica_api::MAX_BATCH_TXS + 1];
    net.post_json("/v1/transactions/batch", &json!({ "txs": txs }))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    assert_eq!(net.mempool_len(), 0);
}

#[tokio::test]
async fn refusals_are_counted_in_metrics() {
    let net = TestNet::new();
    let stranger = key(50);
    let unknown = net.body(&stranger, 0, register_call(10)).sign(&stranger);
    net.post_raw("/v1/transactions", unknown.encode()).await.assert_error(StatusCode::FORBIDDEN, "unknown_sender");
    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    let metrics = net.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert_eq!(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
    let text = metrics.text();
    assert!(text.contains("publica_txs_refused_total{code=\"unknown_sender\"} 1"), "{text}");
    assert!(text.contains("publica_txs_admitted_total 1"), "{text}");
    assert!(text.contains("publica_mempool_txs 1"), "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}

mod arbitrary_input {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;

    /// One node and one runtime for all cases of a test: opening a store per case would dominate the run time.
    struct Fixture {
        net: TestNet,
        runtime: tokio::runtime::Runtime,
    }

    impl Fixture {
        fn new() -> Self {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            Self { net: TestNet::new(), runtime }
        }

        /// Run `cases` inputs from `strategy` through `POST /v1/transactions`, raw or as JSON text.
        fn run(&self, strategy: impl Strategy<Value = Vec<u8>>, json: bool) {
            let mut runner = TestRunner::new(Config::with_cases(128));
            runner
                .run(&strategy, |bytes| {
                    let reply = self.runtime.block_on(async {
                        if json {
                            let text = String::from_utf8_lossy(&bytes).into_owned();
                            self.net.post_text("/v1/transactions", "application/json", text).await
                        } else {
                            self.net.post_raw("/v1/transactions", bytes).await
                        }
                    });
                    prop_assert!(reply.status.is_client_error(), "status {}", reply.status);
                    prop_assert!(reply.json()["error"]["code"].is_string());
                    prop_assert_eq!(self.net.mempool_len(), 0);
                    Ok(())
                })
                .unwrap();
        }
    }

    #[test]
    fn random_bytes_are_refused() {
        Fixture::new().run(proptest::collection::vec(any::<u8>(), 0..8192), false);
    }

    #[test]
    fn random_json_is_refused() {
        Fixture::new().run(proptest::collection::vec(any::<u8>(), 0..512), true);
    }

    /// One bit flipped anywhere in a valid transaction: refused (decoding or the signature fails).
    #[test]
    fn mutated_transactions_are_refused() {
        let fixture = Fixture::new();
        let good = fixture.net.register(0, 10).encode();
        let strategy = (any::<prop::sample::Index>(), 0u8..8).prop_map(move |(position, bit)| {
            let mut bytes = good.clone();
            let at = position.index(bytes.len());
            bytes[at] ^= 1 << bit;
            bytes
        });
        fixture.run(strategy, false);
    }
}
