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
use base64::Engine as _;
use publica_crypto::Keypair;
use publica_finance::call::{Holder, ReadRequest};
use publica_types::{Address, AgencyId, ChainId, Genesis, Hash, TxId};
use publica_verify::{DidResolution, OwnershipAnswer, PermitStatusAnswer, ReadProof, ValidatorHistory};
use serde_json::Value;

use crate::api::contracts::{
    ContractCodeResponse, ContractEventsResponse, ContractInstanceResponse, ContractInstancesResponse,
    ContractPolicyResponse, ContractReceiptResponse, ContractStateResponse,
};
use crate::api::{
    AccountReadRequest, AccountReadResponse, AccountResponse, AccreditationResponse, AgencyAccountResponse,
    AllocationsResponse, ApplicationResponse, BallotResponse, BidsResponse, BlockResponse, BudgetLineResponse,
    BudgetResponse, CommitmentsResponse, CompanyHistoryResponse, CompanyResponse, ComplaintsResponse, ConsentResponse,
    ConsentsResponse, ContractResponse, CurrencyResponse, ElectionCredentialResponse, ElectionResponse,
    ElectionsResponse, EntryResponse, EventsResponse, EvidenceResponse, IssuerAccreditationsResponse, LotResponse,
    NameResponse, NodeStatus, NullifierResponse, ObjectChunkResponse, OneProposalResponse, ParcelHistoryResponse,
    ParcelResponse, PaymentResponse, PaymentsResponse, PermitResponse, ProgrammeResponse, ProgrammesResponse,
    ProposalsResponse, PublishTokenRequest, PublishTokenResponse, QuestionsResponse, SchemaResponse,
    SealingKeyResponse, SearchResponse, StatusEntryResponse, StatusListResponse, TenderResponse, TendersResponse,
    TrusteeInputResponse, TrusteeMessageResponse, TxStatusResponse, ValidatorsResponse, VerifyCredentialRequest,
    VerifyCredentialResponse, WitnessInfo, WitnessesResponse,
};
use crate::http::{decode, Client, Text};
use crate::signer::now_ms;

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

/// A query string from the parameters that are given (`?a=1&b=2`, or nothing).
fn query_string(params: &[(&str, Option<String>)]) -> String {
    let given: Vec<String> =
        params.iter().filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={}", url_encode(v)))).collect();
    if given.is_empty() {
        String::new()
    } else {
        format!("?{}", given.join("&"))
    }
}

/// A page of a listing: the first item's position and the most items (the node's defaults when `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The first item (from 0).
    pub from: Option<u64>,
    /// The most items.
    pub limit: Option<u32>,
}

impl Page {
    fn query(self) -> String {
        query_string(&[("from", self.from.map(|f| f.to_string())), ("limit", self.limit.map(|l| l.to_string()))])
    }
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

    /// `GET /v1/identity/schemas/{hash}`, as served: a proof document.
    pub fn identity_schema_json(&self, hash: &Hash) -> Result<Value> {
        self.get(&format!("/v1/identity/schemas/{}", hex::encode(hash)))
    }

    /// `GET /v1/identity/schemas/{hash}`: a credential schema by the SHA-256 of its document.
    pub fn identity_schema(&self, hash: &Hash) -> Result<SchemaResponse> {
        decode(self.identity_schema_json(hash)?, "a credential schema")
    }

    /// `GET /v1/identity/schemas?type=&version=`, as served: a proof document.
    pub fn identity_schema_by_version_json(&self, credential_type: &str, version: u32) -> Result<Value> {
        self.get(&format!("/v1/identity/schemas?type={}&version={version}", url_encode(credential_type)))
    }

    /// `GET /v1/identity/schemas?type=&version=`: the schema registered for a credential type and version.
    pub fn identity_schema_by_version(&self, credential_type: &str, version: u32) -> Result<SchemaResponse> {
        decode(self.identity_schema_by_version_json(credential_type, version)?, "a credential schema")
    }

