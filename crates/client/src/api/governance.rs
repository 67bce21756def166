//! Answers of the governance routes: the validator set and the proposals to change it.
//! `GET /v1/validators/history` answers with a [`publica_verify::ValidatorHistory`] itself.

use publica_governance::{Proposal, ProposalStatus};
use publica_types::ValidatorSet;
use publica_verify::{CertifiedHeader, KeyProof, ReadProof};
use serde::{Deserialize, Serialize};

/// The validator set in force and every set since genesis (`GET /v1/validators`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorsResponse {
    /// The height this set signs next.
    pub next_height: u64,
    /// `SHA-256(borsh(set))`, hex, as named in headers.
    pub set_hash: String,
    /// Voting power of the whole set.
    pub total_power: u64,
    /// Voting power of more than two thirds: what a certificate or an approval needs.
    pub quorum_power: u64,
    /// The set itself.
    pub validators: ValidatorSet,
    /// Every set of the chain with the first height it signs.
    pub sets: Vec<SetSummary>,
}

/// One validator set of the chain's history, in short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSummary {
    /// The first height this set signs.
    pub from_height: u64,
    /// `SHA-256(borsh(set))`, hex.
    pub set_hash: String,
    /// Number of validators in it.
    pub validators: u64,
    /// Their voting power in total.
    pub total_power: u64,
}

/// A proposal with where it stands and the proof of its record: a self-contained [`ReadProof`] when asked for
/// alone (`GET /v1/governance/proposals/{id}`), a [`KeyProof`] under the list's one certified header in
/// [`ProposalsResponse`].
///
/// The proposal's fields and its status are flattened into the object, so unknown fields cannot be denied here;
/// the API's tests check instead that re-encoding gives back the served JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalResponse<P> {
    /// The proposal's record.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// Where it stands at the last committed block's time (`status`, with its details).
    #[serde(flatten)]
    pub status: ProposalStatus,
    /// Voting power of the approvals by members of the current set.
    pub approved_power: u64,
    /// What the change needs: more than two thirds of the current set's power.
    pub quorum_power: u64,
    /// Proof of the proposal's record.
    pub proof: P,
}

/// The newest proposals (`GET /v1/governance/proposals`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalsResponse {
    /// Number of proposals ever made (their numbers are `0..count`).
    pub count: u64,
    /// The certified header every proposal's proof leads to, once for the list; `null` when nothing is listed.
    pub certified: Option<CertifiedHeader>,
    /// The newest ones, newest first, at most 100.
    pub proposals: Vec<ProposalResponse<KeyProof>>,
}

/// One proposal (`GET /v1/governance/proposals/{id}`).
pub type OneProposalResponse = ProposalResponse<ReadProof>;
