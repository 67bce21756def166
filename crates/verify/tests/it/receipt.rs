//! Receipts: a real log, real signed checkpoints; every forgery fails at its own check.

use publica_crypto::Keypair;
use publica_merkle::log::{consistency_proof, inclusion_proof, leaf_hash, root};
use publica_notary_log::checkpoint::{assemble, verify_checkpoint, LogSigner};
use publica_notary_log::Entry;
use publica_tlog::{Ed25519Cosigner, MlDsa44Cosigner, Note, SignedCheckpoint, TlogProof, VerifierKey};
use publica_types::{Address, ChainId, Hash, Validator, ValidatorSet};
use publica_verify::{
    parse_consistency_proof, verify_extension, verify_receipt, ReceiptError, ReceiptPolicy, VerifiedSets,
};

const TIME_S: u64 = 1_790_000_000;

fn chain() -> ChainId {
    "receipt-test".parse().unwrap()
}

fn validator_keys() -> Vec<Keypair> {
    (1..=4u8).map(|i| Keypair::from_seed(&[i; 32])).collect()
}

fn validator_set(keys: &[Keypair]) -> ValidatorSet {
    ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).unwrap()
}

fn document(i: u64) -> Vec<u8> {
    format!("document number {i}").into_bytes()
}

fn entries(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            Entry {
                hash: publica_crypto::sha256(&document(i)),
                account: Address([7; 20]),
                agency: "notary-office".parse().unwrap(),
                height: 10 + i / 4,
                time_ms: TIME_S * 1000 + i,
                label: (i % 2 == 0).then(|| format!("batch {}", i / 4)),
            }
            .to_bytes()
        })
        .collect()
}

/// The witnesses: one Ed25519 cosigner, one ML-DSA-44 cosigner.
struct Witnesses {
    ed: Ed25519Cosigner,
    ml: MlDsa44Cosigner,
}

impl Witnesses {
    fn new() -> Self {
        Self {
            ed: Ed25519Cosigner::from_seed("witness1.example", &[21; 32]).unwrap(),
            ml: MlDsa44Cosigner::from_seed("witness2.example", &[22; 32]).unwrap(),
        }
    }

    fn keys(&self) -> Vec<VerifierKey> {
        vec![self.ed.verifier_key(), self.ml.verifier_key()]
    }
}

/// A checkpoint of the first `size` leaves, signed by the first `signers` validators (any number, also below
/// the quorum) and cosigned by both witnesses when `witnessed`.
fn checkpoint(leaves: &[Hash], signers: usize, witnessed: bool) -> SignedCheckpoint {
    let keys = validator_keys();
    let set = validator_set(&keys);
    let (size, root) = (leaves.len() as u64, root(leaves));
    let votes: Vec<_> = keys
        .iter()
        .map(|k| (k.public_key().address(), LogSigner::new(&chain(), k).unwrap().sign(size, root, TIME_S).unwrap()))
        .collect();
    let full = assemble(&chain(), &set, size, root, TIME_S, &votes).expect("all four validators make a quorum");
    // Keep the lines of the first `signers` validators (two lines each, in the set's order).
    let order: Vec<Address> = set.validators().iter().map(|v| v.address).collect();
    let chosen: Vec<Address> = keys.iter().take(signers).map(|k| k.public_key().address()).collect();
    let mut note = Note::new(full.checkpoint.to_text()).unwrap();
    for (i, address) in order.iter().enumerate() {
        if chosen.contains(address) {
            for line in &full.note.signatures()[2 * i..2 * i + 2] {
                note.add_signature(line.clone());
            }
        }
    }
    let mut signed = SignedCheckpoint::from_note(note).unwrap();
    if witnessed {
        let w = Witnesses::new();
        signed.add_signature(w.ed.cosign(&signed.checkpoint, TIME_S + 1).unwrap());
        signed.add_signature(w.ml.cosign(&signed.checkpoint, TIME_S + 2).unwrap());
    }
    signed
}

fn leaves(entries: &[Vec<u8>]) -> Vec<Hash> {
    entries.iter().map(|e| leaf_hash(e)).collect()
}

