//! Ballots: every ballot belenios-tool made verifies; ballots we build verify (here and with the independent
//! Python checks); each tampering is refused with its own error.

use publica_belenios::ballot::{build_ballot, build_ballot_unchecked, sign_ballot, verify_ballot};
use publica_belenios::credential::{PrivateCredential, Uuid};
use publica_belenios::election::{sha256_b64, Election, ElectionSpec, Question};
use publica_belenios::group::{g_table, P_DECIMAL, Q_DECIMAL};
use publica_belenios::json::{parse, Json};
use publica_belenios::{BeleniosError, Scalar};
use sha2::{Digest, Sha256};

use crate::samples::{self, LIMITS, RUNS};

/// A private credential of a sample run (the first line of its `.privcreds`).
fn sample_credential(run: &str) -> PrivateCredential {
    let text = samples::text(run, "privcreds.txt");
    PrivateCredential::parse(text.lines().next().unwrap().rsplit_once(' ').unwrap().1).unwrap()
}

#[test]
fn every_ballot_made_by_belenios_tool_verifies() {
    for run in RUNS {
        let election = samples::election(run);
        let credentials = samples::public_credentials(run);
        let ballots = samples::ballots(run);
        assert!(ballots.len() >= 3);
        for bytes in ballots {
            let verified = verify_ballot(&election, &bytes).unwrap_or_else(|e| panic!("{run}: {e}"));
            assert_eq!(verified.tracker, <[u8; 32]>::from(Sha256::digest(&bytes)));
            assert!(samples::dir(run).join(format!("extracted/{}.data.json", verified.tracker_hex())).exists());
            let cred = verified.credential_decimal();
            assert!(credentials.iter().any(|c| c.split(',').next() == Some(cred.as_str())), "{run}: credential listed");
            assert_eq!(verified.ciphertexts.len(), election.questions().len());
            assert_eq!(verified.ciphertexts[0].len(), election.questions()[0].slots());
        }
    }
}

#[test]
fn every_ballot_of_the_other_archives_verifies() {
    let mut blank = 0;
    for file in samples::BEL_FILES {
        let (bytes, ballots) = samples::bel_election_and_ballots(file);
        let election = Election::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        blank += election.questions().iter().filter(|q| q.blank_allowed()).count();
        assert!(!ballots.is_empty());
        for ballot in ballots {
            verify_ballot(&election, &ballot).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
    assert!(blank >= 3, "blank questions are covered");
}

#[test]
fn ballots_we_build_verify_for_every_sample_election() {
    let mut rng = crate::rng(11);
    for (run, choices) in [
        ("threshold", vec![vec![0, 1, 0]]),
        ("threshold", vec![vec![0, 0, 0]]),
        ("single", vec![vec![0, 0, 1, 0]]),
        ("single", vec![vec![1, 0, 0, 0]]),
        ("weighted", vec![vec![1, 0]]),
    ] {
        let election = samples::election(run);
        let credential = sample_credential(run);
        let bytes = build_ballot(&election, &credential, &choices, &mut rng).unwrap();
        let verified = verify_ballot(&election, &bytes).unwrap_or_else(|e| panic!("{run} {choices:?}: {e}"));
        assert_eq!(verified.credential, credential.public(election.uuid()));
        assert!(publica_belenios::json::is_canonical(&bytes, LIMITS));
    }
    // Two questions, one with blank allowed and min 1 (belenios-tool's demo election), every kind of vote.
    let (bytes, _) = samples::bel_election_and_ballots("5oPiVKKxHZQAf7.bel");
    let election = Election::parse(&bytes).unwrap();
    let credential = PrivateCredential::parse("Qv7-e29-9sW-tba-fMD").unwrap();
    for choices in [vec![vec![1, 0], vec![0, 1, 0]], vec![vec![0, 1], vec![1, 0, 0]], vec![vec![0, 0], vec![0, 0, 1]]] {
        let bytes = build_ballot(&election, &credential, &choices, &mut rng).unwrap();
        verify_ballot(&election, &bytes).unwrap_or_else(|e| panic!("{choices:?}: {e}"));
    }
    // A blank question with min 1 and max 2: one, two, blank.
    let (bytes, _) = samples::bel_election_and_ballots("ZdRRY7mzzhpud6.bel");
    let election = Election::parse(&bytes).unwrap();
    let q = election.questions().iter().position(|q| q.blank_allowed() && q.max == 2).expect("a blank question, max 2");
    for vote in [vec![0, 1, 0, 0], vec![0, 1, 1, 0], vec![1, 0, 0, 0]] {
        let mut choices: Vec<Vec<u32>> = election
            .questions()
            .iter()
            .map(|q| {
                let mut v = vec![0; q.slots()];
                v[usize::from(q.blank_allowed())] = 1;
                for slot in
                    v.iter_mut().skip(usize::from(q.blank_allowed()) + 1).take((q.min as usize).saturating_sub(1))
                {
                    *slot = 1;
                }
                v
            })
            .collect();
        choices[q] = vote.clone();
        let bytes = build_ballot(&election, &credential, &choices, &mut rng).unwrap();
        verify_ballot(&election, &bytes).unwrap_or_else(|e| panic!("{vote:?}: {e}"));
    }
}

#[test]
fn the_choices_must_fit_the_question() {
    let mut rng = crate::rng(12);
    let election = samples::election("single");
    let credential = sample_credential("single");
    let refuse = |choices: Vec<Vec<u32>>, rng: &mut rand::rngs::StdRng| match build_ballot(
        &election,
        &credential,
        &choices,
        rng,
    ) {
        Err(BeleniosError::Choices { detail, .. }) => detail,
        other => panic!("{choices:?}: {other:?}"),
    };
    assert!(refuse(vec![vec![0, 1, 0]], &mut rng).contains("expected"));
    assert!(refuse(vec![vec![0, 1, 1, 0]], &mut rng).contains("between 1 and 1"));
    assert!(refuse(vec![vec![0, 0, 0, 0]], &mut rng).contains("between 1 and 1"));
    assert!(refuse(vec![vec![1, 1, 0, 0]], &mut rng).contains("blank"));
    assert!(refuse(vec![vec![0, 2, 0, 0]], &mut rng).contains("not 0 or 1"));
    assert!(refuse(vec![], &mut rng).contains("questions"));
}

/// Changes the ballot's JSON with `edit`, then signs it again with the sample credential, so that only the
/// check aimed at can fail.
fn tampered(election: &Election, bytes: &[u8], edit: impl FnOnce(&mut Json), resign: bool) -> Vec<u8> {
    let mut json = parse(bytes, LIMITS).unwrap();
    edit(&mut json);
    if resign {
        let mut rng = crate::rng(13);
        sign_ballot(election, &sample_credential("threshold"), &json, &mut rng).unwrap()
    } else {
        json.to_bytes()
    }
}

fn field<'a>(json: &'a mut Json, path: &[&str]) -> &'a mut Json {
    let mut cur = json;
    for key in path {
        cur = match cur {
            Json::Object(fields) => &mut fields.iter_mut().find(|(k, _)| k == key).unwrap().1,
            Json::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => panic!("{key}"),
        };
    }
    cur
}

