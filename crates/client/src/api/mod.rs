//! The REST API's request, response and error types, shared by the server (`publica-api`) and its clients: the
//! JSON bodies and query parameters a client sends, the JSON answer of every route, and the error every refusal
//! answers with (`docs/api.md`).
//!
//! The server builds its answers from these same types, so a client decodes exactly what is served; the API's
//! tests decode every JSON route into its type and check that encoding it again gives back the served JSON. A
//! few routes answer with a type of another crate: `GET /v1/genesis` with [`publica_types::Genesis`],
//! `GET /v1/state/{key}` with [`publica_verify::ReadProof`], `GET /v1/validators/history` with
//! [`publica_verify::ValidatorHistory`], and the as-of routes with [`publica_verify::OwnershipAnswer`] and
//! [`publica_verify::PermitStatusAnswer`], and `GET /v1/dids/{did}` with [`publica_verify::DidResolution`].

mod chain;
pub mod contracts;
mod credentials;
pub mod data;
mod elections;
mod evidence;
mod finance;
mod governance;
mod identity;
mod notary;
mod procurement;
mod registry;
mod state;
mod tx;
pub mod vault;

pub use chain::{BlockResponse, NodeStatus};
pub use credentials::{
    InvalidCredential, PublishTokenRequest, PublishTokenResponse, StatusAsOf, ValidCredential, VerifyCredentialRequest,
    VerifyCredentialResponse,
};
pub use elections::{
    BallotResponse, BoardEvent, BoardObject, ElectionCredentialResponse, ElectionResponse, ElectionsResponse,
    EventsResponse, LargeObject, ObjectChunkResponse, TrusteeInputResponse, TrusteeMessageResponse, MAX_ELECTIONS_PAGE,
    MAX_EVENTS_PAGE,
};
pub use evidence::{EvidenceRecord, EvidenceResponse};
pub use finance::{
    format_amount, AccountReadRequest, AccountReadResponse, AgencyAccountResponse, AllocationsResponse,
    BudgetLineResponse, BudgetResponse, CommitmentsResponse, CurrencyResponse, CurrencyTier, MonthExecution,
    NullifierResponse, PaymentResponse, PaymentsResponse, ProgrammePeriod, ProgrammeResponse, ProgrammesResponse,
    ReadAccess, DEFAULT_FINANCE_PAGE, MAX_FINANCE_PAGE,
};
pub use governance::{OneProposalResponse, ProposalResponse, ProposalsResponse, SetSummary, ValidatorsResponse};
pub use identity::{
    failed_check, status_name, AccreditationDecision, AccreditationResponse, ConsentResponse, ConsentsResponse,
    IssuerAccreditationsResponse, SchemaResponse, StatusEntryResponse, StatusListResponse,
};
pub use notary::{EntryResponse, WitnessInfo, WitnessesResponse};
pub use procurement::{
    AwardSummary, BidSummary, BidsResponse, ComplaintsResponse, ContractResponse, LotResponse, LotSummary,
    QuestionsResponse, RedFlagsResponse, SealingKeyResponse, TenderResponse, TenderSummary, TendersResponse,
    DEFAULT_PROCUREMENT_PAGE, MAX_LIST_BYTES, MAX_PROCUREMENT_PAGE,
};
pub use registry::{
    ApplicationResponse, CompanyHistoryResponse, CompanyResponse, NameResponse, ParcelHistoryResponse, ParcelResponse,
    PermitResponse, SearchResponse,
};
pub use state::AccountResponse;
pub use tx::{BatchResponse, BatchResult, SubmitResponse, TxState, TxStatusResponse};

use publica_types::{Code, TxError};
use serde::{Deserialize, Serialize};

/// The body of every error response: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// An error as JSON: the stable code as a string and as a number, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Stable string code (`Code::as_str`); what clients should match on.
    pub code: String,
    /// Stable numeric code (`Code::number`).
    pub number: u16,
    /// What was wrong and what to do.
    pub message: String,
}

impl ErrorBody {
    /// The body for `code` with `message`.
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        let code = code.into();
        Self { code: code.as_str().to_owned(), number: code.number(), message: message.into() }
    }
}

impl From<&TxError> for ErrorBody {
    fn from(e: &TxError) -> Self {
        Self::new(e.code, e.message.clone())
    }
}

/// Body of `POST /v1/transactions` in its JSON form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Canonical borsh bytes of the signed transaction, standard padded base64.
    pub tx: String,
}

/// Body of `POST /v1/transactions/batch`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Each transaction's canonical bytes, standard padded base64.
    pub txs: Vec<String>,
}

/// Query parameters of the block routes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockQuery {
    /// Include the full transactions.
    #[serde(default)]
    pub txs: bool,
}

/// Query of the consistency route, `GET /v1/notary/consistency?old=M&new=N`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older log size.
    pub old: u64,
    /// The newer log size.
    pub new: u64,
}

/// The time of an as-of question.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AtQuery {
    /// Unix milliseconds, a date or an RFC 3339 date-time; the last block's time when absent.
    pub at: Option<String>,
}

/// A bounding-box search.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchQuery {
    /// `min_lon,min_lat,max_lon,max_lat`, degrees.
    pub bbox: Option<String>,
}

/// A name lookup.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NameQuery {
    /// The name, compared ignoring case and spacing.
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_requests_keep_their_json_forms() {
        let body = ErrorBody::new(publica_types::ErrorCode::NotFound, "no such thing");
        let json = serde_json::to_string(&ErrorEnvelope { error: body.clone() }).unwrap();
        assert_eq!(
            json,
            format!(r#"{{"error":{{"code":"not_found","number":{},"message":"no such thing"}}}}"#, body.number)
        );
        assert_eq!(serde_json::from_str::<ErrorEnvelope>(&json).unwrap().error, body);
        let batch: BatchRequest = serde_json::from_str(r#"{"txs":["AA=="]}"#).unwrap();
        assert_eq!(batch.txs, ["AA=="]);
        assert!(serde_json::from_str::<SubmitRequest>(r#"{"tx":"AA==","extra":1}"#).is_err());
    }
}