fn receipt_for(entries: &[Vec<u8>], index: u64, signed: SignedCheckpoint) -> Vec<u8> {
    let leaves = leaves(entries);
    TlogProof {
        extra: Some(entries[index as usize].clone()),
        index,
        proof: inclusion_proof(&leaves, index).unwrap(),
        checkpoint: signed,
    }
    .to_bytes()
}

fn policy(min_witnesses: usize) -> ReceiptPolicy {
    ReceiptPolicy {
        chain_id: chain(),
        validators: VerifiedSets::single(chain(), validator_set(&validator_keys())),
        witnesses: Witnesses::new().keys(),
        min_witnesses,
    }
}

fn doc_hash(i: u64) -> Hash {
    publica_crypto::sha256(&document(i))
}

#[test]
fn a_valid_receipt_says_what_it_establishes() {
    let entries = entries(21);
    let signed = checkpoint(&leaves(&entries), 4, true);
    let receipt = receipt_for(&entries, 13, signed);
    let verified = verify_receipt(&receipt, &policy(2), Some(&doc_hash(13))).unwrap();
    assert_eq!(verified.index, 13);
    assert_eq!(verified.entry.hash, doc_hash(13));
    assert_eq!(verified.entry.height, 13);
    assert_eq!(verified.entry.agency.as_str(), "notary-office");
    assert_eq!(verified.entry.label, None);
    assert_eq!(verified.leaf_hash, leaf_hash(&entries[13]));
    assert!(verified.document_checked);
    assert_eq!(verified.checkpoint.checkpoint.size, 21);
    assert_eq!(verified.signers.validators.len(), 4);
    assert_eq!((verified.signers.power, verified.signers.total_power), (4, 4));
    assert_eq!(verified.signers.signed_at_s, Some(TIME_S), "the validators' time, not a later witness's");
    let names: Vec<&str> = verified.signers.witnesses.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["witness1.example", "witness2.example"]);

    // Without the file, the receipt alone still verifies; every index of logs of several sizes does.
    for n in [1u64, 2, 3, 7, 8, 9, 33] {
        let entries = self::entries(n);
        let signed = checkpoint(&leaves(&entries), 3, false);
        for i in 0..n {
            let receipt = receipt_for(&entries, i, signed.clone());
            let v = verify_receipt(&receipt, &policy(0), None).unwrap_or_else(|e| panic!("size {n} index {i}: {e}"));
            assert!(!v.document_checked);
            assert_eq!(v.entry.label.is_some(), i % 2 == 0);
        }
    }
}

/// Every single-byte change anywhere in a receipt is refused: with exactly a quorum of validators (3 of 4) and
/// both required witnesses, no line is redundant.
#[test]
fn flipping_any_byte_of_a_receipt_is_rejected() {
    let entries = entries(11);
    let signed = checkpoint(&leaves(&entries), 3, true);
    let receipt = receipt_for(&entries, 6, signed);
    let policy = policy(2);
    verify_receipt(&receipt, &policy, Some(&doc_hash(6))).expect("the untouched receipt verifies");
    for position in 0..receipt.len() {
        for mask in [0x01u8, 0x20] {
            let mut tampered = receipt.clone();
            tampered[position] ^= mask;
            // Without the document: the receipt must defend itself.
            if let Ok(v) = verify_receipt(&tampered, &policy, None) {
                panic!(
                    "byte {position} ^ {mask:#04x} ({:?}) accepted: index {} hash {:02x?}",
                    receipt[position] as char,
                    v.index,
                    &v.entry.hash[..4]
                );
            }
        }
    }
}

