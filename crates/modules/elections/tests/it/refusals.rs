//! Every rule of the module, each refusal asserted by its own code, with the state left untouched (`World::run`).

use super::*;
use publica_elections::error as codes;
use publica_types::ErrorCode;

fn creation(w: &World) -> ElectionsCall {
    ElectionsCall::CreateElection {
        name: "Referendum".into(),
        description: String::new(),
        questions: vec![question()],
        opens_at_ms: T0,
        closes_at_ms: T0 + HOUR_MS,
        trustees: w.trustees.clone(),
        threshold: 2,
        credential_authority: w.authority,
    }
}

fn with(mut call: ElectionsCall, change: impl FnOnce(&mut ElectionsCall)) -> ElectionsCall {
    change(&mut call);
    call
}

#[test]
fn only_a_commission_creates_an_election_and_every_argument_is_checked() {
    let mut w = World::new();
    let call = creation(&w);
    refused(w.run(w.clerk, call.clone()), Code::from(ErrorCode::MissingRole));
    let set = |f: fn(&mut ElectionsCall)| with(creation(&w), f);
    let cases: Vec<(ElectionsCall, Code)> = vec![
        (
            set(|c| {
                if let ElectionsCall::CreateElection { name, .. } = c {
                    name.clear()
                }
            }),
            codes::TEXT_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { questions, .. } = c {
                    questions.clear()
                }
            }),
            codes::QUESTIONS_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { questions, .. } = c {
                    questions[0].max = 4
                }
            }),
            codes::QUESTION_BOUNDS_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { questions, .. } = c {
                    questions[0].min = 2
                }
            }),
            codes::QUESTION_BOUNDS_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { closes_at_ms, .. } = c {
                    *closes_at_ms = T0
                }
            }),
            codes::WINDOW_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { threshold, .. } = c {
                    *threshold = 4
                }
            }),
            codes::TRUSTEES_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { threshold, .. } = c {
                    *threshold = 0
                }
            }),
            codes::TRUSTEES_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { trustees, .. } = c {
                    trustees[1] = trustees[0]
                }
            }),
            codes::TRUSTEES_INVALID,
        ),
        (
            set(|c| {
                if let ElectionsCall::CreateElection { trustees, .. } = c {
                    trustees[2] = Address([9; 20])
                }
            }),
            codes::TRUSTEES_INVALID,
        ),
    ];
    for (call, code) in cases {
        refused(w.run(w.commissioner, call), code);
    }
    let clerk = w.clerk;
    let call = with(creation(&w), |c| {
        if let ElectionsCall::CreateElection { credential_authority, .. } = c {
            *credential_authority = clerk
        }
    });
    refused(w.run(w.commissioner, call), codes::CREDENTIAL_AUTHORITY_INVALID);
    assert_eq!(w.create(2), 0, "nothing was numbered by the refusals");
}

#[test]
fn trustees_send_their_messages_in_turn_each_checked() {
    let mut w = World::new();
    let id = w.create(2);
    let certs = w.certificates();
    let message = |c: &SignedMsg| c.to_json().to_bytes();
    refused(w.run(w.clerk, trustee_call(id, 1, message(&certs[0]))), codes::SENDER_NOT_PERMITTED);
    refused(w.run(w.trustees[0], trustee_call(id, 3, message(&certs[0]))), codes::TRUSTEE_STEP_INVALID);
    // Another trustee's certificate verifies, but a certificate whose signature is changed does not.
    let mut forged = message(&certs[0]);
    let at = forged.len() - 5;
    forged[at] = if forged[at] == b'1' { b'2' } else { b'1' };
    refused(w.run(w.trustees[0], trustee_call(id, 1, forged)), codes::TRUSTEE_MESSAGE_INVALID);
    let mut spaced = message(&certs[0]);
    spaced.insert(1, b' ');
    refused(w.run(w.trustees[0], trustee_call(id, 1, spaced)), codes::TRUSTEE_MESSAGE_INVALID);
    w.ok(w.trustees[0], trustee_call(id, 1, message(&certs[0])));
    refused(w.run(w.trustees[0], trustee_call(id, 1, message(&certs[0]))), codes::TRUSTEE_MESSAGE_DUPLICATE);
    // Nothing but the key generation is possible before the key exists.
    refused(w.run(w.authority, ElectionsCall::SealCredentials { election: id }), codes::WRONG_PHASE);
    refused(w.run(w.commissioner, ElectionsCall::Close { election: id }), codes::WRONG_PHASE);
    refused(w.run(w.trustees[0], trustee_call(99, 1, message(&certs[0]))), codes::ELECTION_NOT_FOUND);
}

