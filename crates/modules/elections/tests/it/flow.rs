//! A whole election through the module, and its archive checked by this crate's reader and by belenios-tool.

use super::*;
use publica_belenios::archive::{self, ArchiveLimits, EventType};
use publica_belenios::tally::parse_result;
use publica_elections::schema::ElectionStatus;

/// An election of five voters (one weighted 3), trustees 2 of 3: set up, voted (with a revote), closed,
/// decrypted by trustees 1 and 3, decided; returns its number.
fn decided_election(w: &mut World) -> u64 {
    let id = w.create(2);
    assert_eq!(w.record(id).status, ElectionStatus::KeyGeneration { step: 1 });
    w.generate_key(id, 2);
    assert_eq!(w.record(id).status, ElectionStatus::Credentials);
    w.roll(id, 5);
    let credentials = w.credentials(id, &[1, 1, 1, 3, 1]);
    assert_eq!(w.record(id).status, ElectionStatus::Voting);

    // Yes, Yes, No, then the weighted voter chooses "smaller", changes to "Yes"; the last voter votes for
    // nothing (min 0).
    let choices: [&[u32]; 6] = [&[1, 0, 0], &[1, 0, 0], &[0, 1, 0], &[0, 0, 1], &[1, 0, 0], &[0, 0, 0]];
    let voters = [0, 1, 2, 3, 3, 4];
    for (choice, voter) in choices.iter().zip(voters) {
        let ballot = w.ballot(id, &credentials[voter], choice);
        w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot });
    }
    let record = w.record(id);
    assert_eq!((record.ballots, record.voters, record.voted_weight), (6, 5, 7));

    w.time_ms = T0 + 10 * HOUR_MS;
    w.ok(w.trustees[1], ElectionsCall::Close { election: id });
    assert_eq!(w.record(id).status, ElectionStatus::Tallying);
    let certs = w.stored_certificates(id);
    for j in [1, 3] {
        let decryption = w.decryption(id, j, &certs);
        w.ok(w.trustees[j - 1], ElectionsCall::PartialDecryption { election: id, decryption });
    }
    id
}

#[test]
fn an_election_runs_from_key_generation_to_result_and_the_last_ballot_counts() {
    let mut w = World::new();
    let id = decided_election(&mut w);
    let record = w.record(id);
    assert_eq!(record.status, ElectionStatus::Decided);
    assert_eq!(record.decrypted_by, vec![1, 3]);
    let result = schema::object(&w.state, id, &record.result_hash.unwrap()).unwrap();
    // Yes: 1 + 1 + 3 (the weighted voter's second ballot), No: 1, smaller: 0 (replaced).
    assert_eq!(parse_result(&result).unwrap(), vec![vec![5, 1, 0]]);
    assert_eq!(String::from_utf8(result).unwrap(), r#"{"result":[[5,1,0]]}"#);
    // Setup, six ballots, EndBallots, EncryptedTally, two partial decryptions, Result.
    assert_eq!(record.events, 12);
}

#[test]
fn the_archive_is_the_board_event_by_event_and_ends_at_the_certified_head() {
    let mut w = World::new();
    let id = decided_election(&mut w);
    let record = w.record(id);
    let bytes = query::archive(&w.state, id).expect("an archive once set up");
    let read = archive::read(&bytes, &ArchiveLimits::default()).expect("our own reader accepts it");
    assert_eq!(read.head(), record.head, "the archive ends at the head the ledger keeps");
    assert_eq!(read.timestamp, record.created_at_ms / 1000);
    let types: Vec<EventType> = read.events.iter().map(|e| e.body.event_type()).collect();
    assert_eq!(types[0], EventType::Setup);
    assert_eq!(types.iter().filter(|t| **t == EventType::Ballot).count(), 6);
    assert_eq!(
        &types[7..],
        &[
            EventType::EndBallots,
            EventType::EncryptedTally,
            EventType::PartialDecryption,
            EventType::PartialDecryption,
            EventType::Result
        ]
    );
    // The reads an observer starts from: the list of elections, the record with its key, a credential's ballots.
    let (listed, count) = query::elections(&w.state, 0, 10);
    assert_eq!((listed.len(), count), (1, 1));
    let (found, keys) = query::election_with_key(&w.state, id).unwrap();
    assert_eq!((found, keys), (record.clone(), vec![schema::election_key(id)]));
    let first_ballot = &read.events[1];
    let (entry, _) =
        query::ballot(&w.state, id, &publica_types::sha256(first_ballot.payload.as_ref().unwrap())).unwrap();
    let credential = query::credential(&w.state, id, &entry.credential).unwrap();
    assert_eq!((credential.ballots, credential.weight), (1, 1));
    assert!(query::credential(&w.state, id, "12345").is_none());
    // Every ballot's receipt points at its event.
    for event in read.events.iter().filter(|e| e.body.event_type() == EventType::Ballot) {
        let payload = event.payload.as_ref().unwrap();
        let (entry, keys) = query::ballot(&w.state, id, &publica_types::sha256(payload)).unwrap();
        assert_eq!(entry.event_height, event.height);
        assert_eq!(keys.len(), 3);
    }
}

/// Write the election's archive where belenios-tool looks for it and have `belenios-tool election verify` check
/// it; fails, saying why, when the tool is missing or refuses the archive.
fn belenios_tool_verifies(w: &World, id: u64) {
    let bytes = query::archive(&w.state, id).unwrap();
    let record = w.record(id);
    let dir = std::env::temp_dir().join(format!("publica-elections-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{}.bel", record.uuid)), &bytes).unwrap();
    let output = std::process::Command::new("belenios-tool")
        .args(["election", "verify", "--dir"])
        .arg(&dir)
        .env("BELENIOS_USE_URANDOM", "1")
        .output();
    std::fs::remove_dir_all(&dir).ok();
    let output = output.expect(
        "belenios-tool is not installed: the README's test command installs it (Debian package belenios-tool); \
         without it the archive cannot be checked by an independent verifier",
    );
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "belenios-tool refused the archive: {said}");
    assert!(said.contains("all checks passed"), "belenios-tool said: {said}");
}

