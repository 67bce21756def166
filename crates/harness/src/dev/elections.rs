//! The demo's elections in the town of Nordvik, set up entirely by ordinary transactions and the election kit
//! (`publica_client::election`), as the people involved would run it on their own machines:
//!
//! - the Nordvik Election Board's election officer creates each election, puts every demo citizen on its roll and
//!   freezes it;
//! - three trustees, officials of three agencies (the board, the district court, the university), run the
//!   threshold key generation (2 of 3); each trustee's key file is written to
//!   `<home>/keys/trustee-<j>-election-<id>.json`, encrypted with the demo passphrase;
//! - the board's credential officer issues one credential per voter, publishes the public ones and seals them, and
//!   writes each citizen's letter, sealed to the citizen's account key, to
//!   `<home>/elections/<id>/letters/<citizen>.json`. The list pairing citizens with credentials stays in memory
//!   and is dropped when seeding ends: it is never written, on the ledger or on disk.
//!
//! The harbour referendum stays open for thirty days, for the user to vote in with citizen Ada's letter (no demo
//! ballot is Ada's). The library's vote closes about two minutes after seeding: a dozen citizens vote in it while
//! seeding (one of them changes their mind), and the user closes it and decrypts it with two trustees' key files.
//!
//! Seeding is resumable: each election is found by its name, and each step is taken only when the ledger shows it
//! is not done.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use publica_client::election::{
    build_ballot, cast_transaction, credential_calls, issue_credentials, open_letter, Choice, CredentialLetter,
    Trustee, TrusteeKey,
};
use publica_client::now_ms;
use publica_elections::call::{ElectionsCall, Question};
use publica_elections::schema::{ElectionRecord, ElectionStatus};
use publica_node::NodeHandle;
use publica_types::{AgencyId, TxId};

use super::{demo_key, DemoSigners, CITIZENS, DEV_PASSPHRASE};
use crate::genesis::demo_kdf;
use crate::node::{submit_waiting, wait_committed};

/// The agency that runs the demo's elections: an electoral commission and a credential authority.
pub const ELECTION_BOARD: &str = "nordvik-election-board";
/// The board's official who creates the elections, draws up their rolls and may close them.
pub const OFFICER: &str = "election-officer";
/// The board's official who issues and publishes the credentials.
pub const CREDENTIAL_OFFICER: &str = "credential-officer";
/// The trustees, in order (trustee 1 first): officials of three agencies.
pub const TRUSTEES: [&str; 3] = ["trustee-board", "trustee-court", "trustee-university"];
/// Partial decryptions needed of the three trustees.
const THRESHOLD: u32 = 2;
/// Thirty days, in milliseconds.
const THIRTY_DAYS_MS: u64 = 30 * 24 * 3_600_000;
/// How long after seeding the library's vote closes.
pub const LIBRARY_OPEN_MS: u64 = 2 * 60_000;

/// A demo election: its name, description and question, and how long it stays open after seeding.
pub struct DemoElection {
    /// Its name, by which seeding finds it again.
    pub name: &'static str,
    /// What it is about.
    pub description: &'static str,
    /// The question.
    pub question: &'static str,
    /// The answers.
    pub answers: &'static [&'static str],
    /// Fewest and most answers.
    pub min_max: (u32, u32),
    /// Whether a blank vote is allowed.
    pub blank: bool,
    /// How long the vote stays open after seeding.
    pub open_ms: u64,
    /// The ballots cast while seeding: a citizen (index in `CITIZENS`) and the answers chosen (from 1), in order;
    /// a citizen named twice changes their mind.
    pub ballots: &'static [(usize, &'static [u32])],
}

