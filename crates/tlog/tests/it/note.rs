//! Signed notes and verifier keys: the spec example, parsing rules, verification rules.

use publica_tlog::{
    format_signature_line, key_id, parse_signature_lines, verify_note, Ed25519NoteSigner, Note, NoteSignature,
    SignatureType, TlogError, VerifierKey, MAX_SIGNATURES,
};

// From c2sp.org/signed-note, section "Verifier keys / Example".
const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo \
                         Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

#[test]
fn spec_example_note_verifies_with_spec_vkey() {
    let key = VerifierKey::parse(SPEC_VKEY).unwrap();
    assert_eq!(key.name, "example.com/foo");
    assert_eq!(key.key_id, 0x530d903a);
    assert_eq!(key.sig_type, SignatureType::Ed25519);
    assert_eq!(key.key_id, key_id("example.com/foo", 0x01, &key.public_key));
    assert_eq!(key.to_string(), SPEC_VKEY);

    let note = Note::parse(SPEC_NOTE.as_bytes()).unwrap();
    assert_eq!(note.text(), "This is an example message.\n");
    assert_eq!(note.signatures().len(), 1);
    assert_eq!(note.to_bytes(), SPEC_NOTE.as_bytes());
    assert_eq!(verify_note(&note, std::slice::from_ref(&key)).unwrap(), vec![0]);
    assert_eq!(key.verify(note.text(), &note.signatures()[0]).unwrap(), None);

    // The same signature over any other text fails.
    let other = Note::parse(SPEC_NOTE.replace("example message", "example massage").as_bytes()).unwrap();
    let err = verify_note(&other, &[key]).unwrap_err();
    assert!(
        err.to_string().starts_with("signature from known key example.com/foo (key id 530d903a) does not verify"),
        "{err}"
    );
}

#[test]
fn spec_multiline_note_parses_at_last_empty_line() {
    let text = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n";
    let bytes = format!(
        "{text}\n\u{2014} quasimodo.example/salvatore \
         NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
    );
    let note = Note::parse(bytes.as_bytes()).unwrap();
    assert_eq!(note.text(), text);
    assert_eq!(note.signatures()[0].name, "quasimodo.example/salvatore");
    assert_eq!(note.to_bytes(), bytes.as_bytes());
}

#[test]
fn vkey_parse_rejects_bad_keys() {
    let cases = [
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", // wrong key id
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", // upper-case hex
        "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  // short hex
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", // other name, same id
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U",   // short key
        "example.com/foo+530d903a+BekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", // type 0x05
        "example.com/foo+530d903a",
        "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "",
    ];
    for vkey in cases {
        assert!(VerifierKey::parse(vkey).is_err(), "{vkey}");
    }
    assert!(matches!(VerifierKey::parse(cases[0]), Err(TlogError::KeyIdMismatch { .. })));
    assert!(matches!(VerifierKey::parse(cases[5]), Err(TlogError::UnsupportedSignatureType(0x05))));
}

#[test]
fn note_parse_rejects_malformed_notes() {
    let sig = "\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    let cases = [
        format!("text\n{sig}"),                // no empty line
        "text\n\n".to_owned(),                 // no signatures
        format!("text\n\n{}", sig.trim_end()), // last line not terminated
        format!("te\txt\n\n{sig}"),            // control character
        format!("text\r\n\n{sig}"),            // carriage return
        format!("text\n\n{}", sig.replace('\u{2014}', "-")),
        format!("text\n\n{}", sig.replace("example.com/foo", "a+b")),
        format!("text\n\n{}", sig.replace("Uw2Q", "Uw2")), // bad base64
        "text\n\n\u{2014} a AAAAAA==\n".to_owned(),        // signature shorter than a key id plus one byte
        format!("text\n\n{sig}\n"),                        // trailing empty line
    ];
    for case in &cases {
        assert!(Note::parse(case.as_bytes()).is_err(), "{case:?}");
    }
    assert!(Note::parse(b"text\n\n\xff\n").is_err());
}

#[test]
fn note_signature_count_limit() {
    let signer = Ed25519NoteSigner::from_seed("log.example/a", &[1; 32]).unwrap();
    let sig = signer.sign("text\n");
    let lines = |n: usize| -> String {
        (0..n).map(|i| format_signature_line(&NoteSignature { name: format!("w{i}"), ..sig.clone() })).collect()
    };
    for n in [1, 16, MAX_SIGNATURES] {
        let note = Note::parse(format!("text\n\n{}", lines(n)).as_bytes()).unwrap();
        assert_eq!(note.signatures().len(), n);
        assert_eq!(parse_signature_lines(&lines(n)).unwrap().len(), n);
    }
    let too_many = format!("text\n\n{}", lines(MAX_SIGNATURES + 1));
    assert!(matches!(Note::parse(too_many.as_bytes()), Err(TlogError::TooMany { .. })));
    assert!(parse_signature_lines(&lines(MAX_SIGNATURES + 1)).is_err());
    assert!(parse_signature_lines("").is_err());
}

