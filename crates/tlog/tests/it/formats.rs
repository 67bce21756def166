//! Checkpoints, tiles, entry bundles, tlog-proofs and add-checkpoint bodies.

use publica_merkle::log::{consistency_proof, empty_root, inclusion_proof, root};
use publica_tlog::{
    decode_entry_bundle, encode_entry_bundle, full_tiles, parse_signature_lines, partial_tiles, AddCheckpointRequest,
    Checkpoint, Ed25519NoteSigner, SignedCheckpoint, TilePath, TlogError, TlogProof, MAX_PROOF_HASHES,
};

use crate::{checkpoint_of, leaves};

const SOFA: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const SOFA_LOG_SIG: &str = "\u{2014} example.com/behind-the-sofa \
    Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

#[test]
fn spec_checkpoint_example_parses() {
    let signed = SignedCheckpoint::parse(format!("{SOFA}\n{SOFA_LOG_SIG}").as_bytes()).unwrap();
    let checkpoint = &signed.checkpoint;
    assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size, 20852163);
    assert_eq!(checkpoint.root[..3], [0x0a, 0xc5, 0x18]);
    assert!(checkpoint.extensions.is_empty());
    assert_eq!(checkpoint.to_text(), SOFA);
    assert_eq!(signed.note.signatures()[0].key_id, 0x033de0ae);
}

#[test]
fn checkpoint_text_rules() {
    let with_ext = format!("{SOFA}ext one\next two\n");
    let parsed = Checkpoint::parse_text(&with_ext).unwrap();
    assert_eq!(parsed.extensions, ["ext one", "ext two"]);
    assert_eq!(parsed.to_text(), with_ext);
    assert_eq!(
        Checkpoint::parse_text("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").unwrap().root,
        empty_root()
    );

    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let bad = [
        format!("o\n012\n{root}\n"),                                        // leading zero
        format!("o\n00\n{root}\n"),                                         // leading zero
        format!("o\n+12\n{root}\n"),                                        // sign
        format!("o\n-1\n{root}\n"),                                         // negative
        format!("o\n18446744073709551616\n{root}\n"),                       // overflow
        format!("o\n12 \n{root}\n"),                                        // trailing space
        "o\n12\n".to_owned(),                                               // missing root
        "o\n".to_owned(),                                                   // missing size and root
        format!("\n12\n{root}\n"),                                          // empty origin
        format!("o\n12\n{root}"),                                           // no final newline
        format!("o\n12\n{root}\n\next\n"),                                  // empty line
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_owned(),  // unpadded
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(), // non-zero trailing bits
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n".to_owned(),     // 30 bytes
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2Iq\n".to_owned(), // 33 bytes
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2!=\n".to_owned(), // bad alphabet
        format!("o\r\n12\n{root}\n"),                                       // control character
    ];
    for text in &bad {
        assert!(Checkpoint::parse_text(text).is_err(), "{text:?}");
    }
    let err = Checkpoint::parse_text(&bad[0]).unwrap_err();
    assert!(err.to_string().starts_with("checkpoint tree size `012` has a leading zero"), "{err}");
    assert!(matches!(Checkpoint::parse_text(&bad[13]), Err(TlogError::HashLength { len: 30, .. })));
    assert!(Checkpoint::new("", 1, [0; 32]).is_err());
}

#[test]
fn tile_path_spec_examples() {
    let cases = [
        ("tile/0/x001/x234/067", TilePath::Hash { level: 0, index: 1_234_067, width: 256 }),
        ("tile/0/x001/234.p/7", TilePath::Hash { level: 0, index: 1234, width: 7 }),
        ("tile/entries/000", TilePath::Entries { index: 0, width: 256 }),
        ("tile/entries/x001/x234/067.p/255", TilePath::Entries { index: 1_234_067, width: 255 }),
        ("tile/63/999", TilePath::Hash { level: 63, index: 999, width: 256 }),
        ("tile/2/000.p/1", TilePath::Hash { level: 2, index: 0, width: 1 }),
        ("tile/1/x018/x446/x744/x073/x709/x551/615", TilePath::Hash { level: 1, index: u64::MAX, width: 256 }),
    ];
    for (path, tile) in cases {
        assert_eq!(TilePath::parse(path).unwrap(), tile, "{path}");
        assert_eq!(tile.to_path(), path);
    }
}

#[test]
fn tile_paths_that_are_not_canonical_are_rejected() {
    let bad = [
        "tile/00/000", // level with leading zero
        "tile/64/000", // level above 63
        "tile/-1/000",
        "tile/0/x000/001",  // leading zero group
        "tile/0/1",         // unpadded
        "tile/0/0001",      // four digits
        "tile/0/001/002",   // missing x
        "tile/0/x001",      // last group with x
        "tile/0/000.p/256", // full width spelled as partial
        "tile/0/000.p/0",   // empty tile
        "tile/0/000.p/07",  // width with leading zero
        "tile/0/000.p",     // no width
        "tile/0/000.p/1/",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0",
        "tile/entries",
        "tiles/0/000",
        "tile/1/x018/x446/x744/x073/x709/x551/616",      // overflows u64
        "tile/0/x001/x000/x000/x000/x000/x000/x000/000", // too many groups
        "tile/entries/x000/000",
        "tile/0/x01a/000",
    ];
    for path in bad {
        assert!(TilePath::parse(path).is_err(), "{path}");
    }
    let err = TilePath::parse("tile/0/x000/001").unwrap_err();
    assert!(err.to_string().contains("canonical path is `tile/0/001`"), "{err}");
}

