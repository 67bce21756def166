//! Execution of the elections module's calls. Each call checks the sender's authority first, then where the election
//! stands, then its arguments, cheap checks before expensive ones (a ballot's credential is looked up before any
//! of its proofs is checked), and writes only once every check passed: a refusal writes nothing.

use std::collections::BTreeSet;

use publica_accounts::{AccountKind, AccountRecord};
use publica_types::{sha256, Address, CallContext, Hash, StateRead, StateWrite, TxError, TxOutcome};

use crate::board::{self, EventType};
use crate::call::*;
use crate::error::{self, refuse};
use crate::schema::*;

/// The role of an electoral commission's officials: they create elections, draw up rolls and close votes.
pub const COMMISSION_ROLE: &str = "electoral-commission";
/// The role of the official who publishes an election's public credentials.
pub const CREDENTIAL_AUTHORITY_ROLE: &str = "credential-authority";
/// Most ballots cast with one credential (the last one counts): enough for a voter who changes their mind, not
/// enough to make the board a place to store things.
pub const MAX_BALLOTS_PER_CREDENTIAL: u32 = 16;

/// Execute an elections call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &ElectionsCall) -> Result<TxOutcome, TxError> {
    match call {
        ElectionsCall::CreateElection {
            name,
            description,
            questions,
            opens_at_ms,
            closes_at_ms,
            trustees,
            threshold,
            credential_authority,
        } => {
            let spec = NewElection {
                name,
                description,
                questions,
                window: (*opens_at_ms, *closes_at_ms),
                trustees,
                threshold: *threshold,
                credential_authority,
            };
            let id = create_election(state, ctx, spec)?;
            Ok(TxOutcome::Election { id })
        }
        ElectionsCall::TrusteeMessage { election, step, message } => {
            trustee_message(state, ctx, *election, *step, message)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::AddVoters { election, voters } => {
            add_voters(state, ctx, *election, voters)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::FreezeRoll { election } => {
            freeze_roll(state, ctx, *election)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::PublishCredentials { election, credentials } => {
            publish_credentials(state, ctx, *election, credentials)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::SealCredentials { election } => {
            seal_credentials(state, ctx, *election)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::Cast { election, ballot } => {
            cast(state, ctx, *election, ballot)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::Close { election } => {
            close(state, ctx, *election)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::PartialDecryption { election, decryption } => {
            partial_decryption(state, ctx, *election, decryption)?;
            Ok(TxOutcome::None)
        }
        ElectionsCall::RevokeCredential { election, credential } => {
            revoke_credential(state, ctx, *election, credential)?;
            Ok(TxOutcome::None)
        }
    }
}

struct NewElection<'a> {
    name: &'a str,
    description: &'a str,
    questions: &'a [Question],
    window: (u64, u64),
    trustees: &'a [Address],
    threshold: u32,
    credential_authority: &'a Address,
}

fn create_election(state: &mut dyn StateWrite, ctx: &CallContext, spec: NewElection) -> Result<u64, TxError> {
    let commissioner = publica_accounts::require_role(state, &ctx.sender, COMMISSION_ROLE)?;
    let agency = commissioner.agency().expect("an account holding a role is an official").clone();
    check_text("the name", spec.name, MAX_NAME_BYTES, false)?;
    check_text("the description", spec.description, MAX_DESCRIPTION_BYTES, true)?;
    check_questions(spec.questions)?;
    let (opens_at_ms, closes_at_ms) = spec.window;
    if opens_at_ms >= closes_at_ms || closes_at_ms <= ctx.time_ms {
        return Err(refuse(
            error::WINDOW_INVALID,
            format!(
                "the vote must open before it closes and close after now ({} ms); it opens at {opens_at_ms} and \
                 closes at {closes_at_ms}",
                ctx.time_ms
            ),
        ));
    }
    check_trustees(state, spec.trustees, spec.threshold)?;
    publica_accounts::require_role(state, spec.credential_authority, CREDENTIAL_AUTHORITY_ROLE).map_err(|e| {
        refuse(
            error::CREDENTIAL_AUTHORITY_INVALID,
            format!(
                "the credential authority must be an active official holding {CREDENTIAL_AUTHORITY_ROLE}: {}",
                e.message
            ),
        )
    })?;

    let id = election_count(state);
    state.put(NEXT_ELECTION_KEY.to_vec(), (id + 1).to_le_bytes().to_vec());
    let record = ElectionRecord {
        id,
        uuid: board::uuid_for(&ctx.tx_id.0),
        agency,
        created_by: ctx.sender,
        created_at_height: ctx.height,
        created_at_ms: ctx.time_ms,
        name: spec.name.to_owned(),
        description: spec.description.to_owned(),
        questions: spec.questions.to_vec(),
        opens_at_ms,
        closes_at_ms,
        trustees: spec.trustees.to_vec(),
        threshold: spec.threshold,
        credential_authority: *spec.credential_authority,
        status: ElectionStatus::KeyGeneration { step: 1 },
        roll_count: 0,
        roll_hash: [0; 32],
        roll_frozen_at_height: None,
        credentials_count: 0,
        credentials_weight: 0,
        credential_batches: 0,
        public_key: None,
        election_hash: None,
        trustees_hash: None,
        credentials_hash: None,
        events: 0,
        head: None,
        ballots: 0,
        voters: 0,
        voted_weight: 0,
        tally_hash: None,
        decrypted_by: Vec::new(),
        result_hash: None,
    };
    write(state, election_key(id), &record);
    Ok(id)
}

fn check_text(what: &str, text: &str, max: usize, may_be_empty: bool) -> Result<(), TxError> {
    if (!may_be_empty && text.trim().is_empty()) || text.len() > max {
        return Err(refuse(
            error::TEXT_INVALID,
            format!(
                "{what} must be {}at most {max} bytes; it has {}",
                if may_be_empty { "" } else { "non-empty and " },
                text.len()
            ),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(refuse(error::TEXT_INVALID, format!("{what} contains a control character")));
    }
    Ok(())
}

fn check_questions(questions: &[Question]) -> Result<(), TxError> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(refuse(
            error::QUESTIONS_INVALID,
            format!("an election has 1 to {MAX_QUESTIONS} questions; this one has {}", questions.len()),
        ));
    }
    for (i, q) in questions.iter().enumerate() {
        check_text(&format!("question {}", i + 1), &q.question, MAX_QUESTION_BYTES, false)?;
        if q.answers.is_empty() || q.answers.len() > MAX_ANSWERS {
            return Err(refuse(
                error::QUESTIONS_INVALID,
                format!("question {} must have 1 to {MAX_ANSWERS} answers; it has {}", i + 1, q.answers.len()),
            ));
        }
        for (k, a) in q.answers.iter().enumerate() {
            check_text(&format!("answer {} of question {}", k + 1, i + 1), a, MAX_ANSWER_BYTES, false)?;
        }
        if q.max == 0 || q.min > q.max || q.max as usize > q.answers.len() {
            return Err(refuse(
                error::QUESTION_BOUNDS_INVALID,
                format!(
                    "question {} must have 0 <= min <= max <= {} answers and max >= 1; it has min {} and max {}",
                    i + 1,
                    q.answers.len(),
                    q.min,
                    q.max
                ),
            ));
        }
    }
    Ok(())
}

fn check_trustees(state: &dyn StateRead, trustees: &[Address], threshold: u32) -> Result<(), TxError> {
    if trustees.is_empty() || trustees.len() > MAX_TRUSTEES {
        return Err(refuse(
            error::TRUSTEES_INVALID,
            format!("an election has 1 to {MAX_TRUSTEES} trustees; this one has {}", trustees.len()),
        ));
    }
    if threshold == 0 || threshold as usize > trustees.len() {
        return Err(refuse(
            error::TRUSTEES_INVALID,
            format!("the threshold must be 1 to the number of trustees ({}); it is {threshold}", trustees.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for trustee in trustees {
        if !seen.insert(trustee) {
            return Err(refuse(error::TRUSTEES_INVALID, format!("trustee {trustee} is named twice")));
        }
        if !publica_accounts::account(state, trustee).is_some_and(|a| a.active) {
            return Err(refuse(error::TRUSTEES_INVALID, format!("trustee {trustee} is not an active account")));
        }
    }
    Ok(())
}

/// The election, or `election_not_found`.
fn load(state: &dyn StateRead, id: u64) -> Result<ElectionRecord, TxError> {
    election(state, id).ok_or_else(|| {
        refuse(error::ELECTION_NOT_FOUND, format!("no election has number {id}; list them with GET /v1/elections"))
    })
}

/// The sender must be an active official holding the commission role in the election's agency.
fn require_commission(state: &dyn StateRead, sender: &Address, record: &ElectionRecord) -> Result<(), TxError> {
    let account = publica_accounts::require_role(state, sender, COMMISSION_ROLE)?;
    if account.agency() != Some(&record.agency) {
        return Err(refuse(
            error::SENDER_NOT_PERMITTED,
            format!(
                "election {} belongs to the commission of agency {}; the sender is not of it",
                record.id, record.agency
            ),
        ));
    }
    Ok(())
}

/// The sender's number among the election's trustees (from 1), or `not_permitted`.
fn trustee_number(record: &ElectionRecord, sender: &Address) -> Result<u32, TxError> {
    record.trustees.iter().position(|t| t == sender).map(|i| i as u32 + 1).ok_or_else(|| {
        refuse(error::SENDER_NOT_PERMITTED, format!("{sender} is not a trustee of election {}", record.id))
    })
}

fn wrong_phase(record: &ElectionRecord, what: &str) -> TxError {
    refuse(
        error::WRONG_PHASE,
        format!("election {} is at {:?}, where {what} is not possible", record.id, record.status),
    )
}

fn trustee_message(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    step: u8,
    message: &[u8],
) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    let j = trustee_number(&record, &ctx.sender)?;
    let ElectionStatus::KeyGeneration { step: expected } = record.status else {
        return Err(wrong_phase(&record, "a key-generation message"));
    };
    if step != expected {
        return Err(refuse(
            error::TRUSTEE_STEP_INVALID,
            format!("the trustees of election {id} are at step {expected}; this message is for step {step}"),
        ));
    }
    if state.get(&trustee_message_key(id, step, j)).is_some() {
        return Err(refuse(
            error::TRUSTEE_MESSAGE_DUPLICATE,
            format!("trustee {j} already sent its step {step} message"),
        ));
    }
    if message.len() > MAX_TRUSTEE_MESSAGE_BYTES {
        return Err(refuse(
            error::TRUSTEE_MESSAGE_INVALID,
            format!("a trustee message has at most {MAX_TRUSTEE_MESSAGE_BYTES} bytes; this one has {}", message.len()),
        ));
    }
    let n = record.trustees.len() as u32;
    let invalid =
        |e: board::BoardError| refuse(error::TRUSTEE_MESSAGE_INVALID, format!("trustee {j}, step {step}: {e}"));
    match step {
        1 => board::check_certificate(message, j).map_err(invalid)?,
        3 => {
            let certificates = trustee_messages(state, id, 1, n);
            board::check_polynomial(message, &certificates, j, record.threshold).map_err(invalid)?
        }
        5 => {
            let certificates = trustee_messages(state, id, 1, n);
            let polynomials = trustee_messages(state, id, 3, n);
            board::check_verification_key(message, j, &certificates, &polynomials).map_err(invalid)?
        }
        _ => unreachable!("the status only names steps 1, 3 and 5"),
    }
    // Everything is decided before anything is written, so that a refusal writes nothing.
    let complete = (1..=n).all(|k| k == j || state.get(&trustee_message_key(id, step, k)).is_some());
    let mut objects = None;
    if complete {
        record.status = match step {
            1 => ElectionStatus::KeyGeneration { step: 3 },
            3 => ElectionStatus::KeyGeneration { step: 5 },
            _ => {
                let certificates = trustee_messages(state, id, 1, n);
                let polynomials = trustee_messages(state, id, 3, n);
                let mut keys: Vec<Vec<u8>> =
                    (1..=n).map(|k| state.get(&trustee_message_key(id, 5, k)).unwrap_or_default()).collect();
                keys[j as usize - 1] = message.to_vec();
                // Each message was checked when it arrived, so this holds; should it not, the last message is
                // refused and the trustees can tell what is wrong, rather than a validator stopping.
                let trustees =
                    board::trustees_object(&certificates, &polynomials, &keys, record.threshold).map_err(|e| {
                        refuse(error::BOARD_INCONSISTENT, format!("the trustees' messages make no key: {e}"))
                    })?;
                let election = board::election_object(&record, &trustees.public_key);
                record.public_key = Some(trustees.public_key.clone());
                objects = Some((trustees.bytes, election));
                ElectionStatus::Credentials
            }
        };
    }
    state.put(trustee_message_key(id, step, j), message.to_vec());
    if let Some((trustees, election)) = objects {
        record.trustees_hash = Some(put_object(state, id, &trustees));
        record.election_hash = Some(put_object(state, id, &election));
    }
    write(state, election_key(id), &record);
    Ok(())
}

/// The messages of step `step` of trustees 1 to `n`, all present.
fn trustee_messages(state: &dyn StateRead, id: u64, step: u8, n: u32) -> Vec<Vec<u8>> {
    (1..=n)
        .map(|k| state.get(&trustee_message_key(id, step, k)).expect("every trustee's message of a completed step"))
        .collect()
}

fn add_voters(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, voters: &[Address]) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    require_commission(state, &ctx.sender, &record)?;
    if record.roll_frozen_at_height.is_some() {
        return Err(refuse(error::ROLL_FROZEN, format!("the roll of election {id} is frozen")));
    }
    if voters.is_empty() || voters.len() > MAX_VOTERS_PER_CALL {
        return Err(refuse(
            error::VOTERS_TOO_MANY,
            format!("one call adds 1 to {MAX_VOTERS_PER_CALL} voters; this one has {}", voters.len()),
        ));
    }
    if record.roll_count + voters.len() as u64 > MAX_VOTERS {
        return Err(refuse(error::VOTERS_TOO_MANY, format!("a roll has at most {MAX_VOTERS} voters")));
    }
    let mut seen = BTreeSet::new();
    for voter in voters {
        if !seen.insert(voter) || state.get(&roll_key(id, voter)).is_some() {
            return Err(refuse(error::VOTER_DUPLICATE, format!("{voter} is already on the roll of election {id}")));
        }
        let citizen = publica_accounts::account(state, voter)
            .is_some_and(|a: AccountRecord| a.active && matches!(a.kind, AccountKind::Citizen { .. }));
        if !citizen {
            return Err(refuse(error::VOTER_NOT_A_CITIZEN, format!("{voter} is not an active citizen's account")));
        }
    }
    for voter in voters {
        state.put(roll_key(id, voter), vec![1]);
        record.roll_hash = sha256(&[record.roll_hash.as_slice(), &voter.0].concat());
    }
    record.roll_count += voters.len() as u64;
    write(state, election_key(id), &record);
    Ok(())
}

fn freeze_roll(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    require_commission(state, &ctx.sender, &record)?;
    if record.roll_frozen_at_height.is_some() {
        return Err(refuse(error::ROLL_FROZEN, format!("the roll of election {id} is already frozen")));
    }
    if record.roll_count == 0 {
        return Err(refuse(error::VOTERS_TOO_MANY, "an empty roll cannot be frozen; add voters first"));
    }
    record.roll_frozen_at_height = Some(ctx.height);
    write(state, election_key(id), &record);
    Ok(())
}

fn require_credential_authority(
    state: &dyn StateRead,
    sender: &Address,
    record: &ElectionRecord,
) -> Result<(), TxError> {
    if *sender != record.credential_authority {
        return Err(refuse(
            error::SENDER_NOT_PERMITTED,
            format!(
                "only election {}'s credential authority, {}, publishes and revokes its credentials",
                record.id, record.credential_authority
            ),
        ));
    }
    publica_accounts::require_role(state, sender, CREDENTIAL_AUTHORITY_ROLE).map(|_| ())
}

fn publish_credentials(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    credentials: &[PublishedCredential],
) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    require_credential_authority(state, &ctx.sender, &record)?;
    if !matches!(record.status, ElectionStatus::KeyGeneration { .. } | ElectionStatus::Credentials) {
        return Err(wrong_phase(&record, "publishing credentials"));
    }
    if record.roll_frozen_at_height.is_none() {
        return Err(refuse(error::ROLL_FROZEN, "the roll must be frozen before credentials are published"));
    }
    if credentials.is_empty() || credentials.len() > MAX_CREDENTIALS_PER_CALL {
        return Err(refuse(
            error::CREDENTIALS_COUNT_MISMATCH,
            format!(
                "one call publishes 1 to {MAX_CREDENTIALS_PER_CALL} credentials; this one has {}",
                credentials.len()
            ),
        ));
    }
    if record.credentials_count + credentials.len() as u64 > record.roll_count {
        return Err(refuse(
            error::CREDENTIALS_COUNT_MISMATCH,
            format!(
                "the roll has {} voters and {} credentials are published; {} more are too many",
                record.roll_count,
                record.credentials_count,
                credentials.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut weight = 0u64;
    for (i, c) in credentials.iter().enumerate() {
        if c.credential.len() > MAX_ELEMENT_DIGITS {
            return Err(refuse(
                error::CREDENTIAL_INVALID,
                format!("credential {i} has more than {MAX_ELEMENT_DIGITS} digits"),
            ));
        }
        if c.weight == 0 || c.weight > MAX_WEIGHT {
            return Err(refuse(
                error::CREDENTIAL_INVALID,
                format!("credential {i}'s weight must be 1 to {MAX_WEIGHT}"),
            ));
        }
        if !seen.insert(c.credential.as_str()) || state.get(&credential_key(id, &c.credential)).is_some() {
            return Err(refuse(error::CREDENTIAL_DUPLICATE, format!("credential {i} is already published")));
        }
        weight += c.weight;
    }
    if record.credentials_weight + weight > MAX_TOTAL_WEIGHT {
        return Err(refuse(
            error::TOTAL_WEIGHT_TOO_LARGE,
            format!(
                "an election's weights add up to at most {MAX_TOTAL_WEIGHT}; {} are published and these add {weight}",
                record.credentials_weight
            ),
        ));
    }
    // Membership costs an exponentiation each: checked last, once everything cheap has passed.
    for (i, c) in credentials.iter().enumerate() {
        board::check_credential(&c.credential).map_err(|e| {
            refuse(
                error::CREDENTIAL_INVALID,
                format!("credential {i}: {e} (it must be g^s for a secret s, in decimal)"),
            )
        })?;
    }
    for c in credentials {
        write(
            state,
            credential_key(id, &c.credential),
            &CredentialRecord { weight: c.weight, ballots: 0, last_ballot: None },
        );
    }
    write(state, credential_batch_key(id, record.credential_batches), &credentials.to_vec());
    record.credential_batches += 1;
    record.credentials_count += credentials.len() as u64;
    record.credentials_weight += weight;
    write(state, election_key(id), &record);
    Ok(())
}

fn seal_credentials(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    require_credential_authority(state, &ctx.sender, &record)?;
    if record.status != ElectionStatus::Credentials {
        return Err(wrong_phase(&record, "sealing the credentials (the trustees must have made the key)"));
    }
    if record.credentials_count != record.roll_count {
        return Err(refuse(
            error::CREDENTIALS_COUNT_MISMATCH,
            format!(
                "one credential per voter: the roll has {} voters and {} credentials are published",
                record.roll_count, record.credentials_count
            ),
        ));
    }
    let mut all: Vec<PublishedCredential> = Vec::with_capacity(record.credentials_count as usize);
    for batch in 0..record.credential_batches {
        let published: Vec<PublishedCredential> =
            read(state, &credential_batch_key(id, batch)).expect("every credential batch below the count is stored");
        all.extend(published);
    }
    let credentials = board::credentials_object(&all);
    record.credentials_hash = Some(put_object(state, id, &credentials));
    let election = object(state, id, &record.election_hash.expect("made with the key")).expect("stored");
    let trustees = object(state, id, &record.trustees_hash.expect("made with the key")).expect("stored");
    let setup = publica_belenios::archive::setup_payload(&election, &trustees, &credentials);
    let setup_hash = put_object(state, id, &setup);
    append_event(state, &mut record, EventType::Setup, Some(&setup_hash));
    record.status = ElectionStatus::Voting;
    write(state, election_key(id), &record);
    Ok(())
}

/// Append an event to the election's board: stored under its hash, indexed by its height, the new head.
fn append_event(state: &mut dyn StateWrite, record: &mut ElectionRecord, kind: EventType, payload: Option<&Hash>) {
    let event = board::event_object(record.head.as_ref(), record.events, kind, payload);
    let hash = put_object(state, record.id, &event);
    state.put(event_key(record.id, record.events), hash.to_vec());
    record.events += 1;
    record.head = Some(hash);
}

fn cast(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, ballot: &[u8]) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    if record.status != ElectionStatus::Voting {
        return Err(wrong_phase(&record, "casting a ballot"));
    }
    if ctx.time_ms < record.opens_at_ms || ctx.time_ms >= record.closes_at_ms {
        return Err(refuse(
            error::OUTSIDE_WINDOW,
            format!(
                "election {id} takes ballots from {} to {} (Unix ms); the block's time is {}",
                record.opens_at_ms, record.closes_at_ms, ctx.time_ms
            ),
        ));
    }
    if ballot.len() > MAX_BALLOT_BYTES {
        return Err(refuse(
            error::BALLOT_MALFORMED,
            format!("a ballot has at most {MAX_BALLOT_BYTES} bytes; this one has {}", ballot.len()),
        ));
    }
    let election_bytes = object(state, id, &record.election_hash.expect("set up")).expect("the election is stored");
    // Cheap first: the credential named by the ballot must be one of this election's, with ballots left.
    let credential = board::ballot_credential(ballot).map_err(|e| refuse(e.code(), e.to_string()))?;
    let mut credential_record: CredentialRecord = read(state, &credential_key(id, &credential)).ok_or_else(|| {
        refuse(error::CREDENTIAL_UNKNOWN, format!("the ballot's credential is not one of election {id}'s"))
    })?;
    if let Some(height) = revoked_at(state, id, &credential) {
        return Err(refuse(
            error::CREDENTIAL_REVOKED,
            format!(
                "the ballot's credential was revoked by the credential authority at height {height}; a voter whose \
                 letter was lost asks the authority, which cannot issue another once the board is open"
            ),
        ));
    }
    if credential_record.ballots >= MAX_BALLOTS_PER_CREDENTIAL {
        return Err(refuse(
            error::BALLOTS_PER_CREDENTIAL_EXCEEDED,
            format!("this credential has cast {MAX_BALLOTS_PER_CREDENTIAL} ballots, the most one credential may"),
        ));
    }
    let hash = sha256(ballot);
    if state.get(&ballot_key(id, &hash)).is_some() {
        return Err(refuse(error::BALLOT_DUPLICATE, "this ballot is already on the board"));
    }
    // Then every proof and the signature.
    let ciphertexts = board::verify_ballot(&election_bytes, ballot).map_err(|e| refuse(e.code(), e.to_string()))?;

    let mut accumulator: TallyAccumulator =
        read(state, &accumulator_key(id)).unwrap_or_else(|| board::empty_accumulator(&record.questions));
    board::accumulate(&mut accumulator.added, &ciphertexts, credential_record.weight);
    if let Some(previous) = credential_record.last_ballot {
        let bytes = object(state, id, &previous).expect("a counted ballot is stored");
        let replaced = board::ballot_ciphertexts(&bytes).expect("a stored ballot was verified");
        board::accumulate(&mut accumulator.removed, &replaced, credential_record.weight);
    } else {
        record.voters += 1;
        record.voted_weight += credential_record.weight;
    }
    write(state, accumulator_key(id), &accumulator);
    let stored = put_object(state, id, ballot);
    debug_assert_eq!(stored, hash);
    let entry = BallotEntry {
        event_height: record.events,
        block_height: ctx.height,
        accepted_at_ms: ctx.time_ms,
        credential: credential.clone(),
    };
    write(state, ballot_key(id, &hash), &entry);
    credential_record.ballots += 1;
    credential_record.last_ballot = Some(hash);
    write(state, credential_key(id, &credential), &credential_record);
    append_event(state, &mut record, EventType::Ballot, Some(&hash));
    record.ballots += 1;
    write(state, election_key(id), &record);
    Ok(())
}

fn revoke_credential(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, credential: &str) -> Result<(), TxError> {
    let record = load(state, id)?;
    require_credential_authority(state, &ctx.sender, &record)?;
    if !matches!(record.status, ElectionStatus::Credentials | ElectionStatus::Voting) {
        return Err(wrong_phase(&record, "revoking a credential"));
    }
    if credential.len() > MAX_ELEMENT_DIGITS {
        return Err(refuse(error::CREDENTIAL_INVALID, format!("a credential has at most {MAX_ELEMENT_DIGITS} digits")));
    }
    let found: CredentialRecord = read(state, &credential_key(id, credential)).ok_or_else(|| {
        refuse(error::CREDENTIAL_UNKNOWN, format!("this credential is not one of election {id}'s published ones"))
    })?;
    if let Some(height) = revoked_at(state, id, credential) {
        return Err(refuse(error::CREDENTIAL_NOT_REVOCABLE, format!("this credential was revoked at height {height}")));
    }
    // A cast ballot stays counted: the archive's tally, which belenios-tool recomputes from the ballots, must be
    // the ledger's.
    if found.ballots > 0 {
        return Err(refuse(
            error::CREDENTIAL_NOT_REVOCABLE,
            format!(
                "this credential cast {} ballot(s); a credential is revoked only before it votes, and its last ballot \
                 counts",
                found.ballots
            ),
        ));
    }
    state.put(revocation_key(id, credential), ctx.height.to_be_bytes().to_vec());
    Ok(())
}

fn close(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    if trustee_number(&record, &ctx.sender).is_err() {
        require_commission(state, &ctx.sender, &record)?;
    }
    if record.status != ElectionStatus::Voting {
        return Err(wrong_phase(&record, "closing the vote"));
    }
    if ctx.time_ms < record.closes_at_ms {
        return Err(refuse(
            error::NOT_YET_CLOSED,
            format!("election {id} closes at {} (Unix ms); the block's time is {}", record.closes_at_ms, ctx.time_ms),
        ));
    }
    append_event(state, &mut record, EventType::EndBallots, None);
    let accumulator: TallyAccumulator =
        read(state, &accumulator_key(id)).unwrap_or_else(|| board::empty_accumulator(&record.questions));
    let tally = board::encrypted_tally_object(&accumulator);
    let tally_hash = put_object(state, id, &tally);
    let sized = publica_belenios::archive::sized_tally_payload(&tally, record.voters, record.voted_weight);
    let sized_hash = put_object(state, id, &sized);
    append_event(state, &mut record, EventType::EncryptedTally, Some(&sized_hash));
    record.tally_hash = Some(tally_hash);
    record.status = ElectionStatus::Tallying;
    write(state, election_key(id), &record);
    Ok(())
}

fn partial_decryption(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    decryption: &[u8],
) -> Result<(), TxError> {
    let mut record = load(state, id)?;
    let j = trustee_number(&record, &ctx.sender)?;
    if record.status != ElectionStatus::Tallying {
        return Err(wrong_phase(&record, "a partial decryption"));
    }
    if record.decrypted_by.contains(&j) {
        return Err(refuse(
            error::PARTIAL_DECRYPTION_DUPLICATE,
            format!("trustee {j}'s partial decryption is on the board"),
        ));
    }
    if decryption.len() > MAX_PARTIAL_DECRYPTION_BYTES {
        return Err(refuse(
            error::PARTIAL_DECRYPTION_INVALID,
            format!(
                "a partial decryption has at most {MAX_PARTIAL_DECRYPTION_BYTES} bytes; this one has {}",
                decryption.len()
            ),
        ));
    }
    let tally = object(state, id, &record.tally_hash.expect("closed")).expect("the tally is stored");
    let election_bytes = object(state, id, &record.election_hash.expect("set up")).expect("the election is stored");
    let key = state.get(&trustee_message_key(id, 5, j)).expect("every trustee's verification key is stored");
    board::check_partial_decryption(&election_bytes, &tally, &key, decryption, j)
        .map_err(|e| refuse(error::PARTIAL_DECRYPTION_INVALID, format!("trustee {j}'s partial decryption: {e}")))?;
    // The result, when this decryption completes the threshold, is decided before anything is written.
    let result = if record.decrypted_by.len() + 1 == record.threshold as usize {
        let trustees = object(state, id, &record.trustees_hash.expect("made with the key")).expect("stored");
        let mut shares: Vec<(u32, Vec<u8>)> = Vec::with_capacity(record.threshold as usize);
        for k in 1..=record.trustees.len() as u32 {
            if k == j {
                shares.push((k, decryption.to_vec()));
            } else if record.decrypted_by.contains(&k) {
                shares.push((k, partial_decryption_of(state, &record, k)));
            }
        }
        let result = board::result_object(&election_bytes, &tally, &trustees, &shares, record.voted_weight)
            .map_err(|e| refuse(error::BOARD_INCONSISTENT, format!("the partial decryptions decide no result: {e}")))?;
        Some(result)
    } else {
        None
    };
    let decryption_hash = put_object(state, id, decryption);
    state.put(decryption_key(id, j), decryption_hash.to_vec());
    let owned = publica_belenios::archive::owned_payload(j, decryption);
    let owned_hash = put_object(state, id, &owned);
    append_event(state, &mut record, EventType::PartialDecryption, Some(&owned_hash));
    record.decrypted_by.push(j);
    if let Some(result) = result {
        let result_hash = put_object(state, id, &result);
        append_event(state, &mut record, EventType::Result, Some(&result_hash));
        record.result_hash = Some(result_hash);
        record.status = ElectionStatus::Decided;
    }
    write(state, election_key(id), &record);
    Ok(())
}

/// Trustee `k`'s partial decryption on the board.
fn partial_decryption_of(state: &dyn StateRead, record: &ElectionRecord, k: u32) -> Vec<u8> {
    let hash: Hash = state
        .get(&decryption_key(record.id, k))
        .expect("a trustee listed as having decrypted has its decryption indexed")
        .try_into()
        .expect("32 bytes");
    object(state, record.id, &hash).expect("partial decryptions are stored")
}
