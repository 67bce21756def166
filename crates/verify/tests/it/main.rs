//! Tests of offline proof verification: a valid proof passes, and each kind of forgery fails at its own check.

mod history;
mod receipt;

use publica_crypto::Keypair;
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_types::*;
use publica_verify::{verify_document, CertifiedHeader, KeyProof, ReadProof, VerifiedSets, VerifyError};

fn chain() -> ChainId {
    "verify-test".parse().unwrap()
}

fn keys() -> Vec<Keypair> {
    (1..=4u8).map(|i| Keypair::from_seed(&[i; 32])).collect()
}

fn set(keys: &[Keypair]) -> ValidatorSet {
    ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).unwrap()
}

/// A round-0 certificate of `header` with the precommits of `signers`.
fn certify(header: &BlockHeader, signers: &[&Keypair]) -> CommitCertificate {
    let signatures = signers
        .iter()
        .map(|k| {
            let vote = VoteBody {
                height: header.height,
                round: 0,
                kind: VoteKind::Precommit,
                block_hash: Some(header.hash()),
                validator: k.public_key().address(),
            };
            CommitSignature { validator: k.public_key().address(), signature: k.sign(&vote.signing_bytes(&chain())) }
        })
        .collect();
    CommitCertificate { height: header.height, round: 0, block_hash: header.hash(), signatures }
}

/// A proof of `key` under a header signed by `signers` of the four validators.
fn proof(key: &[u8], signers: usize) -> ReadProof {
    let keys = keys();
    let mut tree = StateTree::new();
    let entries: Vec<(Vec<u8>, Vec<u8>)> =
        (0..50u32).map(|i| (format!("k{i}").into_bytes(), vec![i as u8; 10])).collect();
    tree.apply(entries.iter().map(|(k, v)| (key_hash(k), Some(value_hash(v)))).collect());
    let header = BlockHeader {
        version: HEADER_VERSION,
        chain_id: chain(),
        height: 7,
        time_ms: 1_700_000_000_000,
        parent_hash: [1; 32],
        proposer: keys[0].public_key().address(),
        tx_root: [2; 32],
        tx_count: 0,
        evidence_root: [3; 32],
        state_root: tree.root(),
        validator_set_hash: set(&keys).hash(),
        next_validator_set_hash: set(&keys).hash(),
    };
    let signers: Vec<&Keypair> = keys[..signers].iter().collect();
    let certificate = certify(&header, &signers);
    let value = entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    ReadProof {
        certified: CertifiedHeader { header, certificate },
        key: key.to_vec(),
        value,
        proof: tree.prove(&key_hash(key)),
    }
}

#[test]
fn membership_and_non_membership_verify_and_survive_json() {
    let validators = set(&keys());
    for key in [b"k3".as_slice(), b"absent".as_slice()] {
        let p = proof(key, 3);
        let read = p.verify(&chain(), &validators).unwrap();
        assert_eq!(read.height, 7);
        assert_eq!(read.signers, 3);
        assert_eq!(read.value.is_some(), key == b"k3");
        let json = serde_json::to_vec(&p).unwrap();
        assert_eq!(ReadProof::from_json(&json).unwrap(), p);
    }
}

#[test]
fn each_forgery_fails_at_its_own_check() {
    let validators = set(&keys());
    let p = proof(b"k3", 3);

    let mut value = p.clone();
    value.value = Some(vec![9; 10]);
    assert!(matches!(value.verify(&chain(), &validators), Err(VerifyError::StateProof(_))));

    let mut absent = p.clone();
    absent.value = None;
    assert!(matches!(absent.verify(&chain(), &validators), Err(VerifyError::StateProof(_))));

    let mut root = p.clone();
    root.certified.header.state_root[0] ^= 1;
    assert!(matches!(root.verify(&chain(), &validators), Err(VerifyError::CertificateMismatch(_))));

    let mut height = p.clone();
    height.certified.certificate.height = 8;
    assert!(matches!(height.verify(&chain(), &validators), Err(VerifyError::CertificateMismatch(_))));

    let too_few = proof(b"k3", 2);
    assert!(matches!(too_few.verify(&chain(), &validators), Err(VerifyError::Certificate(_))));

    let mut forged = p.clone();
    let mut sig = forged.certified.certificate.signatures[1].signature.to_bytes();
    sig[0] ^= 1;
    forged.certified.certificate.signatures[1].signature = Signature::from_bytes(&sig).unwrap();
    assert!(matches!(forged.verify(&chain(), &validators), Err(VerifyError::Certificate(_))));

    let others = set(&[Keypair::from_seed(&[9; 32])]);
    assert!(matches!(p.verify(&chain(), &others), Err(VerifyError::ValidatorSetMismatch { .. })));
    assert!(matches!(p.verify(&"elsewhere".parse().unwrap(), &validators), Err(VerifyError::WrongChain { .. })));

    assert!(matches!(ReadProof::from_json(b"{\"header\": 1}"), Err(VerifyError::Malformed(_))));
    let huge = vec![b' '; publica_verify::MAX_PROOF_JSON_BYTES + 1];
    assert!(matches!(ReadProof::from_json(&huge), Err(VerifyError::Malformed(_))));
}

/// A response listing `keys`: the certified header once, each read as a key proof naming its height.
fn response(keys: &[&[u8]]) -> serde_json::Value {
    let proofs: Vec<ReadProof> = keys.iter().map(|k| proof(k, 3)).collect();
    let certified = proofs[0].certified.clone();
    assert!(proofs.iter().all(|p| p.certified.header == certified.header), "one tree, one header");
    serde_json::json!({
        "count": keys.len(),
        "certified": certified,
        "items": proofs.iter().map(|p| serde_json::json!({"name": "x", "proof": p.key_proof()})).collect::<Vec<_>>(),
    })
}

