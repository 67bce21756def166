//! Canonical JSON: belenios-tool's bytes round trip, the strict parser's refusals.

use publica_belenios::json::{is_canonical, parse, Json, Limits};
use publica_belenios::BeleniosError;

use crate::samples::{self, LIMITS, RUNS};

#[test]
fn every_sample_ballot_and_event_is_canonical() {
    for run in RUNS {
        for ballot in samples::ballots(run) {
            assert!(is_canonical(&ballot, LIMITS), "{run}: a ballot");
        }
        for (hash, _) in samples::events(run) {
            assert!(is_canonical(&samples::entry(run, &hash, "event"), LIMITS), "{run}: event {hash}");
        }
        // The tool writes its data canonically too (it would accept other forms there).
        for (name, bytes) in samples::data_entries(run) {
            assert!(is_canonical(&bytes, LIMITS), "{run}: {name}");
        }
    }
}

#[test]
fn the_escapes_election_round_trips_byte_for_byte() {
    let election = std::fs::read(samples::dir("").join("json-escapes-election.json")).unwrap();
    let election = election.strip_suffix(b"\n").unwrap_or(&election);
    let value = parse(election, LIMITS).unwrap();
    assert_eq!(value.to_bytes(), election);
    let name = value.get("name").unwrap().as_str().unwrap();
    for raw in ["\u{7f}", "\u{1}", "\u{1f}", "\u{0}", "é", "€", "😀", "\u{a0}", "\u{2028}", "\u{9f}", "/"] {
        assert!(name.contains(raw), "{raw:?} in the parsed name");
    }
    // The template (pretty, with \u escapes) parses to the same strings.
    let template = std::fs::read(samples::dir("").join("json-escapes-template.json")).unwrap();
    let template = parse(&template, LIMITS).unwrap();
    assert_eq!(template.get("name"), value.get("name"));
    let written = String::from_utf8(Json::str(name).to_bytes()).unwrap();
    for escaped in ["\\t", "\\n", "\\r", "\\b", "\\f", "\\u0001", "\\u001f", "\\u007f", "\\u0000", "\\\"", "\\\\"] {
        assert!(written.contains(escaped), "{escaped} in {written}");
    }
    assert!(written.contains("sl/") && written.contains('😀') && written.contains('\u{2028}'));
}

#[test]
fn non_canonical_forms_are_detected() {
    let ballot = samples::ballots("threshold").remove(0);
    let text = String::from_utf8(ballot.clone()).unwrap();
    let spaced = text.replacen("\":", "\": ", 1);
    assert!(!is_canonical(spaced.as_bytes(), LIMITS));
    let mut value = parse(&ballot, LIMITS).unwrap();
    if let Json::Object(fields) = &mut value {
        fields.swap(0, 1);
    }
    assert!(is_canonical(&value.to_bytes(), LIMITS), "reordered keys are canonical JSON of another object");
    assert_ne!(value.to_bytes(), ballot);
    assert!(!is_canonical(b"{\"a\":\"\\u00e9\"}", LIMITS), "an escaped é is not canonical");
    assert!(!is_canonical(b"{\"a\":\"\\/\"}", LIMITS));
    assert!(!is_canonical(b"[1]\n", LIMITS));
    assert!(is_canonical(b"{\"a\":[1,true,null,\"x\"]}", LIMITS));
}

fn refusal(input: &str) -> String {
    match parse(input.as_bytes(), Limits { max_bytes: 100, max_depth: 3 }) {
        Err(BeleniosError::Json { detail, .. }) => detail,
        Err(other) => other.to_string(),
        Ok(v) => panic!("{input} parsed to {v:?}"),
    }
}

#[test]
fn the_parser_refuses_what_belenios_does_not_use() {
    assert!(refusal("-1").contains("negative"));
    assert!(refusal("1.5").contains("non-negative integers"));
    assert!(refusal("1e3").contains("non-negative integers"));
    assert!(refusal("01").contains("leading zero"));
    assert!(refusal("{\"a\":1,\"a\":2}").contains("duplicate key"));
    assert!(refusal("[[[[1]]]]").contains("nesting"));
    assert!(refusal(&"1".repeat(101)).contains("too large"));
    assert!(refusal("[1,]").contains("expected a JSON value"));
    assert!(refusal("\"a\u{1}\"").contains("control character"));
    assert!(refusal("\"\\ud800\"").contains("surrogate"));
    assert!(refusal("\"\\x\"").contains("escape"));
    assert!(refusal("1 2").contains("after the JSON value"));
    assert!(refusal("18446744073709551616").contains("64 bits"));
    assert!(refusal("").contains("end of input"));
    assert!(parse(b"\xff", LIMITS).is_err());
    assert_eq!(parse(b" {\"a\" : [ 1 , 2 ] } ", LIMITS).unwrap().to_bytes(), b"{\"a\":[1,2]}");
    assert_eq!(parse(b"\"\\ud83d\\ude00\"", LIMITS).unwrap(), Json::str("😀"));
}

fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Json> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<u64>().prop_map(Json::Int),
        any::<String>().prop_map(Json::Str),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    #[test]
    fn every_value_round_trips_through_its_canonical_bytes(value in arbitrary_json()) {
        let bytes = value.to_bytes();
        proptest::prop_assert_eq!(parse(&bytes, LIMITS).unwrap(), value);
        proptest::prop_assert!(is_canonical(&bytes, LIMITS));
    }

    #[test]
    fn the_parser_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
        let _ = parse(&bytes, Limits { max_bytes: 100, max_depth: 4 });
    }

    #[test]
    fn a_changed_byte_of_a_ballot_is_never_accepted(at in 0usize..1_000_000, byte in proptest::prelude::any::<u8>()) {
        let bytes = samples::ballots("weighted").remove(0);
        let at = at % bytes.len();
        proptest::prop_assume!(bytes[at] != byte);
        let mut changed = bytes.clone();
        changed[at] = byte;
        let election = samples::election("weighted");
        proptest::prop_assert!(publica_belenios::ballot::verify_ballot(&election, &changed).is_err());
    }
}