    /// `GET /v1/identity/accreditations/{id}[?at=MS]`, as served: a proof document.
    pub fn accreditation_json(&self, id: u64, at_ms: Option<u64>) -> Result<Value> {
        self.get(&format!("/v1/identity/accreditations/{id}{}", at_query(at_ms)))
    }

    /// `GET /v1/identity/accreditations/{id}[?at=MS]`: an accreditation, its chain up to its root and whether its
    /// issuer was accredited at the time (the last block's without one).
    pub fn accreditation(&self, id: u64, at_ms: Option<u64>) -> Result<AccreditationResponse> {
        decode(self.accreditation_json(id, at_ms)?, "an accreditation")
    }

    /// `GET /v1/identity/issuers/{address}/accreditations?type=`, as served: a proof document.
    pub fn issuer_accreditations_json(&self, issuer: &Address, credential_type: &str) -> Result<Value> {
        self.get(&format!("/v1/identity/issuers/{issuer}/accreditations?type={}", url_encode(credential_type)))
    }

    /// `GET /v1/identity/issuers/{address}/accreditations?type=`: an issuer's accreditations for a type.
    pub fn issuer_accreditations(
        &self,
        issuer: &Address,
        credential_type: &str,
    ) -> Result<IssuerAccreditationsResponse> {
        decode(self.issuer_accreditations_json(issuer, credential_type)?, "an issuer's accreditations")
    }

    /// `GET /v1/identity/status-lists/{owner}/{list}[?from_chunk=&chunks=]`, as served: a proof document.
    pub fn status_list_json(
        &self,
        owner: &Address,
        list: u32,
        from_chunk: Option<u32>,
        chunks: Option<u32>,
    ) -> Result<Value> {
        let query = query_string(&[
            ("from_chunk", from_chunk.map(|c| c.to_string())),
            ("chunks", chunks.map(|c| c.to_string())),
        ]);
        self.get(&format!("/v1/identity/status-lists/{owner}/{list}{query}"))
    }

    /// `GET /v1/identity/status-lists/{owner}/{list}[?from_chunk=&chunks=]`: a status list's header and packed
    /// entries (a page of its chunks for a large list).
    pub fn status_list(
        &self,
        owner: &Address,
        list: u32,
        from_chunk: Option<u32>,
        chunks: Option<u32>,
    ) -> Result<StatusListResponse> {
        decode(self.status_list_json(owner, list, from_chunk, chunks)?, "a status list")
    }

    /// `GET /v1/identity/status-lists/{owner}/{list}/entries/{index}`, as served: a proof document.
    pub fn status_entry_json(&self, owner: &Address, list: u32, index: u32) -> Result<Value> {
        self.get(&format!("/v1/identity/status-lists/{owner}/{list}/entries/{index}"))
    }

    /// `GET /v1/identity/status-lists/{owner}/{list}/entries/{index}`: one entry's status, proven by one chunk.
    pub fn status_entry(&self, owner: &Address, list: u32, index: u32) -> Result<StatusEntryResponse> {
        decode(self.status_entry_json(owner, list, index)?, "a status list entry")
    }

    /// `POST /v1/credentials/verify`: a credential presentation checked by the node against its own state (the
    /// issuer's key at issuance, the presentation, the accreditation chain at issuance, the status).
    pub fn verify_credential(&self, request: &VerifyCredentialRequest) -> Result<VerifyCredentialResponse> {
        decode(self.post("/v1/credentials/verify", &serde_json::to_value(request)?)?, "a credential verification")
    }

    /// `POST /v1/identity/status-lists/{owner}/{list}/token`: publish a status list token the list's owner signed;
    /// the node serves it for as long as its bits are the ledger's.
    pub fn publish_status_token(&self, owner: &Address, list: u32, token: &str) -> Result<PublishTokenResponse> {
        let body = serde_json::to_value(PublishTokenRequest { token: token.to_owned() })?;
        decode(self.post(&format!("/v1/identity/status-lists/{owner}/{list}/token"), &body)?, "a token's publication")
    }

