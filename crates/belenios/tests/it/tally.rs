//! The tally: the samples' encrypted tallies recomputed byte for byte, their partial decryptions verified and
//! combined into the archived results, tampering refused with the check named, and a tally decrypted by our own
//! threshold trustees.

use std::collections::HashMap;

use publica_belenios::archive::{self, Archive, ArchiveLimits, EventBody};
use publica_belenios::ballot::{verify_ballot, Ciphertext};
use publica_belenios::election::Election;
use publica_belenios::tally::{self, CastBallot, EncryptedTally, PartialDecryption, TallyError};
use publica_belenios::trustee::{SecretKey, TrusteeItem, Trustees};
use publica_belenios::{g, Elem, FixedBase, Scalar};

/// The final archive of a sample election.
fn sample_archive(election: &str) -> Archive {
    let bytes = crate::archive::sample_archive_bytes(&format!("{election}/final.bel"));
    archive::read(&bytes, &ArchiveLimits::default()).unwrap()
}

/// What a tally needs from the archive: the election's slots, its fingerprint, the weights, the trustees and
/// the ballots cast before EndBallots.
struct Setup {
    slots: Vec<usize>,
    fingerprint: String,
    weights: HashMap<String, u64>,
    trustees: Trustees,
    ballots: Vec<CastBallot>,
}

fn setup_of(archive: &Archive) -> Setup {
    let EventBody::Setup { election, trustees, credentials } = &archive.events[0].body else { panic!() };
    let election = Election::parse(election).unwrap();
    // Every ballot is verified (proofs and signature) before it is tallied.
    let ballots = archive
        .events
        .iter()
        .take_while(|e| !matches!(e.body, EventBody::EndBallots))
        .filter_map(|e| match &e.body {
            EventBody::Ballot(b) => Some(CastBallot::from_verified(&verify_ballot(&election, b).unwrap())),
            _ => None,
        })
        .collect();
    Setup {
        slots: election.questions().iter().map(|q| q.slots()).collect(),
        fingerprint: election.fingerprint().to_string(),
        weights: tally::credential_weights(credentials).unwrap(),
        trustees: Trustees::from_bytes(trustees).unwrap(),
        ballots,
    }
}

/// The records of an archive's tally, partial decryptions and result.
struct Outputs {
    tally: Vec<u8>,
    sized: Vec<u8>,
    pds: Vec<(usize, Vec<u8>)>,
    result: Vec<u8>,
}

fn archived_outputs(archive: &Archive) -> Outputs {
    let mut tally = None;
    let mut pds = Vec::new();
    let mut result = None;
    for e in &archive.events {
        match &e.body {
            EventBody::EncryptedTally { encrypted_tally, .. } => {
                tally = Some((encrypted_tally.clone(), e.payload.clone().unwrap()))
            }
            EventBody::PartialDecryption { owner, partial_decryption } => {
                pds.push((*owner as usize, partial_decryption.clone()))
            }
            EventBody::Result(r) => result = Some(r.clone()),
            _ => {}
        }
    }
    let (tally, sized) = tally.unwrap();
    Outputs { tally, sized, pds, result: result.unwrap() }
}

#[test]
fn the_samples_encrypted_tallies_are_recomputed_byte_for_byte() {
    for (election, num_tallied, total_weight) in [("threshold", 5, 5), ("single", 5, 5), ("weighted", 3, 6)] {
        let archive = sample_archive(election);
        let setup = setup_of(&archive);
        let Outputs { tally: archived, sized, .. } = archived_outputs(&archive);
        let t = EncryptedTally::compute(&setup.slots, &setup.ballots, &setup.weights).unwrap();
        assert_eq!((t.num_tallied, t.total_weight), (num_tallied, total_weight), "{election}");
        assert_eq!(t.to_bytes(), archived, "{election}");
        assert_eq!(t.sized_bytes(), sized, "{election}");
        assert_eq!(EncryptedTally::parse_questions(&archived).unwrap(), t.questions);
    }
}

