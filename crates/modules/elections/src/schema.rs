//! State layout of the elections module.
//!
//! | key | value |
//! |---|---|
//! | `ele/next` | the next election's number, u64 little-endian (absent: 0) |
//! | `ele/e/` ‖ election (u64 big-endian) | borsh [`ElectionRecord`] |
//! | `ele/t/` ‖ election ‖ step (u8) ‖ trustee (u32 big-endian, from 1) | a trustee's message of that step, its exact bytes |
//! | `ele/r/` ‖ election ‖ address (20 bytes) | `[1]`: the citizen is on the roll |
//! | `ele/c/` ‖ election ‖ SHA-256 of the credential's decimal form | borsh [`CredentialRecord`]: weight and ballots cast with it |
//! | `ele/p/` ‖ election ‖ batch (u32 big-endian) | borsh `Vec<PublishedCredential>`: one call's credentials, in order |
//! | `ele/d/` ‖ election ‖ SHA-256 (32 bytes) | borsh [`Blob`]: length and chunk count of a stored object |
//! | `ele/k/` ‖ election ‖ SHA-256 ‖ chunk (u32 big-endian) | up to [`CHUNK_BYTES`] of the object's bytes |
//! | `ele/v/` ‖ election ‖ height (u64 big-endian) | the SHA-256 of the election's event at that height |
//! | `ele/b/` ‖ election ‖ ballot's SHA-256 | borsh [`BallotEntry`]: where the ballot is on the board |
//! | `ele/a/` ‖ election | borsh [`TallyAccumulator`]: the running products of the ballots' ciphertexts |
//! | `ele/q/` ‖ election ‖ trustee (u32 big-endian) | the SHA-256 of the trustee's partial decryption |
//! | `ele/x/` ‖ election ‖ SHA-256 of the credential's decimal form | the height at which the credential was revoked, u64 big-endian |
//!
//! Objects (the election, the trustees, the credentials, ballots, the tally, partial decryptions, the result and
//! the events themselves) are stored once under their SHA-256, exactly as the archive holds them: the archive's
//! entries are named by that hash, so the board can be written out byte for byte from the state alone.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{codec, Address, AgencyId, Hash, StateRead, StateWrite};

use crate::call::Question;

/// Largest chunk of a stored object.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Key of the next election number.
pub const NEXT_ELECTION_KEY: &[u8] = b"ele/next";

fn key(prefix: &[u8], election: u64, rest: &[&[u8]]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + 8 + rest.iter().map(|r| r.len()).sum::<usize>());
    key.extend_from_slice(prefix);
    key.extend_from_slice(&election.to_be_bytes());
    for part in rest {
        key.extend_from_slice(part);
    }
    key
}

/// Key of an election's record.
pub fn election_key(election: u64) -> Vec<u8> {
    key(b"ele/e/", election, &[])
}

/// Key of trustee `trustee`'s message of step `step`.
pub fn trustee_message_key(election: u64, step: u8, trustee: u32) -> Vec<u8> {
    key(b"ele/t/", election, &[&[step], &trustee.to_be_bytes()])
}

/// Key of a citizen's place on the roll.
pub fn roll_key(election: u64, voter: &Address) -> Vec<u8> {
    key(b"ele/r/", election, &[&voter.0])
}

/// Key of a public credential's record, by the SHA-256 of its decimal form (which has no leading zeros, so one
/// element has one form).
pub fn credential_key(election: u64, credential: &str) -> Vec<u8> {
    key(b"ele/c/", election, &[&publica_types::sha256(credential.as_bytes())])
}

/// Key of a credential's revocation, by the SHA-256 of its decimal form.
pub fn revocation_key(election: u64, credential: &str) -> Vec<u8> {
    key(b"ele/x/", election, &[&publica_types::sha256(credential.as_bytes())])
}

/// The height at which a credential was revoked, if it was.
pub fn revoked_at(state: &dyn StateRead, election: u64, credential: &str) -> Option<u64> {
    state.get(&revocation_key(election, credential)).map(|bytes| {
        u64::from_be_bytes(
            bytes.try_into().unwrap_or_else(|_| panic!("a revocation is not 8 bytes; the state store is corrupt")),
        )
    })
}

