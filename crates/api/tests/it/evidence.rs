//! Evidence of misbehaviour: reported to the node's application, recorded by the next block it proposes, refused
//! in blocks that break the rules, and served by `GET /v1/evidence` with proofs that verify offline.

use axum::http::StatusCode;
use publica_consensus::Application as _;
use publica_types::evidence::evidence_root;
use publica_types::{Keypair, Misbehavior, SignedVote, VoteBody, VoteKind};
use publica_verify::{CertifiedHeader, KeyProof, VerifiedSets};

use crate::{key, TestNet};

/// A double prevote by `signer` at `(height, round)`, signed for the test chain.
pub(crate) fn double_prevote(net: &TestNet, signer: &Keypair, height: u64, round: u32) -> Misbehavior {
    let vote = |block: u8| {
        let vote = VoteBody {
            height,
            round,
            kind: VoteKind::Prevote,
            block_hash: Some([block; 32]),
            validator: signer.address(),
        };
        let signature = signer.sign(&vote.signing_bytes(&net.chain_id));
        SignedVote { vote, signature }
    };
    Misbehavior::double_vote(vote(1), vote(2)).unwrap()
}

#[tokio::test]
async fn reported_equivocation_is_recorded_once_and_listed_with_a_proof() {
    let net = TestNet::new();
    // Nothing recorded: an empty list, also before the first block (there is nothing to prove yet).
    let empty = net.get("/v1/evidence").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["count"], 0);
    assert_eq!(empty.json()["evidence"].as_array().unwrap().len(), 0);
    net.commit_block();

    let mut app = net.app();
    let offence = double_prevote(&net, &net.validator, 1, 0);
    // Evidence by a key outside the validator set, and evidence about a height not decided yet, are not kept.
    let outsider = double_prevote(&net, &key(77), 1, 0);
    let early = double_prevote(&net, &net.validator, 5, 0);
    app.report_misbehavior(vec![offence.clone(), outsider, early, offence.clone()]);
    assert_eq!(app.pending_evidence(), 1);

    let block = net.commit_block_with(&mut app);
    assert_eq!(block.evidence, vec![offence.clone()]);
    assert_eq!(block.header.evidence_root, evidence_root(&block.evidence));
    assert_eq!(app.pending_evidence(), 0, "recorded evidence leaves the pool");

    let listed = net.get("/v1/evidence").await.json();
    assert_eq!(listed["count"], 1);
    let record = &listed["evidence"][0];
    assert_eq!(record["validator"], net.validator.address().to_string());
    assert_eq!(record["height"], 1);
    assert_eq!(record["kind"], "prevote");
    assert_eq!(record["key"], hex::encode(offence.state_key()));
    assert_eq!(record["misbehavior"]["type"], "double_vote");
    let certified: CertifiedHeader = serde_json::from_value(listed["certified"].clone()).unwrap();
    let proof: KeyProof = serde_json::from_value(record["proof"].clone()).unwrap();
    let verified = proof.with_header(&certified).verify_with_genesis(net.node.genesis()).unwrap();
    assert_eq!(verified.height, block.header.height);
    assert_eq!(Misbehavior::decode(proof.value.as_deref().unwrap()).unwrap(), offence);
    let block_json = net.get(&format!("/v1/blocks/{}", block.header.height)).await.json();
    assert_eq!(block_json["evidence"][0]["first"]["vote"]["validator"], net.validator.address().to_string());

    // Reported again (another pair proving the same offence), it is not kept: it is already recorded.
    let again = {
        let vote = |block: u8| {
            let vote = VoteBody {
                height: 1,
                round: 0,
                kind: VoteKind::Prevote,
                block_hash: Some([block; 32]),
                validator: net.validator.address(),
            };
            SignedVote { signature: net.validator.sign(&vote.signing_bytes(&net.chain_id)), vote }
        };
        Misbehavior::double_vote(vote(3), vote(4)).unwrap()
    };
    app.report_misbehavior(vec![again.clone()]);
    assert_eq!(app.pending_evidence(), 0);
    let next = net.commit_block_with(&mut app);
    assert!(next.evidence.is_empty());
    assert_eq!(net.get("/v1/evidence").await.json()["count"], 1);
}