/// Adds one to a decimal string (mod nothing: the result may leave the range, which is what some tests want).
fn bump(json: &mut Json) {
    let Json::Str(s) = json else { panic!("not a string") };
    let v: num_bigint::BigUint = s.parse().unwrap();
    *s = (v + 1u32).to_string();
}

#[test]
fn each_tampering_is_refused_with_its_own_error() {
    let mut rng = crate::rng(14);
    let election = samples::election("threshold");
    let credential = sample_credential("threshold");
    let honest = build_ballot(&election, &credential, &[vec![0, 1, 0]], &mut rng).unwrap();
    verify_ballot(&election, &honest).unwrap();
    let check = |bytes: Vec<u8>, expected: BeleniosError| {
        assert_eq!(verify_ballot(&election, &bytes).unwrap_err(), expected);
    };
    let e = &election;

    // Proofs: a response, a challenge, the overall proof.
    let q0c0 = BeleniosError::IndividualProof { question: 0, choice: 0 };
    check(
        tampered(e, &honest, |j| bump(field(j, &["answers", "0", "individual_proofs", "0", "1", "response"])), true),
        q0c0.clone(),
    );
    check(
        tampered(e, &honest, |j| bump(field(j, &["answers", "0", "individual_proofs", "0", "0", "challenge"])), true),
        q0c0.clone(),
    );
    check(
        tampered(e, &honest, |j| bump(field(j, &["answers", "0", "overall_proof", "1", "response"])), true),
        BeleniosError::OverallProof { question: 0 },
    );
    // A ciphertext changed: its own proof fails.
    check(
        tampered(
            e,
            &honest,
            |j| *field(j, &["answers", "0", "choices", "2", "alpha"]) = Json::Str(g_table().base().to_decimal()),
            true,
        ),
        BeleniosError::IndividualProof { question: 0, choice: 2 },
    );
    // An element outside the subgroup (p − 1 has order 2).
    let p_minus_1 = {
        let p: num_bigint::BigUint = P_DECIMAL.parse().unwrap();
        (p - 1u32).to_string()
    };
    check(
        tampered(
            e,
            &honest,
            |j| *field(j, &["answers", "0", "choices", "1", "beta"]) = Json::Str(p_minus_1.clone()),
            true,
        ),
        BeleniosError::NotInGroup { what: "ciphertext beta" },
    );
    // Out of range: an element ≥ p, a response ≥ q.
    check(
        tampered(e, &honest, |j| *field(j, &["answers", "0", "choices", "1", "alpha"]) = Json::str(P_DECIMAL), true),
        BeleniosError::Number { what: "ciphertext alpha", reason: publica_belenios::DecimalError::TooLarge },
    );
    check(
        tampered(
            e,
            &honest,
            |j| *field(j, &["answers", "0", "overall_proof", "0", "response"]) = Json::str(Q_DECIMAL),
            true,
        ),
        BeleniosError::Number { what: "proof response", reason: publica_belenios::DecimalError::TooLarge },
    );
    // The election: hash and uuid.
    let other_hash = sha256_b64(b"another election");
    check(
        tampered(e, &honest, |j| *field(j, &["election_hash"]) = Json::Str(other_hash.clone()), true),
        BeleniosError::WrongElectionHash { expected: election.fingerprint().into(), found: other_hash.clone() },
    );
    check(
        tampered(e, &honest, |j| *field(j, &["election_uuid"]) = Json::str("aaaaaaaaaaaaaa"), true),
        BeleniosError::WrongElectionUuid { expected: election.uuid().to_string(), found: "aaaaaaaaaaaaaa".into() },
    );
    // Shape: an answer missing, a blank proof where blank is not allowed, a proof missing.
    check(
        tampered(e, &honest, |j| *field(j, &["answers"]) = Json::Array(vec![]), true),
        BeleniosError::AnswerCount { expected: 1, found: 0 },
    );
    let blank = tampered(
        e,
        &honest,
        |j| {
            let Json::Object(a) = field(j, &["answers", "0"]) else { panic!() };
            let proofs = a[2].1.clone();
            a.push(("blank_proof".into(), proofs));
        },
        true,
    );
    assert!(matches!(verify_ballot(&election, &blank), Err(BeleniosError::AnswerShape { question: 0, .. })));
    let short = tampered(
        e,
        &honest,
        |j| {
            let Json::Array(p) = field(j, &["answers", "0", "overall_proof"]) else { panic!() };
            p.pop();
        },
        true,
    );
    assert!(matches!(verify_ballot(&election, &short), Err(BeleniosError::AnswerShape { question: 0, .. })));
    // Canonical form: a space, reordered keys.
    let spaced = String::from_utf8(honest.clone()).unwrap().replacen(",\"", ", \"", 1);
    check(spaced.into_bytes(), BeleniosError::BallotNotCanonical);
    let reordered = tampered(
        e,
        &honest,
        |j| {
            let Json::Object(f) = j else { panic!() };
            f.swap(0, 1);
        },
        false,
    );
    check(reordered, BeleniosError::BallotNotCanonical);
    // An unknown field is not a ballot.
    let extra = tampered(
        e,
        &honest,
        |j| {
            let Json::Object(f) = j else { panic!() };
            f.push(("extra".into(), Json::Int(1)));
        },
        false,
    );
    assert!(matches!(verify_ballot(&election, &extra), Err(BeleniosError::Malformed { .. })));
    // Signature: the response, the hash, the credential (with the hash recomputed but not the signature).
    check(
        tampered(e, &honest, |j| bump(field(j, &["signature", "proof", "response"])), false),
        BeleniosError::Signature,
    );
    let bad_hash = tampered(e, &honest, |j| *field(j, &["signature", "hash"]) = Json::Str(other_hash.clone()), false);
    assert!(matches!(verify_ballot(&election, &bad_hash), Err(BeleniosError::SignatureHash { .. })));
    let rehash = |j: &mut Json| {
        let Json::Object(f) = j else { panic!() };
        let unsigned = Json::Object(f[..4].to_vec()).to_bytes();
        *field(j, &["signature", "hash"]) = Json::Str(sha256_b64(&unsigned));
    };
    let other_cred = tampered(
        e,
        &honest,
        |j| {
            *field(j, &["credential"]) = Json::Str(sample_credential("single").public(election.uuid()).to_decimal());
            rehash(j);
        },
        false,
    );
    check(other_cred, BeleniosError::Signature);
    let outside = tampered(
        e,
        &honest,
        |j| {
            *field(j, &["credential"]) = Json::Str(p_minus_1.clone());
            rehash(j);
        },
        false,
    );
    check(outside, BeleniosError::NotInGroup { what: "ballot credential" });
    // Not JSON at all, or too large.
    assert!(matches!(verify_ballot(&election, b"{\"election_uuid\""), Err(BeleniosError::Json { .. })));
}