#[test]
fn each_forgery_fails_at_its_own_check() {
    let entries = entries(9);
    let leaves = leaves(&entries);
    let good = checkpoint(&leaves, 4, true);
    let receipt = receipt_for(&entries, 4, good.clone());

    // Format: not a tlog-proof at all, and over the size limit.
    assert!(matches!(verify_receipt(b"hello", &policy(0), None), Err(ReceiptError::Format(_))));
    let huge = vec![b'a'; publica_tlog::MAX_PROOF_BYTES + 1];
    assert!(matches!(verify_receipt(&huge, &policy(0), None), Err(ReceiptError::Format(_))));

    // A wrong file.
    let err = verify_receipt(&receipt, &policy(0), Some(&doc_hash(5))).unwrap_err();
    assert!(matches!(err, ReceiptError::DocumentMismatch { .. }), "{err}");
    assert!(err.to_string().contains("document check failed"), "{err}");

    // Too few validators (2 of 4 is not more than two thirds), even with both witnesses.
    let weak = receipt_for(&entries, 4, checkpoint(&leaves, 2, true));
    let err = verify_receipt(&weak, &policy(0), None).unwrap_err();
    assert_eq!(err, ReceiptError::ValidatorQuorum { power: 2, total: 4, quorum: 3 });

    // Only one kind of signature per validator does not count.
    let mut note = Note::new(good.checkpoint.to_text()).unwrap();
    for (i, line) in good.note.signatures().iter().enumerate() {
        if i < 8 && i % 2 == 0 {
            note.add_signature(line.clone());
        }
    }
    let ed_only = receipt_for(&entries, 4, SignedCheckpoint::from_note(note).unwrap());
    assert!(matches!(verify_receipt(&ed_only, &policy(0), None), Err(ReceiptError::ValidatorQuorum { power: 0, .. })));

    // A forged validator signature: a validator's signature over another tree head, pasted on this one.
    let other = checkpoint(&leaves[..8], 4, false);
    let mut forged = good.clone();
    let mut lines: Vec<_> = forged.note.signatures().to_vec();
    lines[2].signature = other.note.signatures()[2].signature.clone();
    let mut note = Note::new(forged.checkpoint.to_text()).unwrap();
    lines.into_iter().for_each(|l| note.add_signature(l));
    forged = SignedCheckpoint::from_note(note).unwrap();
    let err = verify_receipt(&receipt_for(&entries, 4, forged), &policy(0), None).unwrap_err();
    assert!(matches!(err, ReceiptError::ValidatorSignature(_)), "{err}");

    // Signatures of validators that are not this network's: another set signed.
    let strangers: Vec<Keypair> = (50..54u8).map(|i| Keypair::from_seed(&[i; 32])).collect();
    let strangers_policy =
        ReceiptPolicy { validators: VerifiedSets::single(chain(), validator_set(&strangers)), ..policy(0) };
    let err = verify_receipt(&receipt, &strangers_policy, None).unwrap_err();
    assert!(matches!(err, ReceiptError::ValidatorSignature(publica_tlog::TlogError::NoKnownSignature)), "{err}");

    // A receipt of another network: verified with this network's policy, refused by origin.
    let other_chain = ReceiptPolicy { chain_id: "another-net".parse().unwrap(), ..policy(0) };
    let err = verify_receipt(&receipt, &other_chain, None).unwrap_err();
    assert!(matches!(err, ReceiptError::WrongNetwork { .. }), "{err}");

    // Witness quorum unmet: no witness cosigned, or fewer than required.
    let unwitnessed = receipt_for(&entries, 4, checkpoint(&leaves, 4, false));
    assert!(verify_receipt(&unwitnessed, &policy(0), None).is_ok());
    assert_eq!(
        verify_receipt(&unwitnessed, &policy(1), None).unwrap_err(),
        ReceiptError::WitnessQuorum { got: 0, required: 1 }
    );
    let mut one_witness = checkpoint(&leaves, 4, false);
    one_witness.add_signature(Witnesses::new().ed.cosign(&one_witness.checkpoint, TIME_S).unwrap());
    let one = receipt_for(&entries, 4, one_witness);
    assert!(verify_receipt(&one, &policy(1), None).is_ok());
    assert_eq!(
        verify_receipt(&one, &policy(2), None).unwrap_err(),
        ReceiptError::WitnessQuorum { got: 1, required: 2 }
    );
    // A witness key listed twice is one witness: two cannot be required of it.
    let mut doubled = policy(2);
    doubled.witnesses = vec![Witnesses::new().ed.verifier_key(), Witnesses::new().ed.verifier_key()];
    assert!(matches!(verify_receipt(&one, &doubled, None), Err(ReceiptError::Policy(_))));
    doubled.min_witnesses = 1;
    assert!(verify_receipt(&one, &doubled, None).is_ok());

    // One witness with two keys (one name) is one witness, and counts only when both its keys cosigned.
    let hybrid_ed = Ed25519Cosigner::from_seed("hybrid.example", &[31; 32]).unwrap();
    let hybrid_ml = MlDsa44Cosigner::from_seed("hybrid.example", &[32; 32]).unwrap();
    let mut hybrid = policy(2);
    hybrid.witnesses = vec![hybrid_ed.verifier_key(), hybrid_ml.verifier_key()];
    let mut half = checkpoint(&leaves, 4, false);
    half.add_signature(hybrid_ed.cosign(&half.checkpoint, TIME_S).unwrap());
    let half = receipt_for(&entries, 4, half);
    assert!(matches!(verify_receipt(&half, &hybrid, None), Err(ReceiptError::Policy(_))), "two of one witness");
    hybrid.min_witnesses = 1;
    assert_eq!(verify_receipt(&half, &hybrid, None).unwrap_err(), ReceiptError::WitnessQuorum { got: 0, required: 1 });
    let mut both = checkpoint(&leaves, 4, false);
    both.add_signature(hybrid_ed.cosign(&both.checkpoint, TIME_S).unwrap());
    both.add_signature(hybrid_ml.cosign(&both.checkpoint, TIME_S).unwrap());
    assert!(verify_receipt(&receipt_for(&entries, 4, both), &hybrid, None).is_ok());

    // A forged witness cosignature.
    let mut bad_witness = checkpoint(&leaves, 4, false);
    let mut line = Witnesses::new().ed.cosign(&bad_witness.checkpoint, TIME_S).unwrap();
    line.signature[20] ^= 1;
    bad_witness.add_signature(line);
    let err = verify_receipt(&receipt_for(&entries, 4, bad_witness), &policy(0), None).unwrap_err();
    assert!(matches!(err, ReceiptError::WitnessSignature(_)), "{err}");

    // Policies that cannot be met, or that take the log's own key for a witness.
    assert!(matches!(verify_receipt(&receipt, &policy(3), None), Err(ReceiptError::Policy(_))));
    let mut own = policy(0);
    own.witnesses.push(VerifierKey::parse(&policy_log_vkey()).unwrap());
    assert!(matches!(verify_receipt(&receipt, &own, None), Err(ReceiptError::Policy(_))));

    // No entry, an entry that does not parse, an entry of another leaf, a proof for another index.
    let mut proof = TlogProof::parse(&receipt).unwrap();
    proof.extra = None;
    assert_eq!(verify_receipt(&proof.to_bytes(), &policy(0), None).unwrap_err(), ReceiptError::MissingEntry);
    proof.extra = Some(vec![1, 2, 3]);
    assert!(matches!(verify_receipt(&proof.to_bytes(), &policy(0), None), Err(ReceiptError::MalformedEntry(_))));
    proof.extra = Some(entries[5].clone());
    assert!(matches!(verify_receipt(&proof.to_bytes(), &policy(0), None), Err(ReceiptError::Inclusion { .. })));
    let mut proof = TlogProof::parse(&receipt).unwrap();
    proof.index = 5;
    assert!(matches!(verify_receipt(&proof.to_bytes(), &policy(0), None), Err(ReceiptError::Inclusion { .. })));
    proof.index = 40;
    assert!(matches!(verify_receipt(&proof.to_bytes(), &policy(0), None), Err(ReceiptError::Inclusion { .. })));
}