#[test]
fn a_response_of_many_reads_carries_one_certificate_and_every_read_verifies() {
    let sets = VerifiedSets::single(chain(), set(&keys()));
    let keys: Vec<Vec<u8>> = (0..40u32).map(|i| format!("k{i}").into_bytes()).chain([b"absent".to_vec()]).collect();
    let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let doc = response(&keys);
    let text = doc.to_string();
    let certificate = serde_json::to_string(&doc["certified"]["certificate"]).unwrap();
    assert_eq!(text.matches(&certificate).count(), 1);
    // Each read costs its key, value and path, never a certificate.
    let item = serde_json::to_string(&doc["items"][0]).unwrap();
    assert!(item.len() < 2_048, "{} bytes", item.len());
    assert!(text.len() < certificate.len() + 2 * 1024 + keys.len() * 2_048, "{} bytes", text.len());

    let found = verify_document(text.as_bytes(), &sets).unwrap();
    assert_eq!(found.reads.len(), keys.len());
    assert_eq!(found.headers, vec![(7, 1_700_000_000_000, 3)]);
    assert_eq!(found.reads.last().unwrap().value, None);

    // Tampering with any read, its reference or the header fails.
    let mut value = doc.clone();
    value["items"][5]["proof"]["value"] = serde_json::json!("00");
    assert!(matches!(verify_document(value.to_string().as_bytes(), &sets), Err(VerifyError::StateProof(_))));
    let mut reference = doc.clone();
    reference["items"][5]["proof"]["height"] = serde_json::json!(6);
    assert!(matches!(verify_document(reference.to_string().as_bytes(), &sets), Err(VerifyError::Malformed(_))));
    let mut root = doc.clone();
    root["certified"]["header"]["state_root"] = serde_json::json!("00".repeat(32));
    assert!(matches!(verify_document(root.to_string().as_bytes(), &sets), Err(VerifyError::CertificateMismatch(_))));
    // A key proof with no certified header around it proves nothing.
    let mut orphan = doc.clone();
    orphan.as_object_mut().unwrap().remove("certified");
    assert!(matches!(verify_document(orphan.to_string().as_bytes(), &sets), Err(VerifyError::Malformed(_))));
    let empty = serde_json::json!({"count": 0, "certified": null, "items": []});
    assert!(matches!(verify_document(empty.to_string().as_bytes(), &sets), Err(VerifyError::Malformed(_))));
}

#[test]
fn an_object_that_looks_like_a_proof_but_is_not_exactly_one_refuses_the_document() {
    let sets = VerifiedSets::single(chain(), set(&keys()));
    let doc = response(&[b"k1", b"k2", b"k3"]);
    assert_eq!(verify_document(doc.to_string().as_bytes(), &sets).unwrap().reads.len(), 3);
    let refused = |doc: &serde_json::Value, what: &str| match verify_document(doc.to_string().as_bytes(), &sets) {
        Err(VerifyError::Malformed(m)) => assert!(m.contains("state proof"), "{what}: {m}"),
        other => panic!("{what}: a document with a proof it cannot read must be refused, got {other:?}"),
    };
    // One more field: before, the object was skipped and the other proofs were reported VALID.
    let mut extra = doc.clone();
    extra["items"][1]["proof"]["note"] = serde_json::json!("trust me");
    refused(&extra, "an extra field");
    // One field fewer.
    let mut missing = doc.clone();
    missing["items"][1]["proof"].as_object_mut().unwrap().remove("value");
    refused(&missing, "a missing field");
    // A read proof that carries its own header, with one more field.
    let read = serde_json::json!({ "read": proof(b"k1", 3) });
    assert_eq!(verify_document(read.to_string().as_bytes(), &sets).unwrap().reads.len(), 1);
    let mut extra = read.clone();
    extra["read"]["height"] = serde_json::json!(7);
    refused(&extra, "a read proof with an extra field");
    // A record that names its key next to the proof of it (as evidence records do) holds a proof, and that proof is
    // held to the same rule.
    let mut record = doc.clone();
    record["items"][1]["key"] = serde_json::json!("6b32");
    assert_eq!(verify_document(record.to_string().as_bytes(), &sets).unwrap().reads.len(), 3);
    record["items"][1]["proof"]["note"] = serde_json::json!("trust me");
    refused(&record, "a record's proof with an extra field");
}

#[test]
fn a_key_proof_verifies_only_under_the_header_it_names() {
    let p = proof(b"k3", 3);
    let kp = p.key_proof();
    assert_eq!(kp.height, 7);
    assert_eq!(kp.with_header(&p.certified), p);
    let read = kp.verify_under(&p.certified).unwrap();
    assert_eq!((read.height, read.signers, read.value.as_deref()), (7, 3, p.value.as_deref()));
    let mut other = p.certified.clone();
    other.header.height = 8;
    assert!(matches!(kp.verify_under(&other), Err(VerifyError::Malformed(_))));
    let mut rooted = p.certified.clone();
    rooted.header.state_root[0] ^= 1;
    assert!(matches!(kp.verify_under(&rooted), Err(VerifyError::StateProof(_))));
    let json = serde_json::to_string(&kp).unwrap();
    assert!(!json.contains("certificate"));
    assert_eq!(serde_json::from_str::<KeyProof>(&json).unwrap(), kp);
}