/// Key of the `batch`-th call's published credentials.
pub fn credential_batch_key(election: u64, batch: u32) -> Vec<u8> {
    key(b"ele/p/", election, &[&batch.to_be_bytes()])
}

/// Key of a stored object's header.
pub fn blob_key(election: u64, hash: &Hash) -> Vec<u8> {
    key(b"ele/d/", election, &[hash])
}

/// Key of a stored object's chunk.
pub fn chunk_key(election: u64, hash: &Hash, chunk: u32) -> Vec<u8> {
    key(b"ele/k/", election, &[hash, &chunk.to_be_bytes()])
}

/// Key of the election's event at `height`.
pub fn event_key(election: u64, height: u64) -> Vec<u8> {
    key(b"ele/v/", election, &[&height.to_be_bytes()])
}

/// Key of a ballot's place on the board.
pub fn ballot_key(election: u64, ballot: &Hash) -> Vec<u8> {
    key(b"ele/b/", election, &[ballot])
}

/// Key of the hash of trustee `trustee`'s partial decryption.
pub fn decryption_key(election: u64, trustee: u32) -> Vec<u8> {
    key(b"ele/q/", election, &[&trustee.to_be_bytes()])
}

/// Key of the election's running tally.
pub fn accumulator_key(election: u64) -> Vec<u8> {
    key(b"ele/a/", election, &[])
}

/// Where an election stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionStatus {
    /// The trustees are generating the election key; `step` is the step (1, 3 or 5) they are at.
    KeyGeneration {
        /// 1: certificates, 3: polynomials, 5: verification keys.
        step: u8,
    },
    /// The key is made; the roll is being drawn up and the credentials published.
    Credentials,
    /// Set up: ballots are taken between the opening and the closing time.
    Voting,
    /// Closed: the encrypted tally is on the board, the trustees decrypt it.
    Tallying,
    /// The result is on the board.
    Decided,
}

/// An election.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ElectionRecord {
    /// Its number.
    pub id: u64,
    /// Belenios' election identifier (a base58 token), derived from the creating transaction.
    pub uuid: String,
    /// The commission's agency.
    pub agency: AgencyId,
    /// The official who created it.
    pub created_by: Address,
    /// Height of its creation.
    pub created_at_height: u64,
    /// Block time of its creation, Unix milliseconds (the archive's timestamp is this, in seconds).
    pub created_at_ms: u64,
    /// Its name.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// The questions.
    pub questions: Vec<Question>,
    /// Opening of the vote (inclusive), Unix milliseconds.
    pub opens_at_ms: u64,
    /// Closing of the vote (exclusive), Unix milliseconds.
    pub closes_at_ms: u64,
    /// The trustees, in order (trustee `j` is `trustees[j - 1]`).
    pub trustees: Vec<Address>,
    /// Partial decryptions needed.
    pub threshold: u32,
    /// Who publishes the credentials.
    pub credential_authority: Address,
    /// Where it stands.
    pub status: ElectionStatus,
    /// Citizens on the roll.
    pub roll_count: u64,
    /// Running hash of the roll, in the order citizens were added: `H(previous ‖ address)` from 32 zero bytes.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub roll_hash: Hash,
    /// Height at which the roll was frozen.
    pub roll_frozen_at_height: Option<u64>,
    /// Public credentials published.
    pub credentials_count: u64,
    /// Sum of their weights.
    pub credentials_weight: u64,
    /// Calls that published credentials.
    pub credential_batches: u32,
    /// The election's public key (decimal), once the trustees made it.
    pub public_key: Option<String>,
    /// The election object's SHA-256 (its fingerprint in Belenios is this hash in base64), once made.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub election_hash: Option<Hash>,
    /// The trustees object's SHA-256, once made.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub trustees_hash: Option<Hash>,
    /// The public credentials object's SHA-256, once sealed.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub credentials_hash: Option<Hash>,
    /// Events on the board.
    pub events: u64,
    /// SHA-256 of the last event: the head of the board, which the archive must end with.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub head: Option<Hash>,
    /// Ballots accepted (revotes included).
    pub ballots: u64,
    /// Credentials that voted at least once.
    pub voters: u64,
    /// Sum of the weights of the credentials that voted.
    pub voted_weight: u64,
    /// The encrypted tally object's SHA-256, once closed.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub tally_hash: Option<Hash>,
    /// Trustees (numbers from 1) whose partial decryption is on the board, in order.
    pub decrypted_by: Vec<u32>,
    /// The result object's SHA-256, once decided.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub result_hash: Option<Hash>,
}