#[test]
fn the_samples_partial_decryptions_verify_and_combine_to_the_archived_results() {
    for (election, expected) in [
        ("threshold", &br#"{"result":[[1,2,1]]}"#[..]),
        ("single", br#"{"result":[[2,2,0,1]]}"#),
        ("weighted", br#"{"result":[[1,5]]}"#),
    ] {
        let archive = sample_archive(election);
        let setup = setup_of(&archive);
        let Outputs { tally: archived, pds, result, .. } = archived_outputs(&archive);
        assert_eq!(result, expected);
        let t = EncryptedTally::parse_questions(&archived).unwrap();
        let pds: Vec<(usize, PartialDecryption)> = pds
            .iter()
            .map(|(o, b)| {
                let pd = PartialDecryption::from_bytes(b).unwrap();
                assert_eq!(&pd.to_bytes(), b, "partial decryptions are written canonically");
                (*o, pd)
            })
            .collect();
        let factors = tally::combine(&setup.trustees, &t, &pds, &setup.fingerprint).unwrap();
        let total = EncryptedTally::compute(&setup.slots, &setup.ballots, &setup.weights).unwrap().total_weight;
        let counts = tally::decrypt_counts(&t, &factors, total).unwrap();
        assert_eq!(tally::result_bytes(&counts), result, "{election}");
        assert_eq!(tally::verify_result(&setup.trustees, &t, &pds, &setup.fingerprint, &result).unwrap(), counts);
    }
}

/// The threshold sample's tally and partial decryptions, parsed.
type Parsed = (Vec<Vec<Ciphertext>>, Vec<(usize, PartialDecryption)>);

fn threshold_parts() -> (Setup, Parsed, Vec<u8>) {
    let archive = sample_archive("threshold");
    let setup = setup_of(&archive);
    let Outputs { tally: archived, pds, result, .. } = archived_outputs(&archive);
    let t = EncryptedTally::parse_questions(&archived).unwrap();
    let pds = pds.iter().map(|(o, b)| (*o, PartialDecryption::from_bytes(b).unwrap())).collect();
    (setup, (t, pds), result)
}

#[test]
fn tampered_partial_decryptions_and_results_are_refused_with_the_check_named() {
    let (setup, (t, pds), result) = threshold_parts();
    let verify = |pds: &[(usize, PartialDecryption)], result: &[u8]| {
        tally::verify_result(&setup.trustees, &t, pds, &setup.fingerprint, result)
    };
    assert!(verify(&pds, &result).is_ok());

    // A factor changed to another group element.
    let mut bad = pds.clone();
    bad[0].1.factors[0][1] = bad[0].1.factors[0][1].mul(&g());
    assert_eq!(verify(&bad, &result), Err(TallyError::BadDecryptionProof { owner: 1, question: 0, slot: 1 }));
    // A factor outside the group.
    let mut bad = pds.clone();
    bad[1].1.factors[0][2] = Elem::from_decimal(&crate::trustee::minus_one()).unwrap();
    assert_eq!(verify(&bad, &result), Err(TallyError::BadFactor { owner: 3, question: 0, slot: 2 }));
    // A proof's response or challenge changed.
    let mut bad = pds.clone();
    bad[1].1.proofs[0][0].response = bad[1].1.proofs[0][0].response.add(&Scalar::ONE);
    assert_eq!(verify(&bad, &result), Err(TallyError::BadDecryptionProof { owner: 3, question: 0, slot: 0 }));
    let mut bad = pds.clone();
    bad[0].1.proofs[0][2].challenge = bad[0].1.proofs[0][2].challenge.add(&Scalar::ONE);
    assert_eq!(verify(&bad, &result), Err(TallyError::BadDecryptionProof { owner: 1, question: 0, slot: 2 }));
    // The owner changed from 1 to 2: the proofs are checked against trustee 2's key.
    let mut bad = pds.clone();
    bad[0].0 = 2;
    assert_eq!(verify(&bad, &result), Err(TallyError::BadDecryptionProof { owner: 2, question: 0, slot: 0 }));
    // An owner beyond the trustees, a missing slot, and too few partial decryptions.
    let mut bad = pds.clone();
    bad[0].0 = 4;
    assert_eq!(verify(&bad, &result), Err(TallyError::BadOwner { owner: 4, trustees: 3 }));
    let mut bad = pds.clone();
    bad[0].1.factors[0].pop();
    assert_eq!(verify(&bad, &result), Err(TallyError::PartialDecryptionShape { owner: 1 }));
    assert_eq!(verify(&pds[..1], &result), Err(TallyError::NotEnoughPartialDecryptions { needed: 2, found: 1 }));
    // The same partial decryption twice counts once; swapped ones still combine.
    let twice = vec![pds[0].clone(), pds[0].clone()];
    assert_eq!(verify(&twice, &result), Err(TallyError::NotEnoughPartialDecryptions { needed: 2, found: 1 }));
    let swapped = vec![pds[1].clone(), pds[0].clone()];
    assert!(verify(&swapped, &result).is_ok());
    // The result: a count changed, a slot missing, a question missing.
    assert_eq!(verify(&pds, br#"{"result":[[1,2,2]]}"#), Err(TallyError::ResultMismatch { question: 0, slot: 2 }));
    assert_eq!(verify(&pds, br#"{"result":[[2,1,1]]}"#), Err(TallyError::ResultMismatch { question: 0, slot: 0 }));
    assert_eq!(verify(&pds, br#"{"result":[[1,2]]}"#), Err(TallyError::ResultShape));
    assert_eq!(verify(&pds, br#"{"result":[]}"#), Err(TallyError::ResultShape));
    // Counts may be written as strings of digits (the form of large weights), but not with leading zeros.
    assert!(verify(&pds, br#"{"result":[["1",2,1]]}"#).is_ok());
    assert!(matches!(verify(&pds, br#"{"result":[["01",2,1]]}"#), Err(TallyError::Format(_))));
}

#[test]
fn a_single_trustees_partial_decryption_is_required() {
    let archive = sample_archive("single");
    let setup = setup_of(&archive);
    let Outputs { tally: archived, result, .. } = archived_outputs(&archive);
    let t = EncryptedTally::parse_questions(&archived).unwrap();
    assert_eq!(
        tally::verify_result(&setup.trustees, &t, &[], &setup.fingerprint, &result),
        Err(TallyError::MissingPartialDecryption { owner: 1 })
    );
}

#[test]
fn the_sample_single_trustee_decrypts_its_tally_again_with_its_private_key() {
    let archive = sample_archive("single");
    let setup = setup_of(&archive);
    let Outputs { tally: archived, result, .. } = archived_outputs(&archive);
    let t = EncryptedTally::parse_questions(&archived).unwrap();
    let dir = crate::archive::data_dir().join("trustees/single");
    let secret = SecretKey::from_tool_file(&std::fs::read(dir.join("3D0335A9.privkey")).unwrap()).unwrap();
    let pd = PartialDecryption::create(&t, &secret, &setup.fingerprint, &mut rand::rngs::OsRng);
    let pds = vec![(1, pd)];
    assert_eq!(
        tally::verify_result(&setup.trustees, &t, &pds, &setup.fingerprint, &result).unwrap(),
        vec![vec![2, 2, 0, 1]]
    );
}

#[test]
fn ballots_with_unknown_credentials_or_the_wrong_shape_are_refused_and_the_last_ballot_counts() {
    let archive = sample_archive("threshold");
    let setup = setup_of(&archive);
    let mut ballots = setup.ballots.clone();
    ballots[0].answers[0].pop();
    assert_eq!(
        EncryptedTally::compute(&setup.slots, &ballots, &setup.weights),
        Err(TallyError::BallotShape { index: 0 })
    );
    let mut ballots = setup.ballots.clone();
    ballots[2].credential = "2".into();
    assert_eq!(
        EncryptedTally::compute(&setup.slots, &ballots, &setup.weights),
        Err(TallyError::UnknownCredential { index: 2 })
    );
    // Six ballots, one a revote: five counted. Dropping the revote changes the tally.
    assert_eq!(setup.ballots.len(), 6);
    let all = EncryptedTally::compute(&setup.slots, &setup.ballots, &setup.weights).unwrap();
    let without_last = EncryptedTally::compute(&setup.slots, &setup.ballots[..5], &setup.weights).unwrap();
    assert_eq!(without_last.num_tallied, 5);
    assert_ne!(all.questions, without_last.questions);
    // No ballot: every slot is the neutral (1, 1).
    let empty = EncryptedTally::compute(&setup.slots, &[], &setup.weights).unwrap();
    assert_eq!(empty.to_bytes(), br#"[[{"alpha":"1","beta":"1"},{"alpha":"1","beta":"1"},{"alpha":"1","beta":"1"}]]"#);
    assert!(empty.sized_bytes().starts_with(br#"{"num_tallied":0,"total_weight":0,"#));
    // Duplicate credentials in the list are refused.
    let c = g().to_decimal();
    let list = format!("[\"{c}\",\"{c},3\"]");
    assert_eq!(tally::credential_weights(list.as_bytes()).unwrap_err(), TallyError::DuplicateCredential);
    let list = format!("[\"{c},x\"]");
    assert!(matches!(tally::credential_weights(list.as_bytes()), Err(TallyError::Format(_))));
}

/// Encrypts `m` under `y` as α = g^r, β = y^r·g^m.
fn encrypt(y: &FixedBase, m: u64, rng: &mut rand::rngs::OsRng) -> Ciphertext {
    let r = Scalar::random(rng);
    Ciphertext {
        alpha: publica_belenios::group::g_table().pow_secret(&r),
        beta: y.pow_secret(&r).mul(&publica_belenios::group::g_table().pow(&Scalar::from_u64(m))),
    }
}

#[test]
fn our_own_threshold_trustees_decrypt_a_tally_with_any_two_of_three() {
    let crate::trustee::Dkg { trustees, shares, .. } = crate::trustee::own_dkg();
    let y = FixedBase::new(&trustees.public_key);
    let mut rng = rand::rngs::OsRng;
    let votes: [[u64; 3]; 4] = [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]];
    let credentials: Vec<String> = (1..=4u64).map(|i| g().pow(&Scalar::from_u64(i)).to_decimal()).collect();
    let weights: HashMap<String, u64> = credentials.iter().cloned().zip([1, 2, 3, 100]).collect();
    let ballots: Vec<CastBallot> = votes
        .iter()
        .zip(&credentials)
        .map(|(v, c)| CastBallot {
            credential: c.clone(),
            answers: vec![v.iter().map(|&m| encrypt(&y, m, &mut rng)).collect()],
        })
        .collect();
    let t = EncryptedTally::compute(&[3], &ballots, &weights).unwrap();
    assert_eq!(t.total_weight, 106);
    let fingerprint = "an election fingerprint";
    for pair in [[0usize, 1], [0, 2], [1, 2]] {
        let pds: Vec<(usize, PartialDecryption)> = pair
            .iter()
            .map(|&i| (i + 1, PartialDecryption::create(&t.questions, &shares[i], fingerprint, &mut rng)))
            .collect();
        let factors = tally::combine(&trustees, &t.questions, &pds, fingerprint).unwrap();
        let counts = tally::decrypt_counts(&t.questions, &factors, t.total_weight).unwrap();
        assert_eq!(counts, vec![vec![1, 5, 100]]);
        let result = tally::result_bytes(&counts);
        assert_eq!(result, br#"{"result":[[1,5,100]]}"#);
        tally::verify_result(&trustees, &t.questions, &pds, fingerprint, &result).unwrap();
        // A partial decryption made for another election (another fingerprint) does not verify.
        assert!(matches!(
            tally::verify_result(&trustees, &t.questions, &pds, "another election", &result),
            Err(TallyError::BadDecryptionProof { .. })
        ));
    }
    // With all three, the first two by index are combined and the third is still verified.
    let TrusteeItem::Pedersen(_) = &trustees.items[0] else { panic!() };
    let mut pds: Vec<(usize, PartialDecryption)> =
        (0..3).map(|i| (i + 1, PartialDecryption::create(&t.questions, &shares[i], fingerprint, &mut rng))).collect();
    tally::verify_result(&trustees, &t.questions, &pds, fingerprint, br#"{"result":[[1,5,100]]}"#).unwrap();
    pds[2].1.proofs[0][0].response = pds[2].1.proofs[0][0].response.add(&Scalar::ONE);
    assert_eq!(
        tally::verify_result(&trustees, &t.questions, &pds, fingerprint, br#"{"result":[[1,5,100]]}"#),
        Err(TallyError::BadDecryptionProof { owner: 3, question: 0, slot: 0 })
    );
}

#[test]
fn discrete_logs_are_found_up_to_the_bound_and_not_beyond() {
    let table = publica_belenios::group::g_table();
    for (m, bound) in [(0u64, 0u64), (0, 10), (1, 1), (7, 10), (10, 10), (99, 100), (12345, 20000), (65535, 65535)] {
        assert_eq!(tally::discrete_log(&table.pow(&Scalar::from_u64(m)), bound), Some(m), "{m} ≤ {bound}");
    }
    assert_eq!(tally::discrete_log(&table.pow(&Scalar::from_u64(11)), 10), None);
    assert_eq!(tally::discrete_log(&table.pow(&Scalar::from_u64(1000)), 999), None);
}

/// 10,000 ballots of one 3-answer question: the tally, one partial decryption and the result.
#[test]
#[ignore = "measurement: cargo test -p publica-belenios --release -- --ignored --nocapture"]
fn measure_tally_and_decryption_of_10000_ballots() {
    let mut rng = rand::rngs::OsRng;
    let secret = SecretKey::generate(&mut rng);
    let y = FixedBase::new(&secret.public());
    let n = 10_000u64;
    let started = std::time::Instant::now();
    let credentials: Vec<String> = (1..=n).map(|i| Scalar::from_u64(i).to_decimal()).collect();
    let ballots: Vec<CastBallot> = credentials
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let choice = i % 3;
            CastBallot {
                credential: c.clone(),
                answers: vec![(0..3).map(|j| encrypt(&y, u64::from(j == choice), &mut rng)).collect()],
            }
        })
        .collect();
    let weights: HashMap<String, u64> = credentials.iter().map(|c| (c.clone(), 1)).collect();
    println!("encrypting {n} ballots of 3 answers: {} ms", started.elapsed().as_millis());

    let started = std::time::Instant::now();
    let t = EncryptedTally::compute(&[3], &ballots, &weights).unwrap();
    let tally_bytes = t.to_bytes();
    println!("encrypted tally: {} ms", started.elapsed().as_millis());

    let fingerprint = "measurement";
    let started = std::time::Instant::now();
    let pd = PartialDecryption::create(&t.questions, &secret, fingerprint, &mut rng);
    println!("partial decryption (3 factors and proofs): {} ms", started.elapsed().as_millis());

    let started = std::time::Instant::now();
    let trustees =
        Trustees::new(vec![TrusteeItem::Single(publica_belenios::trustee::TrusteePublicKey::new(&secret, &mut rng))])
            .unwrap();
    let pds = vec![(1, pd)];
    let factors = tally::combine(&trustees, &t.questions, &pds, fingerprint).unwrap();
    let counts = tally::decrypt_counts(&t.questions, &factors, t.total_weight).unwrap();
    println!("verify, combine and discrete logs: {} ms", started.elapsed().as_millis());
    assert_eq!(counts, vec![vec![3334, 3333, 3333]]);
    assert!(tally_bytes.len() > 1000);
}

/// A whole election run by this crate: a Single trustee and our own 2-of-3 Pedersen group, ballots with a revote,
/// the tally, three partial decryptions (the Single trustee and Pedersen trustees 1 and 3) and the result, all
/// written with the archive writer. `voter_weights` are the four voters' weights, if the election uses weights.
/// Returns the archive, the uuid and the result.
fn run_election(voter_weights: Option<[u64; 4]>) -> (Vec<u8>, String, Vec<u8>) {
    use publica_belenios::archive::ArchiveWriter;
    use publica_belenios::ballot::build_ballot;
    use publica_belenios::credential::{credentials_json, PrivateCredential, PublicCredential, Uuid};
    use publica_belenios::election::{ElectionSpec, Question};
    use publica_belenios::trustee::TrusteePublicKey;

    let mut rng = rand::rngs::OsRng;
    let crate::trustee::Dkg { trustees: pedersen, shares, .. } = crate::trustee::own_dkg();
    let TrusteeItem::Pedersen(params) = pedersen.items[0].clone() else { panic!() };
    let single = SecretKey::generate(&mut rng);
    let trustees = Trustees::new(vec![
        TrusteeItem::Single(TrusteePublicKey::new(&single, &mut rng)),
        TrusteeItem::Pedersen(params),
    ])
    .unwrap();
    let uuid = Uuid::generate(&mut rng);
    let question = |text: &str, answers: &[&str], blank: Option<bool>, min, max| Question {
        question: text.into(),
        answers: answers.iter().map(|a| a.to_string()).collect(),
        blank,
        min,
        max,
    };
    let election = Election::build(ElectionSpec {
        description: "An election run end to end by publica-belenios.".into(),
        name: "Publica test election".into(),
        public_key: trustees.public_key,
        questions: vec![
            question("Which colours?", &["Red", "Green", "Blue"], None, 0, 2),
            question("Yes or no?", &["Yes", "No"], Some(true), 1, 1),
        ],
        uuid: uuid.clone(),
        administrator: None,
        credential_authority: None,
    })
    .unwrap();
    let voters: Vec<PrivateCredential> = (0..4).map(|_| PrivateCredential::generate(&mut rng)).collect();
    let public: Vec<PublicCredential> = voters
        .iter()
        .enumerate()
        .map(|(i, v)| PublicCredential { credential: v.public(&uuid), weight: voter_weights.map(|w| w[i]) })
        .collect();
    let credentials = credentials_json(&public).to_bytes();

    let mut writer = ArchiveWriter::new(1_800_000_000).unwrap();
    writer.setup(election.bytes(), &trustees.to_bytes(), &credentials).unwrap();
    // Voter 1 votes twice; the second ballot counts.
    let votes: [(usize, [&[u32]; 2]); 5] = [
        (0, [&[1, 1, 0], &[0, 1, 0]]),
        (1, [&[0, 0, 1], &[0, 0, 1]]),
        (2, [&[0, 0, 0], &[1, 0, 0]]),
        (1, [&[1, 0, 1], &[0, 1, 0]]),
        (3, [&[0, 1, 0], &[0, 0, 1]]),
    ];
    let mut cast = Vec::new();
    for (voter, choices) in votes {
        let choices: Vec<Vec<u32>> = choices.iter().map(|c| c.to_vec()).collect();
        let ballot = build_ballot(&election, &voters[voter], &choices, &mut rng).unwrap();
        cast.push(CastBallot::from_verified(&verify_ballot(&election, &ballot).unwrap()));
        writer.ballot(&ballot).unwrap();
    }
    writer.end_ballots().unwrap();
    let slots: Vec<usize> = election.questions().iter().map(|q| q.slots()).collect();
    let weights = tally::credential_weights(&credentials).unwrap();
    let t = EncryptedTally::compute(&slots, &cast, &weights).unwrap();
    assert_eq!((t.num_tallied, t.total_weight), (4, voter_weights.map_or(4, |w| w.iter().sum())));
    writer.encrypted_tally(&t.to_bytes(), t.num_tallied, t.total_weight).unwrap();
    let fingerprint = election.fingerprint();
    let pds = vec![
        (1, PartialDecryption::create(&t.questions, &single, fingerprint, &mut rng)),
        (2, PartialDecryption::create(&t.questions, &shares[0], fingerprint, &mut rng)),
        (4, PartialDecryption::create(&t.questions, &shares[2], fingerprint, &mut rng)),
    ];
    for (owner, pd) in &pds {
        writer.partial_decryption(*owner as u32, &pd.to_bytes()).unwrap();
    }
    let factors = tally::combine(&trustees, &t.questions, &pds, fingerprint).unwrap();
    let counts = tally::decrypt_counts(&t.questions, &factors, t.total_weight).unwrap();
    let result = tally::result_bytes(&counts);
    tally::verify_result(&trustees, &t.questions, &pds, fingerprint, &result).unwrap();
    writer.result(&result).unwrap();
    (writer.into_bytes(), uuid.as_str().to_string(), result)
}

#[test]
fn an_election_run_by_this_crate_reads_back_and_its_result_is_the_votes() {
    let (bytes, _, result) = run_election(None);
    // Counted: voter 0, voter 1's second ballot, voters 2 and 3. Question 2 has the blank slot first.
    assert_eq!(result, br#"{"result":[[2,2,1],[1,2,1]]}"#);
    let archive = archive::read(&bytes, &ArchiveLimits::default()).unwrap();
    assert_eq!(archive.events.len(), 1 + 5 + 1 + 1 + 3 + 1);
    assert_eq!(archive::rebuild(&archive).unwrap(), bytes);
}

/// The same election checked by belenios-tool itself (`election verify` on the archive alone).
#[test]
fn an_election_run_by_this_crate_passes_belenios_tool_verify() {
    let (bytes, uuid, _) = run_election(None);
    let report = belenios_tool_verify(&bytes, &uuid);
    assert!(report.contains("I: all checks passed"), "{report}");
    assert!(!report.contains("W: no result to check"), "{report}");
    // With weights above 2^30 − 1, the total weight and the counts are written as strings of digits.
    let (weighted, weighted_uuid, result) = run_election(Some([1, 3_000_000_000, 2, 5_000_000_000]));
    assert_eq!(result, br#"{"result":[["3000000001","5000000001","3000000000"],[2,"3000000001","5000000000"]]}"#);
    let report = belenios_tool_verify(&weighted, &weighted_uuid);
    assert!(report.contains("I: all checks passed"), "{report}");
    // The same archive with one count changed (names and chain recomputed) is refused: the check is not vacuous.
    let mut archive = archive::read(&bytes, &ArchiveLimits::default()).unwrap();
    archive.events.last_mut().unwrap().body = EventBody::Result(br#"{"result":[[2,2,1],[1,1,2]]}"#.to_vec());
    let report = belenios_tool_verify(&archive::rebuild(&archive).unwrap(), &uuid);
    assert!(report.contains("check_result failed"), "{report}");
}

/// Runs `belenios-tool election verify` on an archive; returns what it printed, panicking if it could not run.
fn belenios_tool_verify(bytes: &[u8], uuid: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("publica-belenios-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{uuid}.bel")), bytes).unwrap();
    let out = std::process::Command::new("belenios-tool")
        .args(["election", "verify", "--dir"])
        .arg(&dir)
        .env("BELENIOS_USE_URANDOM", "1")
        .output()
        .expect("belenios-tool is not installed: the README's test command installs it (Debian package belenios-tool)");
    std::fs::remove_dir_all(&dir).unwrap();
    // The tool reports on standard error as well as standard output; it exits with 124 when a check fails.
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(matches!(out.status.code(), Some(0 | 124)), "belenios-tool did not run: {report}");
    report
}