#[test]
fn the_roll_holds_active_citizens_once_and_only_the_commission_of_the_election_draws_it_up() {
    let mut w = World::new();
    let id = w.create(2);
    let voters = vec![w.citizens[0]];
    refused(
        w.run(w.other_commissioner, ElectionsCall::AddVoters { election: id, voters: voters.clone() }),
        codes::SENDER_NOT_PERMITTED,
    );
    refused(
        w.run(w.commissioner, ElectionsCall::AddVoters { election: id, voters: vec![w.clerk] }),
        codes::VOTER_NOT_A_CITIZEN,
    );
    let twice = vec![w.citizens[1], w.citizens[1]];
    refused(w.run(w.commissioner, ElectionsCall::AddVoters { election: id, voters: twice }), codes::VOTER_DUPLICATE);
    refused(w.run(w.commissioner, ElectionsCall::AddVoters { election: id, voters: vec![] }), codes::VOTERS_TOO_MANY);
    refused(w.run(w.commissioner, ElectionsCall::FreezeRoll { election: id }), codes::VOTERS_TOO_MANY);
    w.ok(w.commissioner, ElectionsCall::AddVoters { election: id, voters: voters.clone() });
    refused(w.run(w.commissioner, ElectionsCall::AddVoters { election: id, voters }), codes::VOTER_DUPLICATE);
    w.ok(w.commissioner, ElectionsCall::FreezeRoll { election: id });
    let late = vec![w.citizens[2]];
    refused(w.run(w.commissioner, ElectionsCall::AddVoters { election: id, voters: late }), codes::ROLL_FROZEN);
    assert_eq!(w.record(id).roll_count, 1);
}

#[test]
fn credentials_are_group_members_published_once_one_per_voter_by_the_authority() {
    let mut w = World::new();
    let id = w.create(2);
    let uuid = Uuid::parse(&w.record(id).uuid).unwrap();
    let public = |w: &mut World| PrivateCredential::generate(&mut w.rng).public(&uuid).to_decimal();
    let one = PublishedCredential { credential: public(&mut w), weight: 1 };
    let publish = |c: Vec<PublishedCredential>| ElectionsCall::PublishCredentials { election: id, credentials: c };
    refused(w.run(w.authority, publish(vec![one.clone()])), codes::ROLL_FROZEN);
    w.roll(id, 2);
    refused(w.run(w.commissioner, publish(vec![one.clone()])), codes::SENDER_NOT_PERMITTED);
    // p - 1 is below p but not in the subgroup of order q.
    let p_minus_1 = {
        let p = publica_belenios::group::P_DECIMAL;
        let mut digits: Vec<u8> = p.bytes().collect();
        *digits.last_mut().unwrap() -= 1;
        String::from_utf8(digits).unwrap()
    };
    let outsider = PublishedCredential { credential: p_minus_1, weight: 1 };
    refused(w.run(w.authority, publish(vec![outsider])), codes::CREDENTIAL_INVALID);
    let zero_weight = PublishedCredential { credential: one.credential.clone(), weight: 0 };
    refused(w.run(w.authority, publish(vec![zero_weight])), codes::CREDENTIAL_INVALID);
    refused(w.run(w.authority, publish(vec![one.clone(), one.clone()])), codes::CREDENTIAL_DUPLICATE);
    w.ok(w.authority, publish(vec![one.clone()]));
    refused(w.run(w.authority, publish(vec![one.clone()])), codes::CREDENTIAL_DUPLICATE);
    let (two, three) = (public(&mut w), public(&mut w));
    let extra = vec![
        PublishedCredential { credential: two.clone(), weight: 1 },
        PublishedCredential { credential: three, weight: 1 },
    ];
    refused(w.run(w.authority, publish(extra)), codes::CREDENTIALS_COUNT_MISMATCH);
    // Sealing needs the key, and one credential per voter.
    w.generate_key(id, 2);
    refused(w.run(w.authority, ElectionsCall::SealCredentials { election: id }), codes::CREDENTIALS_COUNT_MISMATCH);
    w.ok(w.authority, publish(vec![PublishedCredential { credential: two, weight: 1 }]));
    w.ok(w.authority, ElectionsCall::SealCredentials { election: id });
}

/// An election set up with three voters, open at `T0`.
fn open_election(w: &mut World) -> (u64, Vec<PrivateCredential>) {
    let id = w.create(2);
    w.generate_key(id, 2);
    w.roll(id, 3);
    let credentials = w.credentials(id, &[1, 1, 1]);
    (id, credentials)
}