/// The spec's examples: a tree of 70,000 leaves has 273 full level-0 tiles, a partial level-0 tile of width
/// 112, one full level-1 tile, a partial level-1 tile of width 17 and a partial level-2 tile of width 1; a tree
/// of 256 has one full level-0 tile and a partial level-1 tile of width 1.
#[test]
fn tile_geometry_spec_examples() {
    assert_eq!((full_tiles(0, 70_000), full_tiles(1, 70_000), full_tiles(2, 70_000)), (273, 1, 0));
    assert_eq!(
        partial_tiles(70_000),
        [
            TilePath::Hash { level: 0, index: 273, width: 112 },
            TilePath::Hash { level: 1, index: 1, width: 17 },
            TilePath::Hash { level: 2, index: 0, width: 1 },
            TilePath::Entries { index: 273, width: 112 },
        ]
    );
    assert_eq!((full_tiles(0, 256), full_tiles(1, 256)), (1, 0));
    assert_eq!(partial_tiles(256), [TilePath::Hash { level: 1, index: 0, width: 1 }]);
    assert!(partial_tiles(0).is_empty());
    assert_eq!(full_tiles(63, u64::MAX), 0);
    assert_eq!(full_tiles(6, u64::MAX), 255);
}

#[test]
fn entry_bundles() {
    let entries: Vec<Vec<u8>> = (0..256u32).map(|i| vec![i as u8; (i * 7) as usize]).collect();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let bundle = encode_entry_bundle(&refs).unwrap();
    assert_eq!(bundle[..2], [0, 0]);
    assert_eq!(bundle[2..4], [0, 7]);
    assert_eq!(decode_entry_bundle(&bundle).unwrap(), entries);
    // Cutting into the last entry or its length prefix is an error; cutting it off whole leaves 255 entries.
    let last = 2 + 255 * 7;
    for cut in 1..last {
        assert!(decode_entry_bundle(&bundle[..bundle.len() - cut]).is_err(), "cut {cut}");
    }
    assert_eq!(decode_entry_bundle(&bundle[..bundle.len() - last]).unwrap().len(), 255);
    let mut too_many = refs.clone();
    too_many.push(b"x");
    assert!(encode_entry_bundle(&too_many).is_err());
    let mut encoded_too_many = bundle.clone();
    encoded_too_many.extend_from_slice(&[0, 0]);
    assert!(matches!(decode_entry_bundle(&encoded_too_many), Err(TlogError::TooMany { .. })));
    assert!(encode_entry_bundle(&[]).is_err());
    assert!(decode_entry_bundle(&[]).is_err());
    let big = vec![0u8; 65_536];
    assert!(encode_entry_bundle(&[&big]).is_err());
    let max = vec![1u8; 65_535];
    assert_eq!(decode_entry_bundle(&encode_entry_bundle(&[&max, b""]).unwrap()).unwrap(), [max, vec![]]);
}

fn signed(size: u64) -> SignedCheckpoint {
    let log = Ed25519NoteSigner::from_seed("notary.publica.example/log", &[1; 32]).unwrap();
    let mut signed = SignedCheckpoint::new(checkpoint_of(size)).unwrap();
    signed.add_signature(log.sign(signed.note.text()));
    signed
}

#[test]
fn tlog_proof_round_trip_and_inclusion() {
    let all = leaves(1000);
    let checkpoint = signed(1000);
    for (index, extra) in [(0u64, None), (999, Some(b"vrf proof".to_vec())), (513, Some(Vec::new()))] {
        let proof =
            TlogProof { extra, index, proof: inclusion_proof(&all, index).unwrap(), checkpoint: checkpoint.clone() };
        let bytes = proof.to_bytes();
        assert!(bytes.starts_with(b"c2sp.org/tlog-proof@v1\n"));
        let parsed = TlogProof::parse(&bytes).unwrap();
        assert_eq!(parsed, proof);
        assert_eq!(parsed.to_bytes(), bytes);
        parsed.verify_inclusion(&all[index as usize]).unwrap();
        assert!(parsed.verify_inclusion(&all[(index as usize + 1) % 1000]).is_err());
        let mut moved = parsed.clone();
        moved.index ^= 1;
        assert!(moved.verify_inclusion(&all[index as usize]).is_err());
        let mut short = parsed.clone();
        short.proof.pop();
        assert!(short.verify_inclusion(&all[index as usize]).is_err());
    }
    // A single-leaf log needs no proof hashes.
    let one = TlogProof { extra: None, index: 0, proof: vec![], checkpoint: signed(1) };
    let parsed = TlogProof::parse(&one.to_bytes()).unwrap();
    parsed.verify_inclusion(&leaves(1)[0]).unwrap();
}