#[test]
fn dishonest_choices_fail_their_proofs() {
    let mut rng = crate::rng(15);
    let election = samples::election("threshold");
    let credential = sample_credential("threshold");
    let two = build_ballot_unchecked(&election, &credential, &[vec![1, 1, 0]], &mut rng).unwrap();
    assert_eq!(verify_ballot(&election, &two).unwrap_err(), BeleniosError::OverallProof { question: 0 });
    let not_binary = build_ballot_unchecked(&election, &credential, &[vec![0, 2, 0]], &mut rng).unwrap();
    assert_eq!(
        verify_ballot(&election, &not_binary).unwrap_err(),
        BeleniosError::IndividualProof { question: 0, choice: 1 }
    );
    // Blank allowed: blank and an answer together, or no answer without the blank flag.
    let election = samples::election("single");
    let credential = sample_credential("single");
    let both = build_ballot_unchecked(&election, &credential, &[vec![1, 1, 0, 0]], &mut rng).unwrap();
    assert!(matches!(
        verify_ballot(&election, &both),
        Err(BeleniosError::BlankProof { question: 0 } | BeleniosError::OverallProof { question: 0 })
    ));
    let none = build_ballot_unchecked(&election, &credential, &[vec![0, 0, 0, 0]], &mut rng).unwrap();
    assert_eq!(verify_ballot(&election, &none).unwrap_err(), BeleniosError::OverallProof { question: 0 });
}