#[test]
fn a_ballot_is_refused_outside_the_window_with_an_unknown_credential_or_once_tampered() {
    let mut w = World::new();
    let (id, credentials) = open_election(&mut w);
    let ballot = w.ballot(id, &credentials[0], &[1, 0, 0]);

    let (opens, closes) = (w.record(id).opens_at_ms, w.record(id).closes_at_ms);
    w.time_ms = opens - 1;
    refused(w.cast(id, ballot.clone()), codes::OUTSIDE_WINDOW);
    w.time_ms = closes;
    refused(w.cast(id, ballot.clone()), codes::OUTSIDE_WINDOW);
    w.time_ms = opens;

    let stranger = PrivateCredential::generate(&mut w.rng);
    let unknown = w.ballot(id, &stranger, &[1, 0, 0]);
    refused(w.cast(id, unknown), codes::CREDENTIAL_UNKNOWN);

    let text = String::from_utf8(ballot.clone()).unwrap();
    let spaced = text.replacen(",", ", ", 1).into_bytes();
    refused(w.cast(id, spaced), codes::BALLOT_MALFORMED);
    // A digit of the first proof's response changed: the credential's signature covers the proofs, so it is the
    // signature that fails, and the refusal does not count against the credential (anyone can do this).
    let at = text.find("\"response\":\"").unwrap() + 13;
    let mut tampered = ballot.clone();
    tampered[at] = if tampered[at] == b'1' { b'2' } else { b'1' };
    let error = refused(w.cast(id, tampered), codes::BALLOT_SIGNATURE_INVALID);
    assert!(!publica_elections::refusal_counts_against_credential(error.code));
    // A ballot its holder signed with two answers where one is allowed: its overall proof cannot hold, and this
    // refusal is the holder's own.
    let election = w.election(id);
    let dishonest =
        publica_belenios::ballot::build_ballot_unchecked(&election, &credentials[0], &[vec![1, 1, 0]], &mut w.rng)
            .unwrap();
    let error = refused(w.cast(id, dishonest), codes::BALLOT_INVALID);
    assert!(publica_elections::refusal_counts_against_credential(error.code));
    refused(w.cast(id, b"not json".to_vec()), codes::BALLOT_MALFORMED);

    w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot: ballot.clone() });
    refused(w.cast(id, ballot), codes::BALLOT_DUPLICATE);
    refused(w.cast(99, vec![]), codes::ELECTION_NOT_FOUND);
}

#[test]
fn a_ballot_for_another_election_is_refused_even_with_a_credential_published_in_both() {
    let mut w = World::new();
    let (first, credentials) = open_election(&mut w);
    let second = w.create(2);
    w.generate_key(second, 2);
    w.roll(second, 3);
    // The authority publishes the same public credential in the second election (its uuid differs, so a voter
    // could not derive it, but the board must not take the first election's ballot either way).
    let reused = w.record(first).uuid;
    let public = credentials[0].public(&Uuid::parse(&reused).unwrap()).to_decimal();
    let mut published = vec![PublishedCredential { credential: public, weight: 1 }];
    let uuid = Uuid::parse(&w.record(second).uuid).unwrap();
    for _ in 0..2 {
        let c = PrivateCredential::generate(&mut w.rng).public(&uuid).to_decimal();
        published.push(PublishedCredential { credential: c, weight: 1 });
    }
    w.ok(w.authority, ElectionsCall::PublishCredentials { election: second, credentials: published });
    w.ok(w.authority, ElectionsCall::SealCredentials { election: second });
    let ballot = w.ballot(first, &credentials[0], &[0, 1, 0]);
    refused(w.cast(second, ballot), codes::BALLOT_WRONG_ELECTION);
}

#[test]
fn one_credential_casts_at_most_sixteen_ballots() {
    let mut w = World::new();
    let (id, credentials) = open_election(&mut w);
    for i in 0..publica_elections::MAX_BALLOTS_PER_CREDENTIAL {
        let ballot = w.ballot(id, &credentials[1], &[i % 2, 0, 0]);
        w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot });
    }
    let ballot = w.ballot(id, &credentials[1], &[0, 1, 0]);
    refused(w.cast(id, ballot), codes::BALLOTS_PER_CREDENTIAL_EXCEEDED);
    assert_eq!(w.record(id).voters, 1);
}