/// A public credential and what was cast with it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CredentialRecord {
    /// Its weight.
    pub weight: u64,
    /// Ballots cast with it.
    pub ballots: u32,
    /// The last one's SHA-256: the one that counts.
    #[serde(with = "publica_types::codec::hex_hash_opt")]
    pub last_ballot: Option<Hash>,
}

/// Where a ballot is on the board.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BallotEntry {
    /// Height of its event on the board.
    pub event_height: u64,
    /// Block height at which it was accepted.
    pub block_height: u64,
    /// Block time at which it was accepted.
    pub accepted_at_ms: u64,
    /// Its credential, in decimal.
    pub credential: String,
}

/// A stored object's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Blob {
    /// Its length in bytes.
    pub len: u64,
    /// Its chunks.
    pub chunks: u32,
}

/// The running tally: the product of every accepted ballot's ciphertexts raised to its weight (`added`), and the
/// product of those a later ballot of the same credential replaced (`removed`). At closing, the encrypted tally is
/// `added / removed`: one inversion per slot for the whole election instead of one per revote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TallyAccumulator {
    /// Per question, per slot: (alpha, beta), in decimal.
    pub added: Vec<Vec<(String, String)>>,
    /// The same shape.
    pub removed: Vec<Vec<(String, String)>>,
}

/// Read and decode a stored record. Records are written only by this module, so a failure means the store is
/// corrupt.
pub(crate) fn read<T: BorshDeserialize + BorshSerialize>(state: &dyn StateRead, key: &[u8]) -> Option<T> {
    state.get(key).map(|bytes| {
        codec::decode_state("elections record", &bytes, usize::MAX)
            .unwrap_or_else(|e| panic!("a stored elections record does not decode ({e}); the state store is corrupt"))
    })
}

/// Encode and write a borsh record.
pub(crate) fn write<T: BorshSerialize>(state: &mut dyn StateWrite, key: Vec<u8>, value: &T) {
    state.put(key, codec::encode(value));
}

/// How many elections were created (the next one's number).
pub fn election_count(state: &dyn StateRead) -> u64 {
    state.get(NEXT_ELECTION_KEY).map_or(0, |bytes| {
        u64::from_le_bytes(
            bytes.try_into().unwrap_or_else(|_| panic!("the election counter is not 8 bytes; the store is corrupt")),
        )
    })
}

/// An election's record.
pub fn election(state: &dyn StateRead, election: u64) -> Option<ElectionRecord> {
    read(state, &election_key(election))
}

/// Store `bytes` under their SHA-256 (once) and return the hash.
pub(crate) fn put_object(state: &mut dyn StateWrite, election: u64, bytes: &[u8]) -> Hash {
    let hash = publica_types::sha256(bytes);
    if state.get(&blob_key(election, &hash)).is_some() {
        return hash;
    }
    let chunks: Vec<&[u8]> = if bytes.is_empty() { vec![&[][..]] } else { bytes.chunks(CHUNK_BYTES).collect() };
    write(state, blob_key(election, &hash), &Blob { len: bytes.len() as u64, chunks: chunks.len() as u32 });
    for (i, chunk) in chunks.into_iter().enumerate() {
        state.put(chunk_key(election, &hash, i as u32), chunk.to_vec());
    }
    hash
}

/// A stored object's bytes.
pub fn object(state: &dyn StateRead, election: u64, hash: &Hash) -> Option<Vec<u8>> {
    let blob: Blob = read(state, &blob_key(election, hash))?;
    let mut bytes = Vec::with_capacity(blob.len as usize);
    for i in 0..blob.chunks {
        bytes.extend_from_slice(&state.get(&chunk_key(election, hash, i)).expect("every chunk of an object is stored"));
    }
    assert_eq!(bytes.len() as u64, blob.len, "a stored object has the length its header says");
    Some(bytes)
}
