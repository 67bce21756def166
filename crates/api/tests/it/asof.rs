//! "As of a date" answers: what their proofs cover, and dates the node cannot answer for.

use axum::http::{header, StatusCode};
use publica_registry::call::RegistryCall;
use publica_registry::verify::PermitStatus;
use publica_tx::{AccountsCall, Call};
use publica_types::RecordId;
use publica_types::Role;
use publica_verify::{PermitStatusAnswer, VerifiedSets, VerifyError};

use crate::{agency, key, TestNet};

/// The permit the tests issue.
const PERMIT: &str = "P-1";

/// Block times of the chain [`permit_chain`] builds.
struct Chain {
    net: TestNet,
    /// The block after the one that issued the permit: the permit is valid then.
    valid_ms: u64,
    /// The last block, after the one that revoked the permit.
    last_ms: u64,
}

/// Block 1 registers a permit officer, block 2 issues a permit to the administrator, block 3 is empty, block 4
/// revokes the permit, block 5 is empty.
fn permit_chain() -> Chain {
    let net = TestNet::new();
    let officer = key(20);
    let register = Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: officer.public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("permit-officer").unwrap()],
    });
    net.node.submit(&net.body(&net.admin, 0, register).sign(&net.admin).encode()).unwrap();
    net.commit_block();
    let issue = Call::Registry(RegistryCall::IssuePermit {
        permit: RecordId::new(PERMIT).unwrap(),
        kind: RecordId::new("market-stall").unwrap(),
        holder: net.admin.address(),
        valid_from_ms: net.node.genesis().genesis_time_ms,
        valid_until_ms: net.node.genesis().genesis_time_ms + 365 * 24 * 3_600_000,
    });
    net.node.submit(&net.body(&officer, 0, issue).sign(&officer).encode()).unwrap();
    net.commit_block();
    let valid_ms = net.commit_block().header.time_ms;
    let revoke =
        Call::Registry(RegistryCall::RevokePermit { permit: RecordId::new(PERMIT).unwrap(), reason: "fraud".into() });
    net.node.submit(&net.body(&officer, 1, revoke).sign(&officer).encode()).unwrap();
    net.commit_block();
    let last_ms = net.commit_block().header.time_ms;
    Chain { net, valid_ms, last_ms }
}

async fn status_at(net: &TestNet, at_ms: u64) -> serde_json::Value {
    let reply = net.get(&format!("/v1/permits/{PERMIT}/status?at={at_ms}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

fn verify(
    answer: &serde_json::Value,
    net: &TestNet,
) -> Result<publica_verify::VerifiedAsOf<PermitStatus>, VerifyError> {
    let answer: PermitStatusAnswer = serde_json::from_value(answer.clone()).unwrap();
    publica_verify::verify_permit_status(&answer, &VerifiedSets::genesis_only(net.node.genesis()))
}

#[tokio::test]
async fn a_genuine_answer_moved_to_a_later_date_without_its_following_header_is_refused() {
    let Chain { net, valid_ms, last_ms } = permit_chain();
    // The genuine answer: valid at block 3's time, proven under block 3 with block 4 following.
    let genuine = status_at(&net, valid_ms).await;
    assert_eq!(genuine["decision"]["type"], "valid");
    // With its following header, the answer is settled for ever: caches may keep it.
    let reply = net.get(&format!("/v1/permits/{PERMIT}/status?at={valid_ms}")).await;
    assert_eq!(reply.headers.get(header::CACHE_CONTROL).unwrap(), "public, max-age=31536000, immutable");
    let verified = verify(&genuine, &net).expect("the genuine answer verifies");
    assert_eq!(verified.decision, PermitStatus::Valid);

    // The forgery: the following header deleted and the date moved after the revocation. The proofs still
    // show the permit active under block 3, but say nothing about blocks 4 and 5.
    let mut forged = genuine.clone();
    forged.as_object_mut().unwrap().remove("following");
    forged["at_ms"] = last_ms.into();
    let error = verify(&forged, &net).expect_err("a state at block 3 does not prove the status at block 5's time");
    let message = error.to_string();
    assert!(message.contains(&valid_ms.to_string()), "the error says up to when the answer is proven: {message}");
    assert!(!message.contains("  "), "no run of spaces inside a sentence: {message}");

    // The honest answer for that date says what happened.
    let honest = status_at(&net, last_ms).await;
    assert_eq!(honest["decision"]["type"], "revoked");
    assert!(matches!(verify(&honest, &net).unwrap().decision, PermitStatus::Revoked { .. }));
}

#[tokio::test]
async fn an_as_of_question_about_a_date_after_the_last_block_is_refused() {
    let Chain { net, last_ms, .. } = permit_chain();
    for uri in [
        format!("/v1/permits/{PERMIT}/status?at={}", last_ms + 1),
        format!("/v1/land/parcels/NV-1/owners?at={}", last_ms + 86_400_000),
    ] {
        let message = net.get(&uri).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "time_after_last_block");
        assert!(message.contains(&last_ms.to_string()), "the error names the last block's time: {message}");
        assert!(!message.contains("  "), "no run of spaces inside a sentence: {message}");
    }
    // At the last block's time, and without a date (the last block's time), the answer is proven.
    assert!(verify(&status_at(&net, last_ms).await, &net).is_ok());
    let now = net.get(&format!("/v1/permits/{PERMIT}/status")).await;
    // Answers about the present are revalidated, not kept.
    assert_eq!(now.headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    let last = net.get(&format!("/v1/permits/{PERMIT}/status?at={last_ms}")).await;
    assert_eq!(last.headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    let now = now.json();
    assert_eq!(now["at_ms"], last_ms);
    assert!(verify(&now, &net).is_ok());
}
