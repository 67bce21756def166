//! Answer of the evidence route: the misbehaviour recorded on chain, each record with its proof.

use publica_types::{Address, EvidenceKind, Misbehavior};
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// The newest recorded offences (`GET /v1/evidence`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceResponse {
    /// Number of offences ever recorded.
    pub count: u64,
    /// The certified header every record's proof leads to, once for the page; `null` when nothing is listed.
    pub certified: Option<CertifiedHeader>,
    /// The newest ones, newest first, at most 100.
    pub evidence: Vec<EvidenceRecord>,
}

/// One recorded offence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRecord {
    /// Position in the order of recording, from 0.
    pub index: u64,
    /// The validator that equivocated.
    pub validator: Address,
    /// Height of the offence.
    pub height: u64,
    /// Round of the offence.
    pub round: u32,
    /// What kind of offence it is.
    pub kind: EvidenceKind,
    /// The state key of the record, hex (what `GET /v1/state/{key}` takes).
    pub key: String,
    /// The two conflicting signed messages.
    pub misbehavior: Misbehavior,
    /// Proof of the record under `key`, under the response's `certified` header.
    pub proof: KeyProof,
}