#[test]
fn tlog_proof_rejects_malformed_bodies() {
    let all = leaves(20);
    let good = TlogProof { extra: None, index: 5, proof: inclusion_proof(&all, 5).unwrap(), checkpoint: signed(20) };
    let text = String::from_utf8(good.to_bytes()).unwrap();
    let cases = [
        text.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        text.replace("index 5", "index 05"),
        text.replace("index 5", "index"),
        text.replace("index 5\n", ""),
        text.replace("index 5", "extra !!!!\nindex 5"),
        text.replacen("\n\n", "\n", 1),
        text.replacen('=', "", 1),
    ];
    for case in &cases {
        assert!(TlogProof::parse(case.as_bytes()).is_err(), "{case}");
    }
    let many = TlogProof { proof: vec![[7; 32]; MAX_PROOF_HASHES + 1], ..good.clone() };
    assert!(matches!(TlogProof::parse(&many.to_bytes()), Err(TlogError::TooMany { .. })));
    let huge = vec![b'a'; publica_tlog::MAX_PROOF_BYTES + 1];
    assert!(matches!(TlogProof::parse(&huge), Err(TlogError::TooLarge { .. })));
}

/// The request body example of c2sp.org/tlog-witness `add-checkpoint`, parsed and re-encoded byte for byte.
#[test]
fn add_checkpoint_spec_example() {
    let body = format!(
        "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
         5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\n{SOFA}\n\
         {SOFA_LOG_SIG}\u{2014} example.com/behind-the-sofa \
         opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
    );
    let request = AddCheckpointRequest::parse(body.as_bytes()).unwrap();
    assert_eq!(request.old_size, 20852014);
    assert_eq!(request.consistency_proof.len(), 4);
    assert_eq!(request.checkpoint.checkpoint.size, 20852163);
    assert_eq!(request.checkpoint.note.signatures().len(), 2);
    assert_eq!(request.to_bytes(), body.as_bytes());
}

/// The response body example of `add-checkpoint`: three cosignature lines with 8-byte timestamps.
#[test]
fn add_checkpoint_response_spec_example() {
    let body = "\u{2014} witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n\
                \u{2014} witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n\
                \u{2014} witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n";
    let sigs = parse_signature_lines(body).unwrap();
    assert_eq!(sigs.len(), 3);
    assert!(sigs.iter().all(|s| s.signature.len() == 8 + 64));
    let formatted: String = sigs.iter().map(publica_tlog::format_signature_line).collect();
    assert_eq!(formatted, body);
}

#[test]
fn add_checkpoint_round_trip_and_consistency() {
    let all = leaves(300);
    for (old, new) in [(0u64, 300u64), (1, 300), (256, 300), (300, 300), (17, 18)] {
        let request = AddCheckpointRequest {
            old_size: old,
            consistency_proof: consistency_proof(&all[..new as usize], old).unwrap(),
            checkpoint: signed(new),
        };
        let parsed = AddCheckpointRequest::parse(&request.to_bytes()).unwrap();
        assert_eq!(parsed, request);
        let old_root = root(&all[..old as usize]);
        parsed.verify_consistency(&old_root).unwrap();
        if old > 0 {
            assert!(parsed.verify_consistency(&[9; 32]).is_err(), "{old}->{new}");
        }
    }
    // Old size above the checkpoint size: refused by parsing (400).
    let mut text = AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: signed(10) }.to_bytes();
    text.splice(0..5, b"old 11".iter().copied());
    assert!(matches!(AddCheckpointRequest::parse(&text), Err(TlogError::OldSizeTooLarge { old_size: 11, size: 10 })));
    // A proof from the empty tree, or an empty tree with a non-empty root: refused (422).
    let from_zero = AddCheckpointRequest { old_size: 0, consistency_proof: vec![[1; 32]], checkpoint: signed(10) };
    assert_eq!(from_zero.verify_consistency(&empty_root()), Err(TlogError::ProofNotEmpty(1)));
    let mut empty = SignedCheckpoint::new(Checkpoint::new("o", 0, [1; 32]).unwrap()).unwrap();
    empty.add_signature(Ed25519NoteSigner::from_seed("o", &[1; 32]).unwrap().sign(empty.note.text()));
    let bad_empty = AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: empty };
    assert_eq!(bad_empty.verify_consistency(&empty_root()), Err(TlogError::EmptyTreeRoot));
    // More than 63 proof lines.
    let many = AddCheckpointRequest { old_size: 1, consistency_proof: vec![[1; 32]; 64], checkpoint: signed(10) };
    assert!(matches!(AddCheckpointRequest::parse(&many.to_bytes()), Err(TlogError::TooMany { .. })));
}
