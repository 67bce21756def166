//! `GET /v1/dids/{did}`: resolve an account's `did:publica` identifier to its DID document, with the proofs of the
//! state it is built from (`docs/did-publica.md`).

use axum::extract::State;
use serde::Deserialize;

use publica_accounts::did::{Did, VersionQuery};
use publica_accounts::query::did_version;
use publica_node::NodeHandle;
use publica_types::time::parse_time_ms;
use publica_verify::did::{ResolutionMetadata, DID_CONTENT_TYPE, RESOLUTION_CONTEXT};
use publica_verify::{CertifiedReads, DidResolution};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{Path, Query};

/// The version asked for: at most one of a height and a time.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct VersionParams {
    /// The document in force in the state at this height (decimal).
    version_id: Option<String>,
    /// The document in force at this time (RFC 3339).
    version_time: Option<String>,
}

impl VersionParams {
    fn parse(&self) -> Result<VersionQuery, ApiError> {
        match (&self.version_id, &self.version_time) {
            (Some(_), Some(_)) => {
                Err(ApiError::Malformed("give versionId or versionTime, not both: each names one version".into()))
            }
            (Some(id), None) => {
                // At most 19 digits: every such number is a u64, so the document's pattern says exactly what is accepted.
                let digits = !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit());
                let height = id.parse::<u64>().ok().filter(|_| digits).ok_or_else(|| {
                    ApiError::Malformed(format!(
                        "versionId is a block height in 1 to 19 decimal digits (a version's id is the height its key \
                         took effect), got {:?}",
                        id.chars().take(40).collect::<String>()
                    ))
                })?;
                Ok(VersionQuery::AtHeight(height))
            }
            (None, Some(time)) => parse_time_ms(time)
                .map(VersionQuery::AtTime)
                .map_err(|e| ApiError::Malformed(format!("versionTime is an RFC 3339 date-time: {e}"))),
            (None, None) => Ok(VersionQuery::Latest),
        }
    }
}

/// `GET /v1/dids/{did}`.
pub(crate) async fn resolve(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(params): Query<VersionParams>,
) -> Result<axum::Json<DidResolution>, ApiError> {
    let did = Did::parse(&text).map_err(|e| ApiError::Malformed(format!("invalid DID: {e}")))?;
    let version = params.parse()?;
    if did.chain != *node.chain_id() {
        return Err(ApiError::NotFound(format!(
            "{did} is an identifier of network {}; this node serves {}: resolve it with a node of that network",
            did.chain,
            node.chain_id()
        )));
    }
    let resolution = blocking(move || -> Result<DidResolution, ApiError> {
        let (state, reads) = node.read(|state| {
            let height = state.height();
            let (version_state, keys) = did_version(state, &did.address, version).ok_or_else(|| {
                let when = match version {
                    VersionQuery::AtHeight(h) => format!(" at height {h}"),
                    _ => String::new(),
                };
                ApiError::NotFound(format!(
                    "{did} is not an account{when} (as of height {height}); a DID names the address an account was \
                     registered with, also after a key rotation"
                ))
            })?;
            Ok::<_, ApiError>((version_state, keys))
        })?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(DidResolution {
            context: RESOLUTION_CONTEXT.into(),
            did_document: state.document(&did),
            did_resolution_metadata: ResolutionMetadata { content_type: DID_CONTENT_TYPE.into() },
            did_document_metadata: state.metadata(),
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(resolution))
}