    /// `GET /v1/identity/status-lists/{owner}/{list}/token`: the status list token published for the list, as
    /// served (`application/statuslist+jwt`).
    pub fn status_token(&self, owner: &Address, list: u32) -> Result<String> {
        self.get_text_ok(&format!("/v1/identity/status-lists/{owner}/{list}/token"))
    }

    /// `GET /v1/identity/consents/{id}[?from=&limit=]`, as served: a proof document.
    pub fn consent_json(&self, id: u64, uses: Page) -> Result<Value> {
        self.get(&format!("/v1/identity/consents/{id}{}", uses.query()))
    }

    /// `GET /v1/identity/consents/{id}[?from=&limit=]`: a consent with a page of its recorded uses.
    pub fn consent(&self, id: u64, uses: Page) -> Result<ConsentResponse> {
        decode(self.consent_json(id, uses)?, "a consent")
    }

    /// `GET /v1/identity/grantors/{address}/consents[?from=&limit=]`, as served: a proof document.
    pub fn grantor_consents_json(&self, grantor: &Address, page: Page) -> Result<Value> {
        self.get(&format!("/v1/identity/grantors/{grantor}/consents{}", page.query()))
    }

    /// `GET /v1/identity/grantors/{address}/consents[?from=&limit=]`: the consents a citizen granted.
    pub fn grantor_consents(&self, grantor: &Address, page: Page) -> Result<ConsentsResponse> {
        decode(self.grantor_consents_json(grantor, page)?, "a grantor's consents")
    }

    /// `GET /v1/identity/grantees/{address}/consents[?from=&limit=]`, as served: a proof document.
    pub fn grantee_consents_json(&self, grantee: &Address, page: Page) -> Result<Value> {
        self.get(&format!("/v1/identity/grantees/{grantee}/consents{}", page.query()))
    }

    /// `GET /v1/identity/grantees/{address}/consents[?from=&limit=]`: the consents granted to an account.
    pub fn grantee_consents(&self, grantee: &Address, page: Page) -> Result<ConsentsResponse> {
        decode(self.grantee_consents_json(grantee, page)?, "a grantee's consents")
    }

    /// `GET /v1/elections[?from=&limit=]`: elections in the order they were created, with proofs.
    pub fn elections(&self, page: Page) -> Result<ElectionsResponse> {
        decode(self.get(&format!("/v1/elections{}", page.query()))?, "a list of elections")
    }

