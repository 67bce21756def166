//! Elections: the samples parse, the builder writes the tool's bytes, fingerprints, limits.

use publica_belenios::election::{Election, ElectionSpec, Question, MAX_ANSWERS};
use publica_belenios::json::{parse, Json};
use publica_belenios::{BeleniosError, Elem};

use crate::samples::{self, LIMITS, RUNS};

/// An election spec from a belenios-tool template, with the key and uuid of an existing election.
fn spec_from_template(template: &Json, election: &Election) -> ElectionSpec {
    let text = |v: &Json, k: &str| v.get(k).map(|s| s.as_str().unwrap().to_string());
    ElectionSpec {
        description: text(template, "description").unwrap(),
        name: text(template, "name").unwrap(),
        public_key: *election.public_key(),
        questions: template
            .get("questions")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|q| Question {
                question: text(q, "question").unwrap(),
                answers: q
                    .get("answers")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().into())
                    .collect(),
                blank: q.get("blank").map(|b| *b == Json::Bool(true)),
                min: q.get("min").unwrap().as_u64().unwrap() as u32,
                max: q.get("max").unwrap().as_u64().unwrap() as u32,
            })
            .collect(),
        uuid: election.uuid().clone(),
        administrator: text(template, "administrator"),
        credential_authority: text(template, "credential_authority"),
    }
}

#[test]
fn the_sample_elections_parse_and_the_builder_writes_the_same_bytes() {
    for run in RUNS {
        let bytes = samples::election_bytes(run);
        let election = Election::parse(&bytes).unwrap();
        assert_eq!(election.bytes(), &bytes[..]);
        let file = samples::read(run, "election.json");
        assert_eq!(file, [&bytes[..], b"\n"].concat(), "{run}: the archive stores election.json without its newline");
        let template = parse(&samples::read(run, "template.json"), LIMITS).unwrap();
        let built = Election::build(spec_from_template(&template, &election)).unwrap();
        assert_eq!(built.bytes(), &bytes[..], "{run}");
        assert_eq!(built.fingerprint(), election.fingerprint());
        // The fingerprint is the one the ballots carry.
        let ballot = parse(&samples::ballots(run)[0], LIMITS).unwrap();
        assert_eq!(ballot.get("election_hash").unwrap().as_str().unwrap(), election.fingerprint());
    }
}

#[test]
fn the_escapes_election_is_rebuilt_from_its_template() {
    let file = std::fs::read(samples::dir("").join("json-escapes-election.json")).unwrap();
    let bytes = file.strip_suffix(b"\n").unwrap();
    let election = Election::parse(bytes).unwrap();
    let template = parse(&std::fs::read(samples::dir("").join("json-escapes-template.json")).unwrap(), LIMITS).unwrap();
    let built = Election::build(spec_from_template(&template, &election)).unwrap();
    assert_eq!(built.bytes(), bytes);
}

#[test]
fn the_fingerprint_is_over_the_bytes_as_stored() {
    let bytes = samples::election_bytes("single");
    let pretty = String::from_utf8(bytes.clone()).unwrap().replacen(",\"name\"", ", \"name\"", 1);
    let a = Election::parse(&bytes).unwrap();
    let b = Election::parse(pretty.as_bytes()).unwrap();
    assert_eq!(a.spec(), b.spec());
    assert_ne!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint().len(), 43);
}

#[test]
fn unsupported_or_inconsistent_elections_are_refused() {
    let bytes = String::from_utf8(samples::election_bytes("threshold")).unwrap();
    let refuse = |from: &str, to: &str| {
        let changed = bytes.replacen(from, to, 1);
        assert_ne!(changed, bytes, "{from}");
        Election::parse(changed.as_bytes()).unwrap_err()
    };
    assert!(matches!(refuse("\"version\":1", "\"version\":2"), BeleniosError::Election { .. }));
    assert!(matches!(refuse("BELENIOS-2048", "RFC-3526-2048"), BeleniosError::Election { .. }));
    assert!(matches!(refuse("\"max\":1", "\"max\":4"), BeleniosError::Election { .. }));
    assert!(matches!(refuse("\"min\":0", "\"min\":2"), BeleniosError::Election { .. }));
    assert!(matches!(refuse("\"uuid\":\"", "\"uuid\":\"0"), BeleniosError::Uuid { .. }));
    assert!(matches!(refuse("\"version\":1", "\"version\":1,\"extra\":1"), BeleniosError::Malformed { .. }));
    assert!(matches!(
        refuse("{\"answers\"", "{\"type\":\"NonHomomorphic\",\"answers\""),
        BeleniosError::Election { .. }
    ));
    assert!(matches!(
        refuse("\"public_key\":\"", "\"public_key\":\"1"),
        BeleniosError::NotInGroup { .. } | BeleniosError::Number { .. }
    ));
    let election = Election::parse(bytes.as_bytes()).unwrap();
    let mut spec = election.spec().clone();
    spec.questions[0].answers = vec!["a".into(); MAX_ANSWERS + 1];
    spec.questions[0].max = 1;
    assert!(matches!(Election::build(spec), Err(BeleniosError::Election { .. })));
    let mut spec = election.spec().clone();
    spec.public_key = Elem::from_decimal("2").unwrap();
    assert!(matches!(Election::build(spec), Err(BeleniosError::NotInGroup { .. })));
}
