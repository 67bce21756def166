//! Typed wrappers of the REST API's routes (`docs/api.md`, `GET /openapi.json`): one method per route, each
//! returning the route's answer decoded into its type from [`crate::api`] (the types the server builds its answers
//! from).
//!
//! A proof document a user saves to a file and checks offline (`publica verify`) must keep the bytes the node
//! served; decoding it and encoding it again would give the same JSON value, but not necessarily the same
//! document. Those routes also have a `..._json` variant that returns the answer as served
//! ([`serde_json::Value`]), for saving or printing whole. Text documents (checkpoint, receipts, verifier keys,
//! consistency proofs) are returned as text. Each method names its route.

use anyhow::Result;
use publica_types::{Address, Genesis, Hash, TxId};
use publica_verify::{DidResolution, OwnershipAnswer, PermitStatusAnswer, ReadProof, ValidatorHistory};
use serde_json::Value;

use crate::api::{
    AccountResponse, ApplicationResponse, BlockResponse, CompanyHistoryResponse, CompanyResponse, EntryResponse,
    EvidenceResponse, NameResponse, NodeStatus, OneProposalResponse, ParcelHistoryResponse, ParcelResponse,
    PermitResponse, ProposalsResponse, SearchResponse, TxStatusResponse, ValidatorsResponse, WitnessInfo,
    WitnessesResponse,
};
use crate::http::{decode, Client, Text};

/// Which block to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockAt {
    /// The newest committed block.
    Latest,
    /// The block at this height.
    Height(u64),
}

/// Which version of a DID document to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DidVersion {
    /// The current one.
    Latest,
    /// The one in force at this block height (`versionId`).
    Height(u64),
    /// The one in force at this RFC 3339 time (`versionTime`).
    Time(String),
}

/// Percent-encode a query value (RFC 3986 unreserved characters stay).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?at=MS` for an as-of question, or nothing for "now".
fn at_query(at_ms: Option<u64>) -> String {
    at_ms.map(|ms| format!("?at={ms}")).unwrap_or_default()
}

/// The path of a block route.
fn block_path(at: BlockAt) -> String {
    match at {
        BlockAt::Latest => "/v1/blocks/latest".to_owned(),
        BlockAt::Height(h) => format!("/v1/blocks/{h}"),
    }
}

impl Client {
    /// `GET /v1/status`, as served.
    pub fn status_json(&self) -> Result<Value> {
        self.get("/v1/status")
    }

    /// `GET /v1/status`: the node's view of the chain.
    pub fn status(&self) -> Result<NodeStatus> {
        decode(self.status_json()?, "the node's status")
    }

    /// `GET /v1/accounts/{address}`, as served: a proof document.
    pub fn account_json(&self, address: &Address) -> Result<Value> {
        self.get(&format!("/v1/accounts/{address}"))
    }

    /// `GET /v1/accounts/{address}`: the account, its next nonce and a proof.
    pub fn account(&self, address: &Address) -> Result<AccountResponse> {
        decode(self.account_json(address)?, "an account")
    }

    /// `GET /v1/dids/{did}`, as served: a DID resolution with its proofs, for saving and checking offline.
    pub fn did_json(&self, did: &str, version: DidVersion) -> Result<Value> {
        let query = match version {
            DidVersion::Latest => String::new(),
            DidVersion::Height(h) => format!("?versionId={h}"),
            DidVersion::Time(t) => format!("?versionTime={}", url_encode(&t)),
        };
        self.get(&format!("/v1/dids/{}{query}", url_encode(did)))
    }

    /// `GET /v1/dids/{did}`: the DID document of an account, its metadata and the proofs of the state it is built
    /// from.
    pub fn did(&self, did: &str, version: DidVersion) -> Result<DidResolution> {
        decode(self.did_json(did, version)?, "a DID resolution")
    }

    /// `GET /v1/transactions/{id}`, as served.
    pub fn transaction_json(&self, id: &TxId) -> Result<Value> {
        self.get(&format!("/v1/transactions/{id}"))
    }

    /// `GET /v1/transactions/{id}`: pending, committed (height, index and outcome) or rejected (the error).
    pub fn transaction(&self, id: &TxId) -> Result<TxStatusResponse> {
        decode(self.transaction_json(id)?, "a transaction's status")
    }

    /// `GET /v1/blocks/latest` or `GET /v1/blocks/{height}`, as served: a block with its certificate.
    pub fn block_json(&self, at: BlockAt) -> Result<Value> {
        self.get(&block_path(at))
    }

    /// `GET /v1/blocks/latest` or `GET /v1/blocks/{height}`.
    pub fn block(&self, at: BlockAt) -> Result<BlockResponse> {
        decode(self.block_json(at)?, "a block")
    }