    /// `GET /v1/elections/{id}`, as served: a proof document.
    pub fn election_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/elections/{id}"))
    }

    /// `GET /v1/elections/{id}`: an election, its Belenios object and fingerprint, its result once decided.
    pub fn election(&self, id: u64) -> Result<ElectionResponse> {
        decode(self.election_json(id)?, "an election")
    }

    /// `GET /v1/elections/{id}/ballots/{hash}`, as served: a voter's receipt checked against the board, a proof
    /// document.
    pub fn election_ballot_json(&self, id: u64, ballot: &Hash) -> Result<Value> {
        self.get(&format!("/v1/elections/{id}/ballots/{}", hex::encode(ballot)))
    }

    /// `GET /v1/elections/{id}/ballots/{hash}`: where a ballot is on the board and whether it is counted.
    pub fn election_ballot(&self, id: u64, ballot: &Hash) -> Result<BallotResponse> {
        decode(self.election_ballot_json(id, ballot)?, "a ballot on the board")
    }

    /// `GET /v1/elections/{id}/credentials/{credential}`: a public credential's weight and ballots.
    pub fn election_credential(&self, id: u64, credential: &str) -> Result<ElectionCredentialResponse> {
        decode(self.get(&format!("/v1/elections/{id}/credentials/{credential}"))?, "a public credential")
    }

    /// `GET /v1/elections/{id}/trustees/{trustee}/messages/{step}`: a trustee's key-generation message.
    pub fn trustee_message(&self, id: u64, trustee: u32, step: u8) -> Result<TrusteeMessageResponse> {
        decode(self.get(&format!("/v1/elections/{id}/trustees/{trustee}/messages/{step}"))?, "a trustee's message")
    }

    /// `GET /v1/elections/{id}/trustees/{trustee}/input`: what the trustee needs for step 5 of the key
    /// generation, built from every trustee's polynomial.
    pub fn trustee_input(&self, id: u64, trustee: u32) -> Result<TrusteeInputResponse> {
        decode(self.get(&format!("/v1/elections/{id}/trustees/{trustee}/input"))?, "a trustee's input")
    }

    /// `GET /v1/elections/{id}/events[?from=&limit=]`: a page of the board, with the objects its events name.
    pub fn election_events(&self, id: u64, page: Page) -> Result<EventsResponse> {
        decode(self.get(&format!("/v1/elections/{id}/events{}", page.query()))?, "a page of the board")
    }

    /// `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`: one stored chunk of an object of the board, for the
    /// objects a page of events lists as too large to carry (`EventsResponse::large_objects`). No proof: the
    /// caller checks the object, put together, against the SHA-256 a proven event names.
    pub fn election_object_chunk(&self, id: u64, hash: &Hash, index: u32) -> Result<ObjectChunkResponse> {
        decode(
            self.get(&format!("/v1/elections/{id}/objects/{}/chunks/{index}", hex::encode(hash)))?,
            "a chunk of a board's object",
        )
    }

    /// `GET /v1/finance/currencies/{code}`, as served: a proof document.
    pub fn finance_currency_json(&self, code: &str) -> Result<Value> {
        self.get(&format!("/v1/finance/currencies/{}", url_encode(code)))
    }

    /// `GET /v1/finance/currencies/{code}`: a currency's supply and issuer, and the tiers it defines.
    pub fn finance_currency(&self, code: &str) -> Result<CurrencyResponse> {
        decode(self.finance_currency_json(code)?, "a currency")
    }

    /// `GET /v1/finance/currencies/{code}/agencies/{agency}`: an agency's public account in a currency.
    pub fn finance_agency_account(&self, code: &str, agency: &AgencyId) -> Result<AgencyAccountResponse> {
        let path = format!("/v1/finance/currencies/{}/agencies/{agency}", url_encode(code));
        decode(self.get(&path)?, "an agency's account")
    }

    /// `GET /v1/finance/budgets/{year}[?from=&limit=]`, as served: a proof document.
    pub fn finance_budget_json(&self, year: u16, lines: Page) -> Result<Value> {
        self.get(&format!("/v1/finance/budgets/{year}{}", lines.query()))
    }

    /// `GET /v1/finance/budgets/{year}[?from=&limit=]`: a fiscal year's budget with a page of its lines.
    pub fn finance_budget(&self, year: u16, lines: Page) -> Result<BudgetResponse> {
        decode(self.finance_budget_json(year, lines)?, "a budget")
    }

    /// `GET /v1/finance/budgets/{year}/lines/{code}`: a budget line and what it moved each month.
    pub fn finance_budget_line(&self, year: u16, code: &str) -> Result<BudgetLineResponse> {
        decode(self.get(&format!("/v1/finance/budgets/{year}/lines/{}", url_encode(code)))?, "a budget line")
    }

    /// `GET /v1/finance/budgets/{year}/lines.csv`: every line of a budget as CSV (RFC 4180), amounts as exact
    /// decimals in the currency's unit. Read as a text document: at most [`crate::http::MAX_TEXT_BYTES`].
    pub fn finance_budget_lines_csv(&self, year: u16) -> Result<String> {
        self.get_text_ok(&format!("/v1/finance/budgets/{year}/lines.csv"))
    }

    /// `GET /v1/finance/payments[?from=&limit=]`: payments in the order they were made, with proofs.
    pub fn finance_payments(&self, page: Page) -> Result<PaymentsResponse> {
        decode(self.get(&format!("/v1/finance/payments{}", page.query()))?, "a list of payments")
    }

    /// `GET /v1/finance/payments/{id}`, as served: a proof document.
    pub fn finance_payment_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/finance/payments/{id}"))
    }

    /// `GET /v1/finance/payments/{id}`: a payment traced to its commitment, allocation, budget line and budget.
    pub fn finance_payment(&self, id: u64) -> Result<PaymentResponse> {
        decode(self.finance_payment_json(id)?, "a payment")
    }

    /// `GET /v1/finance/allocations[?from=&limit=]`: allocations of budget lines to agencies, with proofs.
    pub fn finance_allocations(&self, page: Page) -> Result<AllocationsResponse> {
        decode(self.get(&format!("/v1/finance/allocations{}", page.query()))?, "a list of allocations")
    }

    /// `GET /v1/finance/commitments[?from=&limit=]`: commitments against allocations, with proofs.
    pub fn finance_commitments(&self, page: Page) -> Result<CommitmentsResponse> {
        decode(self.get(&format!("/v1/finance/commitments{}", page.query()))?, "a list of commitments")
    }

    /// `GET /v1/finance/programmes[?from=&limit=]`: welfare programmes, with proofs.
    pub fn finance_programmes(&self, page: Page) -> Result<ProgrammesResponse> {
        decode(self.get(&format!("/v1/finance/programmes{}", page.query()))?, "a list of programmes")
    }

    /// `GET /v1/finance/programmes/{id}`: a welfare programme and its totals for each of its periods.
    pub fn finance_programme(&self, id: u64) -> Result<ProgrammeResponse> {
        decode(self.get(&format!("/v1/finance/programmes/{id}"))?, "a programme")
    }

    /// `GET /v1/finance/nullifiers/{scheme}/{period}/{nullifier}`: whether a nullifier is recorded for a scheme and
    /// a period (`YYYYMM`), proven either way.
    pub fn finance_nullifier(&self, scheme: &str, period: u32, nullifier: &Hash) -> Result<NullifierResponse> {
        let path = format!("/v1/finance/nullifiers/{}/{period}/{}", url_encode(scheme), hex::encode(nullifier));
        decode(self.get(&path)?, "a nullifier")
    }

    /// `POST /v1/finance/accounts/read` with a request already signed, as served: a proof document.
    pub fn finance_account_read_json(&self, request: &AccountReadRequest) -> Result<Value> {
        self.post("/v1/finance/accounts/read", &serde_json::to_value(request)?)
    }

    /// `POST /v1/finance/accounts/read` with a request already signed: a private account and a page of its
    /// history.
    pub fn finance_account_read(&self, request: &AccountReadRequest) -> Result<AccountReadResponse> {
        decode(self.finance_account_read_json(request)?, "a private account")
    }

    /// Read a private account (a citizen's own wallet, a company's account the key operates, or any account for an
    /// official holding `finance-auditor`): the request, made now, names the account `reader` currently signs for
    /// (the ledger's key index, as [`Client::sender_for`] finds it) and is signed with `reader` on `chain_id` (see
    /// [`Client::chain_id`]). The node accepts it for 5 minutes either side of its clock.
    pub fn read_finance_account(
        &self,
        reader: &Keypair,
        chain_id: &ChainId,
        currency: &str,
        holder: &Holder,
        history: Page,
    ) -> Result<AccountReadResponse> {
        let account = self.sender_for(reader.address(), None)?;
        let request = signed_account_read(reader, account, chain_id, currency, holder, history, now_ms());
        self.finance_account_read(&request)
    }

    /// `GET /v1/procurement/keys/{id}`: a sealing key: its holders, threshold, deadlines and stage, and once ready
    /// its public key and the holders' verification keys.
    pub fn procurement_key(&self, id: u64) -> Result<SealingKeyResponse> {
        decode(self.get(&format!("/v1/procurement/keys/{id}"))?, "a sealing key")
    }

    /// `GET /v1/procurement/tenders[?from=&limit=]`: tenders from `from` (from 1), each with its status at the
    /// certified block's time.
    pub fn procurement_tenders(&self, page: Page) -> Result<TendersResponse> {
        decode(self.get(&format!("/v1/procurement/tenders{}", page.query()))?, "a list of tenders")
    }

    /// `GET /v1/procurement/tenders/{id}`, as served: a proof document.
    pub fn procurement_tender_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/procurement/tenders/{id}"))
    }

    /// `GET /v1/procurement/tenders/{id}`: a tender, its status, amendments, and each lot's state and standing award.
    pub fn procurement_tender(&self, id: u64) -> Result<TenderResponse> {
        decode(self.procurement_tender_json(id)?, "a tender")
    }

    /// `GET /v1/procurement/tenders/{id}/questions[?from=&limit=]`: a tender's questions and their answers.
    pub fn procurement_questions(&self, tender: u64, page: Page) -> Result<QuestionsResponse> {
        let path = format!("/v1/procurement/tenders/{tender}/questions{}", page.query());
        decode(self.get(&path)?, "a tender's questions")
    }

    /// `GET /v1/procurement/tenders/{id}/bids[?from=&limit=]`: a tender's bids, their sealed boxes by size and hash,
    /// and what each said once opened.
    pub fn procurement_bids(&self, tender: u64, page: Page) -> Result<BidsResponse> {
        decode(self.get(&format!("/v1/procurement/tenders/{tender}/bids{}", page.query()))?, "a tender's bids")
    }

    /// `GET /v1/procurement/tenders/{id}/lots/{index}`, as served: a proof document.
    pub fn procurement_lot_json(&self, tender: u64, lot: u16) -> Result<Value> {
        self.get(&format!("/v1/procurement/tenders/{tender}/lots/{lot}"))
    }

    /// `GET /v1/procurement/tenders/{id}/lots/{index}`: a lot, its ranking as it stands (or what is missing) and
    /// every award round.
    pub fn procurement_lot(&self, tender: u64, lot: u16) -> Result<LotResponse> {
        decode(self.procurement_lot_json(tender, lot)?, "a lot")
    }

    /// `GET /v1/procurement/tenders/{id}/complaints[?from=&limit=]`: a tender's complaints and their decisions.
    pub fn procurement_complaints(&self, tender: u64, page: Page) -> Result<ComplaintsResponse> {
        let path = format!("/v1/procurement/tenders/{tender}/complaints{}", page.query());
        decode(self.get(&path)?, "a tender's complaints")
    }

    /// `GET /v1/procurement/contracts/{id}`, as served: a proof document.
    pub fn procurement_contract_json(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/procurement/contracts/{id}"))
    }

    /// `GET /v1/procurement/contracts/{id}`: a contract with its amendments.
    pub fn procurement_contract(&self, id: u64) -> Result<ContractResponse> {
        decode(self.procurement_contract_json(id)?, "a contract")
    }

    /// `GET /v1/contracts/code/{hash}`: uploaded contract code (its bytes in base64), who uploaded it and when.
    pub fn contract_code(&self, hash: &Hash) -> Result<ContractCodeResponse> {
        decode(self.get(&format!("/v1/contracts/code/{}", hex::encode(hash)))?, "contract code")
    }

    /// `GET /v1/contracts/instances[?from=&limit=]`: a page of the contract instances by number, from `from` (from
    /// 0), at most `limit` (1 to 100, default 20).
    pub fn contract_instances(&self, page: Page) -> Result<ContractInstancesResponse> {
        decode(self.get(&format!("/v1/contracts/instances{}", page.query()))?, "a page of contract instances")
    }

    /// `GET /v1/contracts/instances/{id}`: a contract instance by its number (digits only) or its name.
    pub fn contract_instance(&self, number_or_name: &str) -> Result<ContractInstanceResponse> {
        let path = format!("/v1/contracts/instances/{}", url_encode(number_or_name));
        decode(self.get(&path)?, "a contract instance")
    }

    /// `GET /v1/contracts/instances/{id}/state/{key}`: one key of an instance's own state, present or proven
    /// absent.
    pub fn contract_state(&self, instance: u64, key: &[u8]) -> Result<ContractStateResponse> {
        let path = format!("/v1/contracts/instances/{instance}/state/{}", hex::encode(key));
        decode(self.get(&path)?, "a contract's state key")
    }

    /// `GET /v1/contracts/instances/{id}/events[?from=&limit=]`: a page of an instance's events, from `from` (from
    /// 0).
    pub fn contract_events(&self, instance: u64, page: Page) -> Result<ContractEventsResponse> {
        let path = format!("/v1/contracts/instances/{instance}/events{}", page.query());
        decode(self.get(&path)?, "a contract's events")
    }

    /// `GET /v1/contracts/receipts/{id}`: what a committed contract call did.
    pub fn contract_receipt(&self, tx_id: &TxId) -> Result<ContractReceiptResponse> {
        decode(self.get(&format!("/v1/contracts/receipts/{tx_id}"))?, "a contract call's receipt")
    }

    /// `GET /v1/contracts/policies/{agency}`: an agency's contract policy and the fuel its instances used on the
    /// certified block's day.
    pub fn contract_policy(&self, agency: &AgencyId) -> Result<ContractPolicyResponse> {
        decode(self.get(&format!("/v1/contracts/policies/{agency}"))?, "an agency's contract policy")
    }
}