#[test]
fn note_new_checks_text_and_add_signature_drops_duplicates() {
    assert!(Note::new("no newline".to_owned()).is_err());
    assert!(Note::new("tab\there\n".to_owned()).is_err());
    let mut note = Note::new("a\n\nb\n".to_owned()).unwrap();
    let a = Ed25519NoteSigner::from_seed("a.example", &[1; 32]).unwrap();
    let b = Ed25519NoteSigner::from_seed("b.example", &[2; 32]).unwrap();
    note.add_signature(b.sign(note.text()));
    note.add_signature(a.sign(note.text()));
    let mut dup = a.sign(note.text());
    dup.signature[0] ^= 1;
    note.add_signature(dup);
    let names: Vec<_> = note.signatures().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["b.example", "a.example"]);
    // A text with an empty line inside still round-trips: the split is at the last empty line.
    let parsed = Note::parse(&note.to_bytes()).unwrap();
    assert_eq!(parsed, note);
    assert_eq!(verify_note(&parsed, &[a.verifier_key(), b.verifier_key()]).unwrap(), vec![1, 0]);
}

#[test]
fn verification_rules_for_unknown_and_mismatched_keys() {
    let log = Ed25519NoteSigner::from_seed("log.example/a", &[1; 32]).unwrap();
    let other = Ed25519NoteSigner::from_seed("log.example/b", &[2; 32]).unwrap();
    let text = "hello\n";
    let mut note = Note::new(text.to_owned()).unwrap();
    note.add_signature(log.sign(text));

    // Unknown keys only: rejected because no known key signed.
    assert_eq!(verify_note(&note, &[other.verifier_key()]), Err(TlogError::NoKnownSignature));
    // A known key among unknown ones: accepted, index of the known key.
    assert_eq!(verify_note(&note, &[other.verifier_key(), log.verifier_key()]).unwrap(), vec![1]);

    // Same name, other key id, garbage signature: ignored.
    let mut wrong_id = log.sign(text);
    wrong_id.key_id ^= 1;
    wrong_id.signature = vec![0; 3];
    // Same key id, other name: ignored.
    let mut wrong_name = log.sign(text);
    wrong_name.name = "log.example/c".to_owned();
    wrong_name.signature[5] ^= 0xff;
    let mut noisy = note.clone();
    noisy.add_signature(wrong_id.clone());
    noisy.add_signature(wrong_name);
    assert_eq!(verify_note(&noisy, &[log.verifier_key()]).unwrap(), vec![0]);

    // A bad signature from a known key rejects the whole note, even next to a good one.
    let mut bad = other.sign(text);
    bad.signature[10] ^= 1;
    let mut poisoned = note.clone();
    poisoned.add_signature(bad);
    let err = verify_note(&poisoned, &[log.verifier_key(), other.verifier_key()]).unwrap_err();
    assert!(matches!(err, TlogError::BadSignature { ref name, .. } if name == "log.example/b"), "{err}");

    // Checking a line against the wrong key is an error, not a silent pass.
    assert!(matches!(log.verifier_key().verify(text, &wrong_id), Err(TlogError::WrongKey { .. })));
}

#[test]
fn ed25519_signatures_cover_every_byte_of_the_text() {
    let signer = Ed25519NoteSigner::from_seed("log.example/a", &[9; 32]).unwrap();
    let key = signer.verifier_key();
    assert_eq!(VerifierKey::parse(&key.to_string()).unwrap(), key);
    let text = "origin\n42\nsome text\n";
    let sig = signer.sign(text);
    assert_eq!(key.verify(text, &sig).unwrap(), None);
    for i in 0..text.len() - 1 {
        let mut tampered = text.as_bytes().to_vec();
        tampered[i] = if tampered[i] == b'x' { b'y' } else { b'x' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(key.verify(&tampered, &sig).is_err(), "byte {i}");
    }
    for i in 0..sig.signature.len() {
        let mut bad = sig.clone();
        bad.signature[i] ^= 0x01;
        assert!(key.verify(text, &bad).is_err(), "signature byte {i}");
    }
    let mut short = sig.clone();
    short.signature.pop();
    assert!(key.verify(text, &short).is_err());
}

#[test]
fn key_names_are_checked_by_signers() {
    for bad in ["", "a b", "a+b", "a\u{a0}b", "a\tb"] {
        assert!(Ed25519NoteSigner::from_seed(bad, &[0; 32]).is_err(), "{bad:?}");
    }
}
