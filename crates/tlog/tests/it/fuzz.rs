//! Decoders of outside bytes never panic, enforce their limits, and whatever they accept re-encodes to the
//! same bytes.

use proptest::prelude::*;
use publica_merkle::log::inclusion_proof;
use publica_tlog::{
    decode_entry_bundle, encode_entry_bundle, parse_signature_lines, AddCheckpointRequest, Checkpoint,
    Ed25519NoteSigner, MlDsa44Cosigner, Note, SignedCheckpoint, TilePath, TlogProof, VerifierKey, MAX_NOTE_BYTES,
};

use crate::{checkpoint_of, leaves};

/// A valid tlog-proof with an Ed25519 log signature and an ML-DSA-44 cosignature.
fn sample_proof() -> Vec<u8> {
    let log = Ed25519NoteSigner::from_seed("notary.publica.example/log", &[1; 32]).unwrap();
    let pq = MlDsa44Cosigner::from_seed("witness.example/pq", &[3; 32]).unwrap();
    let mut checkpoint = SignedCheckpoint::new(checkpoint_of(21)).unwrap();
    checkpoint.add_signature(log.sign(checkpoint.note.text()));
    checkpoint.add_signature(pq.cosign(&checkpoint.checkpoint, 1_700_000_000).unwrap());
    TlogProof { extra: Some(b"x".to_vec()), index: 9, proof: inclusion_proof(&leaves(21), 9).unwrap(), checkpoint }
        .to_bytes()
}

/// Runs every decoder on `bytes`; each either fails or accepts something that re-encodes to `bytes`.
fn decode_all(bytes: &[u8]) {
    if let Ok(note) = Note::parse(bytes) {
        assert_eq!(note.to_bytes(), bytes);
    }
    if let Ok(signed) = SignedCheckpoint::parse(bytes) {
        assert_eq!(signed.to_bytes(), bytes);
    }
    if let Ok(proof) = TlogProof::parse(bytes) {
        assert_eq!(proof.to_bytes(), bytes);
    }
    if let Ok(request) = AddCheckpointRequest::parse(bytes) {
        assert_eq!(request.to_bytes(), bytes);
    }
    if let Ok(bundle) = decode_entry_bundle(bytes) {
        let refs: Vec<&[u8]> = bundle.iter().map(Vec::as_slice).collect();
        assert_eq!(encode_entry_bundle(&refs).unwrap(), bytes);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(checkpoint) = Checkpoint::parse_text(text) {
            assert_eq!(checkpoint.to_text(), text);
        }
        if let Ok(sigs) = parse_signature_lines(text) {
            assert_eq!(sigs.iter().map(publica_tlog::format_signature_line).collect::<String>(), text);
        }
        if let Ok(key) = VerifierKey::parse(text) {
            assert_eq!(key.to_string(), text);
        }
        if let Ok(tile) = TilePath::parse(text) {
            assert_eq!(tile.to_path(), text);
        }
    }
}

#[test]
fn every_truncation_of_a_proof_is_rejected() {
    let proof = sample_proof();
    let full = TlogProof::parse(&proof).unwrap();
    let mut accepted = Vec::new();
    for len in 0..proof.len() {
        decode_all(&proof[..len]);
        if let Ok(shorter) = TlogProof::parse(&proof[..len]) {
            // The only valid prefixes end a signature line: the same proof with fewer signatures.
            assert_eq!(shorter.checkpoint.checkpoint, full.checkpoint.checkpoint);
            accepted.push(shorter.checkpoint.note.signatures().len());
        }
    }
    assert_eq!(accepted, [1], "only the prefix without the cosignature line may parse");
}

#[test]
fn oversize_inputs_are_rejected_by_size() {
    let big = vec![b'a'; 17 * 1024 * 1024];
    assert!(Note::parse(&big[..MAX_NOTE_BYTES + 1]).is_err());
    assert!(matches!(Note::parse(&big[..MAX_NOTE_BYTES + 1]), Err(publica_tlog::TlogError::TooLarge { .. })));
    assert!(matches!(AddCheckpointRequest::parse(&big), Err(publica_tlog::TlogError::TooLarge { .. })));
    assert!(matches!(decode_entry_bundle(&big), Err(publica_tlog::TlogError::TooLarge { .. })));
    assert!(TilePath::parse(std::str::from_utf8(&big[..1000]).unwrap()).is_err());
    assert!(VerifierKey::parse(std::str::from_utf8(&big[..5000]).unwrap()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_proofs_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut proof = sample_proof();
        for (at, byte) in edits {
            let i = at.index(proof.len());
            proof[i] = byte;
        }
        decode_all(&proof);
    }

    #[test]
    fn text_shaped_garbage_never_panics(text in "[a-z0-9+/=\\n .—x-]{0,300}") {
        decode_all(text.as_bytes());
        let with_header = format!("c2sp.org/tlog-proof@v1\n{text}");
        decode_all(with_header.as_bytes());
        let tile = format!("tile/{text}");
        decode_all(tile.as_bytes());
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=63, index in any::<u64>(), width in 1u16..=256, entries in any::<bool>()) {
        let tile = if entries { TilePath::Entries { index, width } } else { TilePath::Hash { level, index, width } };
        prop_assert_eq!(TilePath::parse(&tile.to_path()).unwrap(), tile);
    }

    #[test]
    fn small_tile_indices_round_trip(index in 0u64..2_000_000) {
        let tile = TilePath::Hash { level: 0, index, width: 256 };
        prop_assert_eq!(TilePath::parse(&tile.to_path()).unwrap(), tile);
    }

    #[test]
    fn entry_bundles_round_trip(entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..=256)) {
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let bundle = encode_entry_bundle(&refs).unwrap();
        prop_assert_eq!(decode_entry_bundle(&bundle).unwrap(), entries);
    }
}