#[test]
fn belenios_tool_verifies_the_archive() {
    let mut w = World::new();
    let id = decided_election(&mut w);
    belenios_tool_verifies(&w, id);
}

#[test]
fn a_generated_election_of_a_thousand_ballots_is_decided_and_belenios_tool_verifies_its_archive() {
    const VOTERS: usize = 1_000;
    let mut w = World::with_citizens(VOTERS);
    let id = w.create(2);
    w.generate_key(id, 2);
    w.roll(id, VOTERS);
    let credentials = w.credentials(id, &[1; VOTERS]);
    // Voter i chooses answer i mod 3 (the last 100 vote for nothing); ballots are built on two threads, each with
    // its own generator, as voters' machines would.
    let choice = |i: usize| -> Vec<u32> {
        let mut choice = vec![0; 3];
        if i < VOTERS - 100 {
            choice[i % 3] = 1;
        }
        choice
    };
    let election = w.election(id);
    let ballots: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let halves: Vec<_> = credentials
            .chunks(VOTERS / 2)
            .enumerate()
            .map(|(half, chunk)| {
                let election = &election;
                scope.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(100 + half as u64);
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(k, credential)| {
                            let i = half * (VOTERS / 2) + k;
                            build_ballot(election, credential, &[choice(i)], &mut rng).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for ballot in ballots {
        w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot });
    }
    w.time_ms = T0 + 10 * HOUR_MS;
    w.ok(w.commissioner, ElectionsCall::Close { election: id });
    let certs = w.stored_certificates(id);
    for j in [2, 3] {
        let decryption = w.decryption(id, j, &certs);
        w.ok(w.trustees[j - 1], ElectionsCall::PartialDecryption { election: id, decryption });
    }
    let record = w.record(id);
    assert_eq!((record.status, record.ballots, record.voters), (ElectionStatus::Decided, 1_000, 1_000));
    let result = schema::object(&w.state, id, &record.result_hash.unwrap()).unwrap();
    assert_eq!(parse_result(&result).unwrap(), vec![vec![300, 300, 300]]);
    belenios_tool_verifies(&w, id);
}
