//! Token Status Lists: the bit layout, zlib, bounds, and the signed token in both forms.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use publica_credentials::json::b64_encode;
use publica_credentials::status_list::STATUS_SUSPENDED;
use publica_credentials::{
    issue_status_list_token, verify_status_list_token, CredentialError, Form, StatusList, StatusListToken,
    VerifyPolicy, MAX_STATUS_LIST_ENTRIES, STATUS_INVALID, STATUS_VALID,
};
use publica_crypto::Half;
use rand::{Rng, SeedableRng};

use crate::{flip_b64, keypair, Parties, NOW};

const URI: &str = "https://publica.example/v1/status/issuer-1/0";

#[test]
fn the_draft_example_encodes_to_its_bytes() {
    // The 1-bit example of the Token Status List draft: statuses 1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1 -> b9 a3.
    let mut list = StatusList::new(1, 16).unwrap();
    for (index, value) in [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1].into_iter().enumerate() {
        list.set(index as u64, value).unwrap();
    }
    assert_eq!(list.as_bytes(), [0xb9, 0xa3]);
    let decoded = StatusList::from_lst(1, "eNrbuRgAAhcBXQ", 16).unwrap();
    assert_eq!(decoded.as_bytes(), [0xb9, 0xa3]);
    assert_eq!(StatusList::from_lst(1, &list.to_lst(), 16).unwrap(), list);
}

#[test]
fn two_bit_entries_follow_the_layout_and_a_model() {
    let mut list = StatusList::new(2, 1000).unwrap();
    list.set(0, STATUS_INVALID).unwrap();
    list.set(1, STATUS_SUSPENDED).unwrap();
    list.set(3, 3).unwrap();
    assert_eq!(list.as_bytes()[0], 0b11_00_10_01);
    let mut model = vec![0u8; 1000];
    model[..4].copy_from_slice(&[1, 2, 0, 3]);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..5000 {
        let (index, value) = (rng.gen_range(0..1000usize), rng.gen_range(0..4u8));
        list.set(index as u64, value).unwrap();
        model[index] = value;
    }
    for (index, value) in model.iter().enumerate() {
        assert_eq!(list.get(index as u64).unwrap(), *value);
    }
    let decoded = StatusList::from_lst(2, &list.to_lst(), 1000).unwrap();
    assert_eq!(decoded, list);
}

#[test]
fn out_of_range_indexes_values_and_widths_are_refused() {
    let mut list = StatusList::new(1, 100).unwrap();
    assert_eq!(list.get(100).unwrap_err(), CredentialError::StatusIndexOutOfRange { index: 100, len: 100 });
    assert_eq!(list.set(u64::MAX, 1).unwrap_err().check(), "status_index_out_of_range");
    assert_eq!(list.set(5, STATUS_SUSPENDED).unwrap_err().check(), "status_value");
    assert_eq!(list.get(99).unwrap(), STATUS_VALID);
    for bits in [0, 3, 4, 8] {
        assert_eq!(StatusList::new(bits, 8).unwrap_err().check(), "status_value");
    }
    assert_eq!(StatusList::new(1, MAX_STATUS_LIST_ENTRIES + 1).unwrap_err().check(), "too_large");
}

#[test]
fn a_decompression_bomb_is_refused_before_it_expands() {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&vec![0u8; 64 << 20]).unwrap();
    let bomb = b64_encode(&encoder.finish().unwrap());
    assert!(bomb.len() < 100_000, "the bomb is small: {} bytes", bomb.len());
    let error = StatusList::from_lst(1, &bomb, 1_000_000).unwrap_err();
    assert_eq!(
        error,
        CredentialError::TooLarge { what: "decompressed status list bytes", limit: 125_000, actual: 125_001 }
    );
    assert_eq!(StatusList::from_lst(2, &bomb, usize::MAX).unwrap_err().check(), "too_large");
}

#[test]
fn garbage_and_trailing_bytes_are_refused() {
    let list = StatusList::new(1, 64).unwrap();
    let mut compressed = publica_credentials::json::b64_decode("t", &list.to_lst()).unwrap();
    compressed.push(0);
    assert_eq!(StatusList::from_lst(1, &b64_encode(&compressed), 64).unwrap_err().check(), "malformed");
    assert_eq!(StatusList::from_lst(1, "AAAA", 64).unwrap_err().check(), "malformed");
    assert_eq!(StatusList::from_lst(1, "eNrbuRgAAhcBXQ==", 64).unwrap_err().check(), "malformed");
}