#[test]
fn ballots_we_build_pass_the_independent_python_checks() {
    // The test command needs Python 3 (it installs the BODS validator with pip): without it, this fails.
    assert!(
        std::process::Command::new("python3").arg("--version").output().is_ok(),
        "python3 is not installed: install Python 3 (the README's test command needs it) to run these checks"
    );
    let mut rng = crate::rng(16);
    let election = samples::election("threshold");
    let credential = sample_credential("threshold");
    let bytes = build_ballot(&election, &credential, &[vec![0, 0, 1]], &mut rng).unwrap();
    let dir = std::env::temp_dir().join(format!("belenios-pycheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ballot.json"), &bytes).unwrap();
    std::fs::write(dir.join("election.json"), election.bytes()).unwrap();
    let tools = samples::dir("tools");
    for script in ["ballotcheck.py", "proofcheck.py"] {
        let out = std::process::Command::new("python3")
            .arg(tools.join(script))
            .arg(dir.join("ballot.json"))
            .arg(dir.join("election.json"))
            .current_dir(&tools)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("True") && !text.contains("False"), "{script}:\n{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An election with one question of `answers` answers (min 0, max `max`) under a random key.
pub fn measured_election(answers: usize, max: u32, rng: &mut rand::rngs::StdRng) -> Election {
    let x = Scalar::random(rng);
    Election::build(ElectionSpec {
        description: "measurement".into(),
        name: "measurement".into(),
        public_key: g_table().pow_secret(&x),
        questions: vec![Question {
            question: "Q".into(),
            answers: (0..answers).map(|i| format!("A{i}")).collect(),
            blank: None,
            min: 0,
            max,
        }],
        uuid: Uuid::generate(rng),
        administrator: None,
        credential_authority: None,
    })
    .unwrap()
}

/// `cargo test -p publica-belenios --release -- --ignored --nocapture measure_ballots`
#[test]
#[ignore = "measurement; run in release mode"]
fn measure_ballots() {
    let mut rng = crate::rng(17);
    let credential = PrivateCredential::generate(&mut rng);
    for (answers, max, choices) in [(6, 6, vec![1, 0, 1, 1, 0, 0]), (3, 1, vec![0, 1, 0])] {
        let election = measured_election(answers, max, &mut rng);
        let start = std::time::Instant::now();
        let first = build_ballot(&election, &credential, std::slice::from_ref(&choices), &mut rng).unwrap();
        let cold = start.elapsed().as_secs_f64() * 1e3;
        let start = std::time::Instant::now();
        verify_ballot(&election, &first).unwrap();
        let cold_verify = start.elapsed().as_secs_f64() * 1e3;
        let build = crate::arith::time_us(3, || {
            std::hint::black_box(
                build_ballot(&election, &credential, std::slice::from_ref(&choices), &mut rng).unwrap(),
            );
        }) / 1e3;
        let verify = crate::arith::time_us(3, || {
            std::hint::black_box(verify_ballot(&election, &first).unwrap());
        }) / 1e3;
        println!(
            "{answers} answers, min 0 max {max}: build {build:.2} ms (first, with the key's table: {cold:.2} ms), \
             verify {verify:.2} ms (first, with the key's wide table: {cold_verify:.2} ms)"
        );
    }
}