#[tokio::test]
async fn validators_refuse_blocks_whose_evidence_breaks_the_rules() {
    let net = TestNet::new();
    net.commit_block();
    let mut app = net.app();
    let recorded = double_prevote(&net, &net.validator, 1, 0);
    app.report_misbehavior(vec![recorded.clone()]);
    net.commit_block_with(&mut app);
    let height = net.node.height() + 1;

    // A proposal from another node's application, with its evidence replaced and the header made to match it.
    let with = |evidence: Vec<Misbehavior>| {
        let mut proposer = net.app();
        let mut block = proposer.propose(height, 0, net.validator.address()).unwrap();
        block.header.evidence_root = evidence_root(&evidence);
        block.evidence = evidence;
        block
    };
    let cases = [
        ("already recorded", with(vec![recorded.clone()])),
        ("was not a validator", with(vec![double_prevote(&net, &key(77), 1, 0)])),
        ("cannot be recorded before", with(vec![double_prevote(&net, &net.validator, height, 0)])),
        // Height 2 was decided in round 0: a round it never reached is not an offence to record.
        ("never reached", with(vec![double_prevote(&net, &net.validator, 2, 5)])),
    ];
    for (expected, block) in cases {
        let reason = net.app().validate(&block).expect_err(expected);
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
    // A forged signature inside otherwise well-formed evidence.
    let mut forged = double_prevote(&net, &net.validator, 2, 0);
    if let Misbehavior::DoubleVote { second, .. } = &mut forged {
        second.signature = key(77).sign(&second.vote.signing_bytes(&net.chain_id));
    }
    let reason = net.app().validate(&with(vec![forged])).expect_err("forged evidence");
    assert!(reason.contains("signature"), "{reason}");
    // Evidence the header does not commit to.
    let mut uncommitted = with(vec![]);
    uncommitted.evidence = vec![double_prevote(&net, &net.validator, 2, 0)];
    let reason = net.app().validate(&uncommitted).expect_err("uncommitted evidence");
    assert!(reason.contains("evidence_root"), "{reason}");
    // The same block with evidence that is new and valid is accepted: the rules above are what refused the others.
    let fresh = with(vec![double_prevote(&net, &net.validator, 2, 0)]);
    let reason = net.app().validate(&fresh).expect_err("the state root no longer matches");
    assert!(reason.contains("state root"), "{reason}");
}

#[tokio::test]
async fn a_page_of_proven_records_carries_the_commit_certificate_once() {
    let net = TestNet::new();
    const RECORDS: u64 = 4;
    for _ in 0..RECORDS {
        net.commit_block();
    }
    let mut app = net.app();
    app.report_misbehavior((1..=RECORDS).map(|height| double_prevote(&net, &net.validator, height, 0)).collect());
    net.commit_block_with(&mut app);
    let reply = net.get("/v1/evidence").await;
    let listed = reply.json();
    assert_eq!(listed["count"], RECORDS);
    let certificate = serde_json::to_string(&net.node.certified_header(RECORDS + 1).unwrap().certificate).unwrap();
    let text = reply.text();
    assert_eq!(text.matches(&certificate).count(), 1, "one certificate for the whole page");
    // Besides that certificate and its header, the page is its records: nothing in it grows with the signers.
    let header = serde_json::to_string(&listed["certified"]["header"]).unwrap();
    let records: usize = listed["evidence"].as_array().unwrap().iter().map(|r| r.to_string().len()).sum();
    assert!(text.len() <= certificate.len() + header.len() + records + 256, "{} bytes", text.len());
    // Every proof of the page verifies, and a tampered one does not.
    let sets = VerifiedSets::genesis_only(net.node.genesis());
    assert_eq!(publica_verify::verify_document(&reply.bytes, &sets).unwrap().reads.len(), RECORDS as usize);
    let mut tampered = listed.clone();
    tampered["evidence"][1]["proof"]["value"] = serde_json::json!("00");
    assert!(publica_verify::verify_document(tampered.to_string().as_bytes(), &sets).is_err());
}