    /// `GET /v1/blocks/{height}`, `None` while the block does not exist yet (no waiting).
    pub fn block_if_committed(&self, height: u64) -> Result<Option<BlockResponse>> {
        self.get_optional(&block_path(BlockAt::Height(height)))?.map(|body| decode(body, "a block")).transpose()
    }

    /// `GET /v1/state/{key}`, as served: a proof document.
    pub fn state_json(&self, key: &[u8]) -> Result<Value> {
        self.get(&format!("/v1/state/{}", hex::encode(key)))
    }

    /// `GET /v1/state/{key}`: the value of any state key, with a proof of it or of its absence.
    pub fn state(&self, key: &[u8]) -> Result<ReadProof> {
        decode(self.state_json(key)?, "a state read")
    }

    /// `GET /v1/genesis`: the genesis document.
    pub fn genesis(&self) -> Result<Genesis> {
        decode(self.get("/v1/genesis")?, "the genesis document")
    }

    /// `GET /v1/validators`, as served.
    pub fn validators_json(&self) -> Result<Value> {
        self.get("/v1/validators")
    }

    /// `GET /v1/validators`: the current set and every set since genesis.
    pub fn validators(&self) -> Result<ValidatorsResponse> {
        decode(self.validators_json()?, "the validator sets")
    }

    /// `GET /v1/validators/history`: the certified headers where the set changed, for light clients.
    pub fn validator_history(&self) -> Result<ValidatorHistory> {
        decode(self.get("/v1/validators/history")?, "the validator history")
    }

    /// `GET /v1/evidence`, as served: a proof document.
    pub fn evidence_json(&self) -> Result<Value> {
        self.get("/v1/evidence")
    }

    /// `GET /v1/evidence`: recorded misbehaviour.
    pub fn evidence(&self) -> Result<EvidenceResponse> {
        decode(self.evidence_json()?, "the evidence")
    }

    /// `GET /v1/governance/proposals`, as served: a proof document.
    pub fn proposals_json(&self) -> Result<Value> {
        self.get("/v1/governance/proposals")
    }

    /// `GET /v1/governance/proposals`: the newest proposals.
    pub fn proposals(&self) -> Result<ProposalsResponse> {
        decode(self.proposals_json()?, "the proposals")
    }

