//! Governance routes: the validator set, its verifiable history, and the proposals to change it.

use axum::extract::State;
use serde::Serialize;

use publica_governance::{proposal_key, Proposal, ProposalStatus};
use publica_node::NodeHandle;
use publica_types::{codec, ValidatorSet};
use publica_verify::{CertifiedHeader, KeyProof, ReadProof, ValidatorHistory};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_height, Path};

/// Largest stored proposal accepted when decoding one for an answer: a change carries one validator entry
/// (about 5 KB) and at most one approval per member of the largest set.
const PROPOSAL_BYTES_MAX: usize = 64 * 1024;
/// Most proposals listed by one request, the newest first.
const PROPOSALS_LISTED_MAX: u64 = 100;

/// The validator set as the API shows it.
#[derive(Debug, Serialize)]
pub(crate) struct ValidatorsResponse {
    /// The height this set signs next.
    next_height: u64,
    /// `SHA-256(borsh(set))`, as named in headers.
    set_hash: String,
    total_power: u64,
    /// Voting power of more than two thirds: what a certificate or an approval needs.
    quorum_power: u64,
    validators: ValidatorSet,
    /// Every set of the chain with the first height it signs.
    sets: Vec<SetSummary>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SetSummary {
    from_height: u64,
    set_hash: String,
    validators: usize,
    total_power: u64,
}

/// `GET /v1/validators`.
pub(crate) async fn validators(State(node): State<NodeHandle>) -> Result<axum::Json<ValidatorsResponse>, ApiError> {
    let response = blocking(move || -> Result<ValidatorsResponse, ApiError> {
        let (next_height, validators) = {
            let committed = node.committed.read();
            (committed.height + 1, committed.validators.clone())
        };
        let sets = node
            .store
            .validator_set_changes()?
            .into_iter()
            .map(|(from_height, set)| SetSummary {
                from_height,
                set_hash: hex::encode(set.hash()),
                validators: set.validators().len(),
                total_power: set.total_power(),
            })
            .collect();
        Ok(ValidatorsResponse {
            next_height,
            set_hash: hex::encode(validators.hash()),
            total_power: validators.total_power(),
            quorum_power: validators.quorum_power(),
            validators,
            sets,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/validators/history`.
pub(crate) async fn history(State(node): State<NodeHandle>) -> Result<axum::Json<ValidatorHistory>, ApiError> {
    Ok(axum::Json(blocking(move || node.validator_history()).await??))
}

/// A proposal as the API shows it, with the proof of its record: a self-contained [`ReadProof`] when the
/// proposal is asked for alone, a [`KeyProof`] under the list's one certified header in a list.
#[derive(Debug, Serialize)]
pub(crate) struct ProposalResponse<P> {
    #[serde(flatten)]
    proposal: Proposal,
    /// Where it stands at the last committed block's time.
    #[serde(flatten)]
    status: ProposalStatus,
    /// Voting power of the approvals by members of the current set, and what the change needs.
    approved_power: u64,
    quorum_power: u64,
    /// Proof of the proposal's record.
    proof: P,
}

/// Proposal `id` from its proven record, or `None` if the proof shows no such proposal.
fn proposal_response<P>(
    node: &NodeHandle,
    id: u64,
    value: Option<&[u8]>,
    proof: P,
) -> Result<Option<ProposalResponse<P>>, ApiError> {
    let Some(bytes) = value else {
        return Ok(None);
    };
    let proposal: Proposal = codec::decode_canonical("governance proposal", bytes, PROPOSAL_BYTES_MAX)
        .map_err(|e| ApiError::Internal(format!("the stored proposal {id} is damaged: {e}")))?;
    let (time_ms, validators) = {
        let committed = node.committed.read();
        (committed.header.as_ref().map_or(0, |(h, _)| h.time_ms), committed.validators.clone())
    };
    let approved_power = proposal.approvals.iter().filter_map(|a| validators.get(a)).map(|v| v.voting_power).sum();
    Ok(Some(ProposalResponse {
        status: proposal.status(time_ms),
        proposal,
        approved_power,
        quorum_power: validators.quorum_power(),
        proof,
    }))
}

/// `GET /v1/governance/proposals/{id}`.
pub(crate) async fn proposal(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
) -> Result<axum::Json<ProposalResponse<ReadProof>>, ApiError> {
    let id = parse_height(&id)
        .map_err(|_| ApiError::Malformed(format!("{id:?} is not a proposal number (a non-negative integer)")))?;
    let response = blocking(move || -> Result<_, ApiError> {
        let proof = node.read_with_proof(&proposal_key(id))?;
        let value = proof.value.clone();
        proposal_response(&node, id, value.as_deref(), proof)
    })
    .await??;
    response.map(axum::Json).ok_or_else(|| {
        ApiError::NotFound(format!(
            "there is no governance proposal {id}; GET /v1/governance/proposals lists them, and \
             GET /v1/state/{} proves its absence",
            hex::encode(proposal_key(id))
        ))
    })
}

/// The newest proposals.
#[derive(Debug, Serialize)]
pub(crate) struct ProposalsResponse {
    /// Number of proposals ever made (their numbers are `0..count`).
    count: u64,
    /// The certified header every proposal's proof leads to, once for the list; `null` when nothing is listed.
    certified: Option<CertifiedHeader>,
    /// The newest ones, newest first, at most 100.
    proposals: Vec<ProposalResponse<KeyProof>>,
}

/// `GET /v1/governance/proposals`.
pub(crate) async fn proposals(State(node): State<NodeHandle>) -> Result<axum::Json<ProposalsResponse>, ApiError> {
    let response = blocking(move || -> Result<ProposalsResponse, ApiError> {
        let count = publica_governance::proposal_count(&publica_node::shared::StoreView(&node.store));
        let ids: Vec<u64> = (count.saturating_sub(PROPOSALS_LISTED_MAX)..count).rev().collect();
        if ids.is_empty() {
            return Ok(ProposalsResponse { count, certified: None, proposals: Vec::new() });
        }
        // Every proposal is proven under the same certified header, carried once.
        let keys: Vec<Vec<u8>> = ids.iter().map(|id| proposal_key(*id)).collect();
        let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let reads = node.read_with_proofs(&keys)?;
        let mut proposals = Vec::with_capacity(ids.len());
        for (id, proof) in ids.into_iter().zip(reads.reads) {
            let value = proof.value.clone();
            proposals.extend(proposal_response(&node, id, value.as_deref(), proof)?);
        }
        Ok(ProposalsResponse { count, certified: Some(reads.certified), proposals })
    })
    .await??;
    Ok(axum::Json(response))
}
