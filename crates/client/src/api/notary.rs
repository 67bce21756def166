//! Answers of the notary's JSON routes (entries, witnesses); its other routes answer with text (checkpoint,
//! receipts, consistency proofs, verifier keys) or bytes (tiles).

use publica_types::{Address, AgencyId};
use serde::{Deserialize, Serialize};

/// A document's entry in the notary log (`GET /v1/notary/entries/{hash}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryResponse {
    /// Position in the log.
    pub index: u64,
    /// SHA-256 of the document, hex.
    pub hash: String,
    /// The account that anchored it.
    pub account: Address,
    /// That account's agency.
    pub agency: AgencyId,
    /// Height of the block that anchored it.
    pub height: u64,
    /// That block's time, Unix milliseconds.
    pub time_ms: u64,
    /// The label given when anchoring, `null` without one.
    pub label: Option<String>,
    /// The entry's bytes (standard base64); the leaf hash is SHA-256(0x00 ‖ these bytes).
    pub entry: String,
    /// RFC 9162 leaf hash, hex.
    pub leaf_hash: String,
}

/// The witnesses a node pushes its checkpoints to (`GET /v1/notary/witnesses`): the cosignatures its receipts come
/// to carry. Public information: names and verifier keys, never the witnesses' addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessesResponse {
    /// One per configured witness, in the node's configuration order; empty when the node has none.
    pub witnesses: Vec<WitnessInfo>,
}

/// One witness a node pushes its checkpoints to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessInfo {
    /// The witness's name: the name of its verifier keys (`court.example/witness`), as its cosignature lines give it.
    pub name: String,
    /// Its cosignature verifier keys (C2SP vkeys, types 0x04 and 0x06), as `publica witness vkeys` prints them; a
    /// receipt's checkpoint carries the witness's cosignature once it has a valid line under each of them.
    pub vkeys: Vec<String>,
}