fn policy_log_vkey() -> String {
    let keys = validator_keys();
    let v = Validator::from_keypair(&keys[0], 1);
    publica_notary_log::checkpoint::validator_vkeys(&publica_notary_log::checkpoint::origin(&chain()), &v).unwrap()[0]
        .to_string()
}

/// The receipt verifier's validator rule is the notary's `verify_checkpoint`, for every number of signers.
#[test]
fn the_validator_rule_agrees_with_the_notary_module() {
    let entries = entries(5);
    let set = validator_set(&validator_keys());
    for signers in 0..=4 {
        let signed = checkpoint(&leaves(&entries), signers, false);
        let notary = verify_checkpoint(&chain(), &set, &signed).is_ok();
        let receipt = verify_receipt(&receipt_for(&entries, 0, signed), &policy(0), None).is_ok();
        assert_eq!(notary, receipt, "{signers} signers");
        assert_eq!(receipt, signers >= 3, "{signers} signers");
    }
}

#[test]
fn a_newer_checkpoint_extends_the_receipt_only_with_a_valid_consistency_proof() {
    let entries = entries(40);
    let leaves = leaves(&entries);
    let old = checkpoint(&leaves[..13], 3, false);
    let receipt = receipt_for(&entries[..13], 2, old.clone());
    let verified = verify_receipt(&receipt, &policy(0), None).unwrap();
    let new = checkpoint(&leaves, 4, true);
    let proof = consistency_proof(&leaves, 13).unwrap();

    // The proof as the API serves it: one base64 hash per line.
    let text: String = proof
        .iter()
        .map(|h| format!("{}\n", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, h)))
        .collect();
    assert_eq!(parse_consistency_proof(text.as_bytes()).unwrap(), proof);
    assert!(parse_consistency_proof(b"not base64\n").is_err());
    assert!(parse_consistency_proof(text.trim_end().as_bytes()).is_err(), "the last newline is required");
    assert!(parse_consistency_proof(&vec![b'A'; 10_000]).is_err());

    let ext = verify_extension(&verified.checkpoint, &new.to_bytes(), &proof, &policy(2)).unwrap();
    assert_eq!((ext.old_size, ext.newer.checkpoint.size), (13, 40));
    assert_eq!(ext.signers.witnesses.len(), 2);
    // The same size with an empty proof is trivially consistent.
    assert!(verify_extension(&old, &old.to_bytes(), &[], &policy(0)).is_ok());

    // A tampered proof hash, a truncated proof, a proof for other sizes.
    let mut bad = proof.clone();
    bad[0][3] ^= 1;
    let err = verify_extension(&old, &new.to_bytes(), &bad, &policy(0)).unwrap_err();
    assert!(matches!(err, ReceiptError::Consistency { old_size: 13, new_size: 40, .. }), "{err}");
    assert!(matches!(
        verify_extension(&old, &new.to_bytes(), &proof[1..], &policy(0)),
        Err(ReceiptError::Consistency { .. })
    ));
    let wrong = consistency_proof(&leaves, 12).unwrap();
    assert!(matches!(
        verify_extension(&old, &new.to_bytes(), &wrong, &policy(0)),
        Err(ReceiptError::Consistency { .. })
    ));
    // A fork: a log of the same size with a different leaf 5 is not an extension, whatever proof is offered.
    let mut forked_leaves = leaves.clone();
    forked_leaves[5] = leaf_hash(b"rewritten history");
    let fork = checkpoint(&forked_leaves, 4, false);
    let fork_proof = consistency_proof(&forked_leaves, 13).unwrap();
    assert!(matches!(
        verify_extension(&old, &fork.to_bytes(), &fork_proof, &policy(0)),
        Err(ReceiptError::Consistency { .. })
    ));
    // Going backwards.
    assert!(matches!(verify_extension(&new, &old.to_bytes(), &[], &policy(0)), Err(ReceiptError::Consistency { .. })));
    // A newer checkpoint without a validator quorum, or from another network.
    let weak = checkpoint(&leaves, 2, false);
    assert!(matches!(
        verify_extension(&old, &weak.to_bytes(), &proof, &policy(0)),
        Err(ReceiptError::ValidatorQuorum { .. })
    ));
    let other_chain = ReceiptPolicy { chain_id: "another-net".parse().unwrap(), ..policy(0) };
    assert!(matches!(
        verify_extension(&old, &new.to_bytes(), &proof, &other_chain),
        Err(ReceiptError::WrongNetwork { .. })
    ));
    // Witness policy applies to the newer checkpoint too.
    let plain_new = checkpoint(&leaves, 4, false);
    assert!(matches!(
        verify_extension(&verified.checkpoint, &plain_new.to_bytes(), &proof, &policy(1)),
        Err(ReceiptError::WitnessQuorum { .. })
    ));
}