/// The body of `POST /v1/finance/accounts/read`: the request of `reader_account` for `holder`'s account in `currency`
/// at `at_ms`, signed with `key` on `chain_id`.
pub fn signed_account_read(
    key: &Keypair,
    reader_account: Address,
    chain_id: &ChainId,
    currency: &str,
    holder: &Holder,
    history: Page,
    at_ms: u64,
) -> AccountReadRequest {
    let request = ReadRequest { currency: currency.to_owned(), holder: holder.clone(), reader: reader_account, at_ms };
    let signature = key.sign(&request.signing_message(chain_id.as_str()));
    AccountReadRequest {
        request,
        signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        from: history.from,
        limit: history.limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_read_is_signed_over_the_request_it_carries_for_one_chain() {
        let key = Keypair::from_seed(&[7; 32]);
        let chain: ChainId = "test-chain".parse().unwrap();
        let holder = Holder::Citizen(key.address());
        let page = Page { from: Some(2), limit: None };
        let body = signed_account_read(&key, key.address(), &chain, "EUR", &holder, page, 1_000);
        assert_eq!((body.from, body.limit, body.request.at_ms), (Some(2), None, 1_000));
        assert_eq!((body.request.reader, &body.request.holder), (key.address(), &holder));
        let bytes = base64::engine::general_purpose::STANDARD.decode(&body.signature).unwrap();
        let signature = publica_crypto::Signature::from_bytes(&bytes).unwrap();
        key.public_key().verify(&body.request.signing_message(chain.as_str()), &signature).unwrap();
        assert!(key.public_key().verify(&body.request.signing_message("other-chain"), &signature).is_err());
    }

    #[test]
    fn query_strings_carry_only_the_parameters_given() {
        assert_eq!(Page::default().query(), "");
        assert_eq!(Page { from: Some(5), limit: None }.query(), "?from=5");
        assert_eq!(Page { from: Some(0), limit: Some(10) }.query(), "?from=0&limit=10");
        assert_eq!(
            query_string(&[("type", Some("https://x.example/vct a".into())), ("version", None)]),
            "?type=https%3A%2F%2Fx.example%2Fvct%20a"
        );
    }
}