#[test]
fn the_vote_closes_once_after_its_closing_time_and_partial_decryptions_are_checked() {
    let mut w = World::new();
    let (id, credentials) = open_election(&mut w);
    let ballot = w.ballot(id, &credentials[2], &[0, 0, 1]);
    w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot });
    refused(w.run(w.commissioner, ElectionsCall::Close { election: id }), codes::NOT_YET_CLOSED);
    w.time_ms = w.record(id).closes_at_ms;
    refused(w.run(w.clerk, ElectionsCall::Close { election: id }), Code::from(ErrorCode::MissingRole));
    refused(w.run(w.other_commissioner, ElectionsCall::Close { election: id }), codes::SENDER_NOT_PERMITTED);
    w.ok(w.commissioner, ElectionsCall::Close { election: id });
    refused(w.run(w.commissioner, ElectionsCall::Close { election: id }), codes::WRONG_PHASE);

    let certs = w.stored_certificates(id);
    let decryption = w.decryption(id, 2, &certs);
    // Trustee 2's decryption sent by trustee 1 does not verify under trustee 1's key.
    let call = |d: Vec<u8>| ElectionsCall::PartialDecryption { election: id, decryption: d };
    refused(w.run(w.trustees[0], call(decryption.clone())), codes::PARTIAL_DECRYPTION_INVALID);
    refused(w.run(w.clerk, call(decryption.clone())), codes::SENDER_NOT_PERMITTED);
    let text = String::from_utf8(decryption.clone()).unwrap();
    let at = text.find("\"response\":\"").unwrap() + 13;
    let mut tampered = decryption.clone();
    tampered[at] = if tampered[at] == b'1' { b'2' } else { b'1' };
    refused(w.run(w.trustees[1], call(tampered)), codes::PARTIAL_DECRYPTION_INVALID);
    w.ok(w.trustees[1], call(decryption.clone()));
    refused(w.run(w.trustees[1], call(decryption)), codes::PARTIAL_DECRYPTION_DUPLICATE);
    let third = w.decryption(id, 3, &certs);
    w.ok(w.trustees[2], call(third));
    let result = schema::object(&w.state, id, &w.record(id).result_hash.unwrap()).unwrap();
    assert_eq!(result, br#"{"result":[[0,0,1]]}"#);
}

#[test]
fn the_weights_of_an_election_add_up_to_at_most_ten_million() {
    let mut w = World::new();
    let id = w.create(2);
    w.roll(id, 11);
    let uuid = Uuid::parse(&w.record(id).uuid).unwrap();
    let heavy: Vec<PublishedCredential> = (0..10)
        .map(|_| PublishedCredential {
            credential: PrivateCredential::generate(&mut w.rng).public(&uuid).to_decimal(),
            weight: publica_elections::call::MAX_WEIGHT,
        })
        .collect();
    w.ok(w.authority, ElectionsCall::PublishCredentials { election: id, credentials: heavy });
    let one = PublishedCredential {
        credential: PrivateCredential::generate(&mut w.rng).public(&uuid).to_decimal(),
        weight: 1,
    };
    let call = ElectionsCall::PublishCredentials { election: id, credentials: vec![one] };
    refused(w.run(w.authority, call), codes::TOTAL_WEIGHT_TOO_LARGE);
    assert_eq!(w.record(id).credentials_weight, publica_elections::call::MAX_TOTAL_WEIGHT);
}

#[test]
fn only_the_authority_revokes_a_credential_before_it_votes_and_no_ballot_with_it_is_taken_after() {
    let mut w = World::new();
    let (id, credentials) = open_election(&mut w);
    let uuid = Uuid::parse(&w.record(id).uuid).unwrap();
    let revoke = |c: &PrivateCredential| ElectionsCall::RevokeCredential {
        election: id,
        credential: c.public(&uuid).to_decimal(),
    };
    refused(w.run(w.commissioner, revoke(&credentials[0])), codes::SENDER_NOT_PERMITTED);
    let stranger = PrivateCredential::generate(&mut w.rng);
    refused(w.run(w.authority, revoke(&stranger)), codes::CREDENTIAL_UNKNOWN);
    let long = ElectionsCall::RevokeCredential { election: id, credential: "1".repeat(700) };
    refused(w.run(w.authority, long), codes::CREDENTIAL_INVALID);
    refused(
        w.run(w.authority, ElectionsCall::RevokeCredential { election: 99, credential: "5".into() }),
        codes::ELECTION_NOT_FOUND,
    );

    w.ok(w.authority, revoke(&credentials[0]));
    let public = credentials[0].public(&uuid).to_decimal();
    assert_eq!(schema::revoked_at(&w.state, id, &public), Some(w.height));
    let (_, revoked, keys) = query::credential_with_key(&w.state, id, &public).unwrap();
    assert_eq!((revoked, keys.len()), (Some(w.height), 2));
    let ballot = w.ballot(id, &credentials[0], &[1, 0, 0]);
    refused(w.cast(id, ballot), codes::CREDENTIAL_REVOKED);
    refused(w.run(w.authority, revoke(&credentials[0])), codes::CREDENTIAL_NOT_REVOCABLE);

    // A credential that voted keeps its ballot counted: it cannot be revoked.
    let ballot = w.ballot(id, &credentials[1], &[0, 1, 0]);
    w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot });
    refused(w.run(w.authority, revoke(&credentials[1])), codes::CREDENTIAL_NOT_REVOCABLE);

    // After the vote, nothing is revoked.
    w.time_ms = w.record(id).closes_at_ms;
    w.ok(w.commissioner, ElectionsCall::Close { election: id });
    refused(w.run(w.authority, revoke(&credentials[2])), codes::WRONG_PHASE);
    let record = w.record(id);
    assert_eq!((record.ballots, record.voters), (1, 1));
}