/// The demo's elections, in the order they are created (so the first is election 0 on a new network).
pub const ELECTIONS: [DemoElection; 2] = [
    DemoElection {
        name: "Nordvik harbour referendum",
        description: "The town council proposes to rebuild the old harbour's quays and breakwater, financed over \
                      twenty years. Should the harbour be rebuilt as proposed?",
        question: "Should the harbour be rebuilt as the council proposes?",
        answers: &["Yes", "No"],
        min_max: (1, 1),
        blank: true,
        open_ms: THIRTY_DAYS_MS,
        ballots: &[],
    },
    DemoElection {
        name: "Nordvik library opening hours",
        description: "The town library can open longer on one or two of these; which should it be?",
        question: "Which opening hours should the library add?",
        answers: &["Sunday afternoons", "Weekday evenings until 21:00", "Saturday mornings from 8:00"],
        min_max: (1, 2),
        blank: false,
        open_ms: LIBRARY_OPEN_MS,
        ballots: &[
            (1, &[1]),
            (2, &[1, 2]),
            (3, &[2]),
            (4, &[3]),
            (5, &[1]),
            (6, &[2, 3]),
            (7, &[1]),
            (8, &[2]),
            (9, &[1, 3]),
            (10, &[1]),
            (11, &[2]),
            (12, &[3]),
            // Citizen 3 changes their mind: this ballot replaces their first.
            (3, &[1, 2]),
        ],
    },
];

impl DemoElection {
    fn questions(&self) -> Vec<Question> {
        vec![Question {
            question: self.question.to_owned(),
            answers: self.answers.iter().map(|a| (*a).to_owned()).collect(),
            min: self.min_max.0,
            max: self.min_max.1,
            blank: self.blank,
        }]
    }
}

/// The path of trustee `j`'s key file for election `id`.
pub fn trustee_key_path(home: &Path, j: u32, id: u64) -> PathBuf {
    home.join("keys").join(format!("trustee-{j}-election-{id}.json"))
}

/// The directory of election `id`'s credential letters.
pub fn letters_dir(home: &Path, id: u64) -> PathBuf {
    home.join("elections").join(id.to_string()).join("letters")
}

/// The demo elections' numbers on the ledger, in the order of [`ELECTIONS`], where they exist.
pub fn demo_ids(view: &dyn publica_types::StateRead) -> Vec<Option<u64>> {
    let count = publica_elections::schema::election_count(view);
    let (records, _) = publica_elections::query::elections(view, 0, count as usize);
    ELECTIONS.iter().map(|e| records.iter().find(|r| r.name == e.name).map(|r| r.id)).collect()
}