    /// `GET /v1/governance/proposals/{id}`, as served: a proof document.
    pub fn proposal_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/governance/proposals/{id}"))
    }

    /// `GET /v1/governance/proposals/{id}`: one proposal with its proof.
    pub fn proposal(&self, id: u64) -> Result<OneProposalResponse> {
        decode(self.proposal_json(id)?, "a proposal")
    }

    /// `GET /v1/notary/vkeys`: the validators' checkpoint verifier keys (C2SP vkeys), one per line.
    pub fn notary_vkeys(&self) -> Result<String> {
        self.get_text_ok("/v1/notary/vkeys")
    }

    /// `GET /v1/notary/checkpoint`: the newest signed checkpoint.
    pub fn notary_checkpoint(&self) -> Result<String> {
        self.get_text_ok("/v1/notary/checkpoint")
    }

    /// `GET /v1/notary/consistency?old=N`: a consistency proof from size `old` to the newest checkpoint.
    pub fn notary_consistency(&self, old: u64) -> Result<String> {
        self.get_text_ok(&format!("/v1/notary/consistency?old={old}"))
    }

    /// `GET /v1/notary/receipts/{hash}`: a document's receipt (C2SP tlog-proof); 404 and 503 are answers here.
    pub fn notary_receipt(&self, hash: &Hash) -> Result<Text> {
        self.get_text(&format!("/v1/notary/receipts/{}", hex::encode(hash)))
    }

    /// `GET /v1/notary/entries/{hash}`, as served.
    pub fn notary_entry_json(&self, hash: &Hash) -> Result<Value> {
        self.get(&format!("/v1/notary/entries/{}", hex::encode(hash)))
    }

    /// `GET /v1/notary/entries/{hash}`: the log entry of a document.
    pub fn notary_entry(&self, hash: &Hash) -> Result<EntryResponse> {
        decode(self.notary_entry_json(hash)?, "a log entry")
    }

    /// `GET /v1/notary/witnesses`: the witnesses the node pushes its checkpoints to; none from a node older than
    /// the route (404).
    pub fn notary_witnesses(&self) -> Result<Vec<WitnessInfo>> {
        match self.get_optional("/v1/notary/witnesses")? {
            Some(body) => Ok(decode::<WitnessesResponse>(body, "the node's witnesses")?.witnesses),
            None => Ok(Vec::new()),
        }
    }

    /// `GET /v1/land/parcels/{id}`, as served: a proof document.
    pub fn parcel_json(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}"))
    }

    /// `GET /v1/land/parcels/{id}`: a parcel's current record with its proof.
    pub fn parcel(&self, id: &str) -> Result<ParcelResponse> {
        decode(self.parcel_json(id)?, "a parcel")
    }

    /// `GET /v1/land/parcels/{id}/history`, as served: a proof document.
    pub fn parcel_history_json(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}/history"))
    }

    /// `GET /v1/land/parcels/{id}/history`: every version of a parcel.
    pub fn parcel_history(&self, id: &str) -> Result<ParcelHistoryResponse> {
        decode(self.parcel_history_json(id)?, "a parcel's history")
    }

    /// `GET /v1/land/parcels/{id}/owners[?at=MS]`, as served: the answer `publica verify` re-decides offline, to
    /// be saved as it is.
    pub fn parcel_owners_json(&self, id: &str, at_ms: Option<u64>) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}/owners{}", at_query(at_ms)))
    }

    /// `GET /v1/land/parcels/{id}/owners[?at=MS]`: who owned a parcel at a time (now without one), proven.
    pub fn parcel_owners(&self, id: &str, at_ms: Option<u64>) -> Result<OwnershipAnswer> {
        decode(self.parcel_owners_json(id, at_ms)?, "an ownership answer")
    }

    /// `GET /v1/land/parcels?bbox=...`, as served.
    pub fn parcels_in_json(&self, bbox: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels?bbox={bbox}"))
    }

    /// `GET /v1/land/parcels?bbox=...`: parcels in a bounding box (`MINX,MINY,MAXX,MAXY`).
    pub fn parcels_in(&self, bbox: &str) -> Result<SearchResponse> {
        decode(self.parcels_in_json(bbox)?, "a parcel search")
    }

    /// `GET /v1/registry/applications/{id}`, as served: a proof document.
    pub fn application_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/registry/applications/{id}"))
    }

    /// `GET /v1/registry/applications/{id}`: an application and its approvals.
    pub fn application(&self, id: u64) -> Result<ApplicationResponse> {
        decode(self.application_json(id)?, "an application")
    }

    /// `GET /v1/permits/{id}`, as served: a proof document.
    pub fn permit_json(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/permits/{id}"))
    }

    /// `GET /v1/permits/{id}`: a permit's current record and its status now.
    pub fn permit(&self, id: &str) -> Result<PermitResponse> {
        decode(self.permit_json(id)?, "a permit")
    }

    /// `GET /v1/permits/{id}/status[?at=MS]`, as served: the answer `publica verify` re-decides offline, to be
    /// saved as it is.
    pub fn permit_status_json(&self, id: &str, at_ms: Option<u64>) -> Result<Value> {
        self.get(&format!("/v1/permits/{id}/status{}", at_query(at_ms)))
    }

    /// `GET /v1/permits/{id}/status[?at=MS]`: whether a permit was valid at a time, proven.
    pub fn permit_status(&self, id: &str, at_ms: Option<u64>) -> Result<PermitStatusAnswer> {
        decode(self.permit_status_json(id, at_ms)?, "a permit status answer")
    }

    /// `GET /v1/business/companies/{number}`, as served: a proof document.
    pub fn company_json(&self, number: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies/{number}"))
    }

    /// `GET /v1/business/companies/{number}`: a company's current record.
    pub fn company(&self, number: &str) -> Result<CompanyResponse> {
        decode(self.company_json(number)?, "a company")
    }

    /// `GET /v1/business/companies/{number}/history`, as served: a proof document.
    pub fn company_history_json(&self, number: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies/{number}/history"))
    }

    /// `GET /v1/business/companies/{number}/history`: every version of a company's record.
    pub fn company_history(&self, number: &str) -> Result<CompanyHistoryResponse> {
        decode(self.company_history_json(number)?, "a company's history")
    }

    /// `GET /v1/business/companies?name=...`, as served: a proof document.
    pub fn company_by_name_json(&self, name: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies?name={}", url_encode(name)))
    }

    /// `GET /v1/business/companies?name=...`: the company registered under a name (ignoring case and spacing).
    pub fn company_by_name(&self, name: &str) -> Result<NameResponse> {
        decode(self.company_by_name_json(name)?, "a name lookup")
    }

    /// `GET /v1/business/companies/{number}/bods`: the company's owners as a list of BODS 0.4 statements, JSON
    /// objects of that standard (not a type of this crate).
    pub fn company_bods(&self, number: &str) -> Result<Vec<Value>> {
        decode(self.get(&format!("/v1/business/companies/{number}/bods"))?, "a BODS statement list")
    }
}
