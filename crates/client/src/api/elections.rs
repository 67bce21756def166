//! Answers of the elections routes (`/v1/elections/…`): elections, a voter's ballot on the board, credentials,
//! the trustees' messages and the board's events with the objects they name (`docs/elections.md`).
//!
//! Every answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs` (one
//! [`KeyProof`] per state key read, each naming that header's height), so `publica verify` checks it offline. The
//! board's objects (the election, ballots, the tally, the result…) are named by their SHA-256 in proven records
//! and events, so they are given as bytes and checked by hashing them.

use publica_elections::schema::{BallotEntry, CredentialRecord, ElectionRecord};
use publica_types::Hash;
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// Most elections one answer of `GET /v1/elections` lists.
pub const MAX_ELECTIONS_PAGE: u32 = 100;
/// Most events one answer of `GET /v1/elections/{id}/events` carries.
pub const MAX_EVENTS_PAGE: u32 = 500;

/// Elections in the order they were created (`GET /v1/elections?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionsResponse {
    /// The elections numbered `from` onwards, at most `limit`, fewer when their records would pass the server's
    /// budget (`publica_api::MAX_ELECTIONS_PAGE_BYTES`, 4 MiB): the next page starts after the last one's number.
    pub elections: Vec<ElectionRecord>,
    /// How many elections exist.
    pub count: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the election counter's key, then of each election's record.
    pub proofs: Vec<KeyProof>,
}

/// One election (`GET /v1/elections/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionResponse {
    /// The proven record.
    pub election: ElectionRecord,
    /// Belenios' fingerprint of the election object (its SHA-256 in unpadded base64), once the trustees made the
    /// key: what a voter's tool shows and what every ballot names.
    pub fingerprint: Option<String>,
    /// The election object's exact bytes (hex), once made; its SHA-256 is `election.election_hash`.
    #[serde(with = "publica_types::codec::hex_bytes_opt", default)]
    pub election_object: Option<Vec<u8>>,
    /// The result object's exact bytes (hex), once decided; its SHA-256 is `election.result_hash`.
    #[serde(with = "publica_types::codec::hex_bytes_opt", default)]
    pub result_object: Option<Vec<u8>>,
    /// The counts of the result, per question and answer (weighted), read from the result object; for a question
    /// with a blank vote the first count is the blank ballots'.
    pub result: Option<Vec<Vec<u64>>>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proof of the election's record.
    pub proofs: Vec<KeyProof>,
}

/// A voter's receipt, checked against the board (`GET /v1/elections/{id}/ballots/{hash}`): where the ballot is,
/// and whether it is the one its credential counts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotResponse {
    /// The election.
    pub election: u64,
    /// The ballot's SHA-256: the voter's receipt (Belenios' smart ballot tracker is its unpadded base64).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub ballot: Hash,
    /// Belenios' tracker of the ballot: its SHA-256 in unpadded base64, as `belenios-tool` shows it.
    pub tracker: String,
    /// Where it is on the board.
    pub entry: BallotEntry,
    /// The hash of the board's event at `entry.event_height`, which names the ballot.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub event: Hash,
    /// The ballot's credential's record: how many ballots it cast and which one counts.
    pub credential: CredentialRecord,
    /// Whether this ballot is its credential's last one, the one the tally counts.
    pub counted: bool,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the ballot's entry, of the event, of the election's record and of the credential's record.
    pub proofs: Vec<KeyProof>,
}

/// A public credential's record (`GET /v1/elections/{id}/credentials/{credential}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionCredentialResponse {
    /// The election.
    pub election: u64,
    /// The public credential, in decimal.
    pub credential: String,
    /// Its weight and the ballots cast with it.
    pub record: CredentialRecord,
    /// The height at which the credential authority revoked it, if it did: no ballot with it is accepted after.
    pub revoked_at_height: Option<u64>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the credential's record and of its revocation's key (present or absent).
    pub proofs: Vec<KeyProof>,
}

/// A trustee's key-generation message (`GET /v1/elections/{id}/trustees/{trustee}/messages/{step}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteeMessageResponse {
    /// The election.
    pub election: u64,
    /// The trustee, from 1.
    pub trustee: u32,
    /// The step: 1 (certificate), 3 (polynomial) or 5 (verification key).
    pub step: u8,
    /// The message's exact bytes (JSON), hex.
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub message: Vec<u8>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proof of the message's key.
    pub proofs: Vec<KeyProof>,
}

/// What a trustee needs for step 5 of the key generation (`GET /v1/elections/{id}/trustees/{trustee}/input`):
/// Belenios' `vinput`, built from every trustee's polynomial on the board.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteeInputResponse {
    /// The election.
    pub election: u64,
    /// The trustee, from 1.
    pub trustee: u32,
    /// The input's JSON bytes, hex.
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub input: Vec<u8>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of every trustee's polynomial (step 3), in trustee order, from which the input is built.
    pub proofs: Vec<KeyProof>,
}

/// An event of the board, with its exact bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardEvent {
    /// Its height on the board, from 0.
    pub height: u64,
    /// Its SHA-256 (the next event's parent).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub hash: Hash,
    /// Its JSON bytes, hex.
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub bytes: Vec<u8>,
}

/// An object of the board, named by its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardObject {
    /// Its SHA-256.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub hash: Hash,
    /// Its bytes, hex.
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub bytes: Vec<u8>,
}

/// An object of the board too large to come in a page of events: named by its SHA-256, with its length and its
/// number of stored chunks, each read with `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`
/// ([`ObjectChunkResponse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LargeObject {
    /// Its SHA-256.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub hash: Hash,
    /// Its length in bytes.
    pub len: u64,
    /// Its chunks, numbered from 0: every one but the last holds exactly
    /// [`CHUNK_BYTES`](publica_elections::schema::CHUNK_BYTES).
    pub chunks: u32,
}

/// A page of the board (`GET /v1/elections/{id}/events?from=&limit=`): events with every object they name (the
/// payload and, for the set-up and the tally, the objects the payload names), enough to write the archive. Objects
/// up to the server's bound (`publica_api::MAX_INLINE_OBJECT_BYTES`, 1 MiB) come whole in `objects`; larger ones (the public credentials of a large roll)
/// are listed in `large_objects` and read chunk by chunk.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsResponse {
    /// The election's proven record: `events` is the board's length, `head` the last event's hash.
    pub election: ElectionRecord,
    /// The events from `from`, in order.
    pub events: Vec<BoardEvent>,
    /// The objects the events name, each once, whole: those up to the server's bound.
    pub objects: Vec<BoardObject>,
    /// The objects the events name that are larger than the server's bound, each once, with their sizes; their
    /// bytes are read with `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`.
    #[serde(default)]
    pub large_objects: Vec<LargeObject>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the election's record, then of each event's key (its hash).
    pub proofs: Vec<KeyProof>,
}

/// One stored chunk of an object of the board (`GET /v1/elections/{id}/objects/{hash}/chunks/{index}`). It carries
/// no proof: the object is named by its SHA-256 in a proven event (or record), so the reader proves it by hashing
/// the chunks put together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectChunkResponse {
    /// The election.
    pub election: u64,
    /// The object's SHA-256.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub hash: Hash,
    /// The chunk's number, from 0.
    pub index: u32,
    /// The object's length in bytes.
    pub len: u64,
    /// The object's number of chunks.
    pub chunks: u32,
    /// The chunk's bytes, hex: [`CHUNK_BYTES`](publica_elections::schema::CHUNK_BYTES) of them, fewer in the last
    /// chunk.
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub bytes: Vec<u8>,
}
