//! Evidence route: the misbehaviour recorded on chain, each record with a proof a citizen can verify offline.

use axum::extract::State;

use publica_client::api::{EvidenceRecord, EvidenceResponse};
use publica_node::NodeHandle;
use publica_types::evidence::{evidence_count, evidence_index_key};
use publica_types::{Misbehavior, StateRead};

use crate::blocking;
use crate::error::ApiError;

/// Most records listed by one request, the newest first.
const MAX_EVIDENCE_LISTED: u64 = 100;

/// `GET /v1/evidence`.
pub(crate) async fn list(State(node): State<NodeHandle>) -> Result<axum::Json<EvidenceResponse>, ApiError> {
    let response = blocking(move || -> Result<EvidenceResponse, ApiError> {
        // Evidence is recorded by blocks: before the first one there is none, and no header to prove under.
        if node.height() == 0 {
            return Ok(EvidenceResponse { count: 0, certified: None, evidence: Vec::new() });
        }
        // The count, the index entries and every record's proof come from one state, under one certified header.
        let read = node.read(|state| -> Result<_, ApiError> {
            let count = evidence_count(state);
            let mut indexed = Vec::new();
            for index in (count.saturating_sub(MAX_EVIDENCE_LISTED)..count).rev() {
                let key = state.get(&evidence_index_key(index)).ok_or_else(|| {
                    ApiError::Internal(format!(
                        "evidence record {index} of {count} has no index entry; the store is damaged"
                    ))
                })?;
                indexed.push((index, key));
            }
            let keys = indexed.iter().map(|(_, k)| k.clone()).collect();
            Ok(((count, indexed), keys))
        });
        let ((count, indexed), reads) = read?;
        if indexed.is_empty() {
            return Ok(EvidenceResponse { count, certified: None, evidence: Vec::new() });
        }
        let mut evidence = Vec::with_capacity(reads.reads.len());
        for ((index, key), proof) in indexed.into_iter().zip(reads.reads) {
            let bytes = proof.value.as_deref().ok_or_else(|| {
                ApiError::Internal(format!("evidence record {index} is indexed but not stored; the store is damaged"))
            })?;
            // The record is taken from the proven value itself, so the record and its proof always agree.
            let misbehavior = Misbehavior::decode(bytes)
                .map_err(|e| ApiError::Internal(format!("the stored evidence record {index} is damaged: {e}")))?;
            evidence.push(EvidenceRecord {
                index,
                validator: misbehavior.validator(),
                height: misbehavior.height(),
                round: misbehavior.round(),
                kind: misbehavior.kind(),
                key: hex::encode(key),
                misbehavior,
                proof,
            });
        }
        Ok(EvidenceResponse { count, certified: Some(reads.certified), evidence })
    })
    .await??;
    Ok(axum::Json(response))
}