/// Set up what is not there yet of the demo's elections. Returns how many transactions it committed; nothing when
/// the network's genesis has no election board (a home made before the demo had elections).
pub(super) fn seed(node: &NodeHandle, home: &Path, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    if publica_accounts::agency(&view, &ELECTION_BOARD.parse::<AgencyId>()?).is_none() {
        return Ok(0);
    }
    let wait = |ids: &[TxId]| wait_committed(node, ids, Duration::from_secs(120));
    let record = |id: u64| -> Result<ElectionRecord> {
        publica_elections::schema::election(&node.live_state(), id).context("a demo election disappeared")
    };
    let mut committed = 0;

    // The elections themselves.
    let now = now_ms();
    let mut ids = Vec::new();
    for (election, found) in ELECTIONS.iter().zip(demo_ids(&view)) {
        if found.is_none() {
            let call = ElectionsCall::CreateElection {
                name: election.name.to_owned(),
                description: election.description.to_owned(),
                questions: election.questions(),
                opens_at_ms: now,
                closes_at_ms: now + election.open_ms,
                trustees: TRUSTEES.iter().map(|t| demo_key(t).address()).collect(),
                threshold: THRESHOLD,
                credential_authority: demo_key(CREDENTIAL_OFFICER).address(),
            };
            ids.push(signers.send(OFFICER, call)?);
        }
    }
    wait(&ids)?;
    committed += ids.len();
    let elections: Vec<u64> = demo_ids(&node.live_state())
        .into_iter()
        .map(|id| id.context("a demo election was created but is not found by its name"))
        .collect::<Result<_>>()?;

    // The roll (every demo citizen) and the trustees' certificates, in the same blocks.
    let voters: Vec<_> = CITIZENS.iter().map(|(name, _)| demo_key(name).address()).collect();
    let mut trustees: BTreeMap<(u64, u32), Trustee> = BTreeMap::new();
    let mut ids = Vec::new();
    for &id in &elections {
        let r = record(id)?;
        if r.roll_frozen_at_height.is_none() {
            if r.roll_count == 0 {
                ids.push(signers.send(OFFICER, ElectionsCall::AddVoters { election: id, voters: voters.clone() })?);
            }
            ids.push(signers.send(OFFICER, ElectionsCall::FreezeRoll { election: id })?);
        }
        if r.status == (ElectionStatus::KeyGeneration { step: 1 }) {
            ids.extend(trustee_step(node, home, signers, &mut trustees, &r, 1)?);
        }
    }
    wait(&ids)?;
    committed += ids.len();
    for step in [3, 5] {
        let mut ids = Vec::new();
        for &id in &elections {
            let r = record(id)?;
            if r.status == (ElectionStatus::KeyGeneration { step }) {
                ids.extend(trustee_step(node, home, signers, &mut trustees, &r, step)?);
            }
        }
        wait(&ids)?;
        committed += ids.len();
    }

    // The credentials and their letters.
    let mut ids = Vec::new();
    for &id in &elections {
        let r = record(id)?;
        if r.status != ElectionStatus::Credentials || r.credentials_count > 0 {
            continue;
        }
        let dir = letters_dir(home, id);
        // Letters of credentials that were never published (an interrupted seeding) are worthless.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        let roll: Vec<_> = voters.iter().map(|v| (*v, 1)).collect();
        let issued = issue_credentials(&r.uuid, &roll)?;
        let authority = demo_key(CREDENTIAL_OFFICER).address();
        for ((name, _), credential) in CITIZENS.iter().zip(&issued) {
            let letter = CredentialLetter::new(
                node.chain_id(),
                id,
                &r.uuid,
                authority,
                credential,
                demo_key(name).public_key(),
            )?;
            letter.save(&dir.join(format!("{name}.json")))?;
        }
        for call in credential_calls(id, &issued) {
            ids.push(signers.send(CREDENTIAL_OFFICER, call)?);
        }
    }
    wait(&ids)?;
    committed += ids.len();

    // The demo ballots, each citizen's first ballot before anyone's second.
    for (election, &id) in ELECTIONS.iter().zip(&elections) {
        let r = record(id)?;
        if election.ballots.is_empty() || r.status != ElectionStatus::Voting || r.ballots > 0 {
            continue;
        }
        if now_ms() + 10_000 >= r.closes_at_ms {
            // The vote closes too soon for the ballots to be in (a seeding resumed late): the election stays
            // without demo ballots rather than seeding failing.
            continue;
        }
        let object = publica_elections::schema::object(&node.live_state(), id, &r.election_hash.context("made")?)
            .context("the election object is stored")?;
        // Round k holds each citizen's (k+1)-th ballot; a round is sent once the one before is committed, so that
        // a changed mind is the ballot that counts.
        let mut rounds: Vec<Vec<(usize, &[u32])>> = Vec::new();
        let mut cast: BTreeMap<usize, usize> = BTreeMap::new();
        for &(citizen, answers) in election.ballots {
            let k = cast.entry(citizen).or_default();
            if rounds.len() <= *k {
                rounds.push(Vec::new());
            }
            rounds[*k].push((citizen, answers));
            *k += 1;
        }
        for round in rounds {
            let mut ids = Vec::new();
            for (citizen, answers) in round {
                let (name, _) = CITIZENS[citizen];
                let letter = CredentialLetter::load(&letters_dir(home, id).join(format!("{name}.json")))?;
                let credential = open_letter(&demo_key(name), &letter)?;
                let ballot = build_ballot(&object, &credential, &[Choice::Answers(answers.to_vec())])?;
                let tx = cast_transaction(node.chain_id().clone(), now_ms() + 600_000, id, &ballot);
                ids.push(submit_waiting(node, &tx)?);
            }
            wait(&ids)?;
            committed += ids.len();
        }
    }
    Ok(committed)
}