#[test]
fn a_million_entries_with_one_percent_revoked() {
    let mut list = StatusList::new(1, 1_000_000).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let mut revoked = 0;
    while revoked < 10_000 {
        let index = rng.gen_range(0..1_000_000u64);
        if list.get(index).unwrap() == STATUS_VALID {
            list.set(index, STATUS_INVALID).unwrap();
            revoked += 1;
        }
    }
    let lst = list.to_lst();
    println!("status list of 1,000,000 1-bit entries, 1% revoked at random: lst is {} bytes (raw 125,000)", lst.len());
    assert!(lst.len() < 125_000 * 4 / 3, "compression must help at 1%");
    let decoded = StatusList::from_lst(1, &lst, 1_000_000).unwrap();
    assert_eq!(decoded, list);

    let parties = Parties::new();
    let token = StatusListToken { uri: URI.into(), iat: NOW, exp: Some(NOW + 86_400), ttl: Some(43_200), list };
    let text = issue_status_list_token(&parties.issuer(), &token, Form::Hybrid).unwrap();
    println!("hybrid status list token: {} bytes", text.len());
    let verified =
        verify_status_list_token(&text, parties.issuer_key(), URI, NOW, 1_000_000, &VerifyPolicy::default()).unwrap();
    assert_eq!(verified, token);
}

fn token(bits: u8) -> StatusListToken {
    let mut list = StatusList::new(bits, 4096).unwrap();
    list.set(42, STATUS_INVALID).unwrap();
    if bits == 2 {
        list.set(43, STATUS_SUSPENDED).unwrap();
    }
    StatusListToken { uri: URI.into(), iat: NOW - 60, exp: Some(NOW + 3600), ttl: Some(300), list }
}

#[test]
fn tokens_round_trip_in_both_forms() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        for bits in [1, 2] {
            let text = issue_status_list_token(&parties.issuer(), &token(bits), form).unwrap();
            let policy = VerifyPolicy::accepting_compact();
            let verified = verify_status_list_token(&text, parties.issuer_key(), URI, NOW, 4096, &policy).unwrap();
            assert_eq!(verified, token(bits));
            assert_eq!(verified.list.get(42).unwrap(), STATUS_INVALID);
        }
    }
    let compact = issue_status_list_token(&parties.issuer(), &token(1), Form::Compact).unwrap();
    let error =
        verify_status_list_token(&compact, parties.issuer_key(), URI, NOW, 4096, &VerifyPolicy::default()).unwrap_err();
    assert_eq!(error.check(), "classical_form_refused");
}

#[test]
fn tokens_for_another_list_expired_or_tampered_are_refused() {
    let parties = Parties::new();
    let policy = VerifyPolicy::accepting_compact();
    let text = issue_status_list_token(&parties.issuer(), &token(2), Form::Hybrid).unwrap();
    let other = verify_status_list_token(&text, parties.issuer_key(), "https://other/list", NOW, 4096, &policy);
    assert_eq!(other.unwrap_err().check(), "status_list_uri");
    let late = verify_status_list_token(&text, parties.issuer_key(), URI, NOW + 3600 + 60, 4096, &policy);
    assert_eq!(late.unwrap_err().check(), "expired");
    let small = verify_status_list_token(&text, parties.issuer_key(), URI, NOW, 1000, &policy);
    assert_eq!(small.unwrap_err().check(), "too_large");
    for (index, half) in [(0, Half::MlDsa65), (1, Half::Ed25519)] {
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let signature = json["signatures"][index]["signature"].as_str().unwrap().to_string();
        json["signatures"][index]["signature"] = serde_json::json!(flip_b64(&signature));
        let error =
            verify_status_list_token(&json.to_string(), parties.issuer_key(), URI, NOW, 4096, &policy).unwrap_err();
        assert_eq!(error, CredentialError::IssuerSignature { half });
    }
    let wrong_issuer = verify_status_list_token(&text, keypair(5).public_key(), URI, NOW, 4096, &policy);
    assert_eq!(wrong_issuer.unwrap_err().check(), "issuer_signature");
    let too_big = "A".repeat(publica_credentials::MAX_STATUS_LIST_TOKEN_BYTES + 1);
    assert_eq!(
        verify_status_list_token(&too_big, parties.issuer_key(), URI, NOW, 4096, &policy).unwrap_err().check(),
        "too_large"
    );
}

#[test]
fn a_list_rebuilt_from_its_packed_bytes_is_the_same_and_a_wrong_length_is_refused() {
    let mut list = publica_credentials::StatusList::new(2, 1_000).unwrap();
    list.set(7, 1).unwrap();
    list.set(999, 2).unwrap();
    let rebuilt = publica_credentials::StatusList::from_bytes(2, 1_000, list.as_bytes().to_vec()).unwrap();
    assert_eq!(rebuilt, list);
    assert_eq!((rebuilt.get(7).unwrap(), rebuilt.get(999).unwrap(), rebuilt.get(8).unwrap()), (1, 2, 0));
    let short = list.as_bytes()[1..].to_vec();
    let error = publica_credentials::StatusList::from_bytes(2, 1_000, short).unwrap_err();
    assert_eq!(error.check(), "malformed", "{error}");
    assert!(publica_credentials::StatusList::from_bytes(3, 1_000, list.as_bytes().to_vec()).is_err());
}
