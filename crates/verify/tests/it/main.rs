//! Tests of offline proof verification: a valid proof passes, and each kind of forgery fails at its own check.

mod history;
mod receipt;

use publica_crypto::Keypair;
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_types::*;
use publica_verify::{CertifiedHeader, ReadProof, VerifyError};

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