/// Each trustee of `r` takes `step` (1, 3 or 5) when its message of that step is not on the ledger yet: its key
/// file is made (step 1) or opened, the message made and the key file saved, then the message sent.
fn trustee_step(
    node: &NodeHandle,
    home: &Path,
    signers: &mut DemoSigners<'_>,
    trustees: &mut BTreeMap<(u64, u32), Trustee>,
    r: &ElectionRecord,
    step: u8,
) -> Result<Vec<TxId>> {
    let view = node.live_state();
    let n = r.trustees.len() as u32;
    let certificates: Vec<Vec<u8>> = if step > 1 {
        (1..=n)
            .map(|k| publica_elections::query::trustee_message(&view, r.id, 1, k).context("every certificate is in"))
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let mut ids = Vec::new();
    for (j, name) in (1..=n).zip(TRUSTEES) {
        if publica_elections::query::trustee_message(&view, r.id, step, j).is_some() {
            continue;
        }
        let path = trustee_key_path(home, j, r.id);
        let trustee = match trustees.entry((r.id, j)) {
            std::collections::btree_map::Entry::Occupied(t) => t.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => {
                let opened = if path.exists() {
                    Trustee::open(&TrusteeKey::load(&path)?, DEV_PASSPHRASE.as_bytes())?
                } else if step == 1 {
                    let account = demo_key(name).address();
                    Trustee::generate(r.id, &r.uuid, j, account, DEV_PASSPHRASE.as_bytes(), demo_kdf())?
                } else {
                    bail!(
                        "trustee {j}'s key file of election {} ({}) is missing; start the demo again with --reset",
                        r.id,
                        path.display()
                    );
                };
                slot.insert(opened)
            }
        };
        let message = match step {
            1 => trustee.certificate(),
            3 => trustee.polynomial(&certificates, r.threshold)?,
            _ => {
                let input = publica_elections::query::trustee_input(&view, r.id, j)
                    .context("every polynomial is in before step 5")?;
                trustee.verification_key(&certificates, &input)?
            }
        };
        trustee.key_file()?.save(&path)?;
        ids.push(signers.send(name, ElectionsCall::TrusteeMessage { election: r.id, step, message })?);
    }
    Ok(ids)
}

/// The demo elections' records, in the order of [`ELECTIONS`], where they exist.
pub fn demo_records(view: &dyn publica_types::StateRead) -> Vec<Option<ElectionRecord>> {
    demo_ids(view).into_iter().map(|id| id.and_then(|id| publica_elections::schema::election(view, id))).collect()
}

/// The guide's lines on the elections: what they are, where they stand and the commands to try.
pub(super) fn print_guide(home: &Path, keys: &Path, api: std::net::SocketAddr, records: &[Option<ElectionRecord>]) {
    let [Some(harbour), Some(library)] = records else { return };
    let (h, l) = (harbour.id, library.id);
    let pass = format!("--passphrase-file {}/dev-passphrase --api http://{api}", home.display());
    println!();
    println!("Elections (Belenios; 3 trustees, 2 of whom decrypt; each trustee's key file is");
    println!(
        "{}/trustee-<j>-election-<id>.json, each citizen's credential letter {}/elections/<id>/letters/):",
        keys.display(),
        home.display()
    );
    println!("  election {h}, {}: {}", harbour.name, phase(harbour));
    println!("  publica election show {h} --api http://{api}");
    println!(
        "  publica vote --election {h} --letter {} --key {}/citizen-ada.json --choice 1 \\",
        letters_dir(home, h).join("citizen-ada.json").display(),
        keys.display()
    );
    println!("      {pass}");
    println!("  election {l}, {}: {}", library.name, phase(library));
    if matches!(library.status, ElectionStatus::Voting | ElectionStatus::Tallying) {
        println!("  publica election close {l} --wait --key {}/{OFFICER}.json {pass}", keys.display());
        for (j, trustee) in [(1, TRUSTEES[0]), (3, TRUSTEES[2])] {
            println!(
                "  publica election trustee decrypt {l} --key {}/{trustee}.json --trustee-key {} \\",
                keys.display(),
                trustee_key_path(home, j, l).display()
            );
            println!("      {pass}");
        }
    }
    println!("  publica election archive {l} --dir archive --api http://{api}");
    println!("  belenios-tool election verify --dir archive");
}

/// Where an election stands, for the guide.
fn phase(r: &ElectionRecord) -> String {
    let closes = r.closes_at_ms.saturating_sub(now_ms());
    match r.status {
        ElectionStatus::Voting if closes > 0 => format!(
            "{} ballots from {} of {} voters; the vote closes in {}",
            r.ballots,
            r.voters,
            r.roll_count,
            if closes > 2 * 86_400_000 {
                format!("{} days", closes.div_ceil(86_400_000))
            } else {
                format!("{} s, then close it and decrypt it with two trustees", closes.div_ceil(1000))
            }
        ),
        ElectionStatus::Voting => {
            format!(
                "{} ballots from {} voters; the vote is over: close it, then two trustees decrypt it",
                r.ballots, r.voters
            )
        }
        ElectionStatus::Tallying => format!("closed, decrypted by trustees {:?} so far", r.decrypted_by),
        ElectionStatus::Decided => "decided: the result is on the board".to_owned(),
        _ => "being set up".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::dev::OFFICIALS;
    use crate::genesis::demo_roles;

    #[test]
    fn the_demo_elections_ballots_are_valid_and_none_is_citizen_adas() {
        for election in &ELECTIONS {
            let (min, max) = election.min_max;
            assert!(1 <= max && min <= max && max as usize <= election.answers.len(), "{}", election.name);
            for &(citizen, answers) in election.ballots {
                assert!(citizen > 0 && citizen < CITIZENS.len(), "{}: citizen {citizen}", election.name);
                assert_ne!(CITIZENS[citizen].0, "citizen-ada");
                let chosen: BTreeSet<u32> = answers.iter().copied().collect();
                assert_eq!(chosen.len(), answers.len());
                assert!((min..=max).contains(&(answers.len() as u32)));
                assert!(answers.iter().all(|&a| a >= 1 && a as usize <= election.answers.len()));
            }
        }
        let library = &ELECTIONS[1];
        let voters: BTreeSet<usize> = library.ballots.iter().map(|(c, _)| *c).collect();
        assert_eq!((voters.len(), library.ballots.len()), (12, 13), "a dozen voters, one of whom votes again");
        assert!(ELECTIONS[0].ballots.is_empty() && ELECTIONS[0].open_ms >= THIRTY_DAYS_MS);
        assert!(CITIZENS.len() >= 24, "a few dozen voters");
    }

    #[test]
    fn every_demo_official_holds_roles_its_agency_grants_and_the_trustees_are_of_three_agencies() {
        for (name, agency, roles) in OFFICIALS {
            let granted = demo_roles(agency).unwrap_or_else(|| panic!("{name}'s agency {agency} is not founded"));
            // The finance office may grant the contracts' roles after the demo's vote.
            let voted: &[&str] =
                if *agency == crate::dev::contracts::AGENCY { &crate::dev::contracts::VOTED_ROLES } else { &[] };
            for role in *roles {
                let grants = granted.iter().any(|g| g.as_str() == *role) || voted.contains(role);
                assert!(grants, "{agency} does not grant {role} to {name}");
            }
        }
        let agency_of = |name: &str| OFFICIALS.iter().find(|(n, _, _)| *n == name).map(|(_, a, _)| *a).unwrap();
        let agencies: BTreeSet<&str> = TRUSTEES.iter().map(|t| agency_of(t)).collect();
        assert_eq!(agencies.len(), 3);
        assert_eq!(agency_of(OFFICER), ELECTION_BOARD);
        assert_eq!(agency_of(CREDENTIAL_OFFICER), ELECTION_BOARD);
    }
}
