//! Governance routes: the validator set, its verifiable history, and the proposals to change it.

use axum::extract::State;

use publica_client::api::{ProposalResponse, ProposalsResponse, SetSummary, ValidatorsResponse};
use publica_governance::{proposal_key, Proposal};
use publica_node::{NodeHandle, Snapshot};
use publica_types::{codec, ValidatorSet};
use publica_verify::{ReadProof, ValidatorHistory};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_height, Path};

/// Largest stored proposal accepted when decoding one for an answer: a change carries one validator entry
/// (about 5 KB) and at most one approval per member of the largest set.
const MAX_PROPOSAL_BYTES: usize = 64 * 1024;
/// Most proposals listed by one request, the newest first.
const MAX_PROPOSALS_LISTED: u64 = 100;

/// `GET /v1/validators`.
pub(crate) async fn validators(State(node): State<NodeHandle>) -> Result<axum::Json<ValidatorsResponse>, ApiError> {
    let response = blocking(move || -> Result<ValidatorsResponse, ApiError> {
        // The set in force and the list of sets are read under one lock.
        let publica_node::ValidatorSets { next_height, current: validators, sets } = node.validator_sets()?;
        let sets = sets
            .into_iter()
            .map(|(from_height, set)| SetSummary {
                from_height,
                set_hash: hex::encode(set.hash()),
                validators: set.validators().len() as u64,
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

/// What a proposal's standing is judged by: the proven state's block time and its validator set.
type Standing = (u64, ValidatorSet);

/// The block time and the validator set of a snapshot.
fn standing(state: &Snapshot<'_>) -> Standing {
    (state.time_ms(), state.validators().clone())
}

/// Proposal `id` from its proven record, judged by the `standing` of the state it was proven in, or `None` if the
/// proof shows no such proposal.
fn proposal_response<P>(
    (time_ms, validators): &Standing,
    id: u64,
    value: Option<&[u8]>,
    proof: P,
) -> Result<Option<ProposalResponse<P>>, ApiError> {
    let Some(bytes) = value else {
        return Ok(None);
    };
    let proposal: Proposal = codec::decode_canonical("governance proposal", bytes, MAX_PROPOSAL_BYTES)
        .map_err(|e| ApiError::Internal(format!("the stored proposal {id} is damaged: {e}")))?;
    let approved_power = proposal.approvals.iter().filter_map(|a| validators.get(a)).map(|v| v.voting_power).sum();
    Ok(Some(ProposalResponse {
        status: proposal.status(*time_ms),
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
        // The record, its proof and the standing it is judged by come from one state.
        let (standing, reads) = node.read(|state| Ok::<_, ApiError>((standing(state), vec![proposal_key(id)])))?;
        let proof = reads.reads[0].with_header(&reads.certified);
        let value = proof.value.clone();
        proposal_response(&standing, id, value.as_deref(), proof)
    })
    .await??;
    response.map(axum::Json).ok_or_else(|| {
        ApiError::NotFound(format!("there is no governance proposal {id}; the list of proposals names those there are"))
    })
}

/// `GET /v1/governance/proposals`.
pub(crate) async fn proposals(State(node): State<NodeHandle>) -> Result<axum::Json<ProposalsResponse>, ApiError> {
    let response = blocking(move || -> Result<ProposalsResponse, ApiError> {
        // Proposals are made by transactions: before the first block there is none, and no header to prove under.
        if node.height() == 0 {
            return Ok(ProposalsResponse { count: 0, certified: None, proposals: Vec::new() });
        }
        // The count, every proposal's proof and the standing they are judged by come from one state, under one
        // certified header carried once.
        let ((count, ids, standing), reads) = node.read(|state| {
            let count = publica_governance::proposal_count(state);
            let ids: Vec<u64> = (count.saturating_sub(MAX_PROPOSALS_LISTED)..count).rev().collect();
            let keys = ids.iter().map(|id| proposal_key(*id)).collect();
            Ok::<_, ApiError>(((count, ids, standing(state)), keys))
        })?;
        if ids.is_empty() {
            return Ok(ProposalsResponse { count, certified: None, proposals: Vec::new() });
        }
        let mut proposals = Vec::with_capacity(ids.len());
        for (id, proof) in ids.into_iter().zip(reads.reads) {
            let value = proof.value.clone();
            proposals.extend(proposal_response(&standing, id, value.as_deref(), proof)?);
        }
        Ok(ProposalsResponse { count, certified: Some(reads.certified), proposals })
    })
    .await??;
    Ok(axum::Json(response))
}
