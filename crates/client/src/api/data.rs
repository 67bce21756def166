//! Requests and answers of the personal data routes (`/v1/data/…`; the records are `publica_data::schema`'s,
//! `docs/api.md` "Personal data").
//!
//! Who holds a record at which agency, who asked for it and why are personal data, so the data module's state is
//! never served unsigned, except studies (with their counters), emergencies and retention rules. Every other read
//! is a [`DataQuery`] that its reader signs: a [`DataReadRequest`] naming the question, the reader and the time,
//! signed over [`DataReadRequest::signing_message`] and sent as a [`SignedDataRead`] to `POST /v1/data/read` (the
//! answer: [`DataReadResponse`]) or, for a citizen's log, to `POST /v1/data/log/stream` (a `text/event-stream` of
//! [`AccessEvent`]s).
//!
//! Every JSON answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs`
//! (one [`KeyProof`] per state key read, each naming that header's height), so `publica verify` checks it offline.

use borsh::{BorshDeserialize, BorshSerialize};
use publica_data::query::Listing;
use publica_data::schema::{
    Access, Consent, CourtOrder, Emergency, Record, Representation, RetentionRule, Study, StudyCounters,
};
use publica_types::{Address, AgencyId, Hash};
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// The tag of a read request's signing message ([`publica_types::signing_message`]).
pub const DATA_READ_TAG: &str = "data-read";
/// The role of officials who may read every record, access and basis of the data module (a data protection
/// authority's auditors).
pub const DATA_AUDITOR_ROLE: &str = "data-protection-auditor";
/// Most members one page of a signed read carries (`limit`): the module's page bound.
pub const MAX_DATA_PAGE: u32 = publica_data::query::MAX_PAGE as u32;
/// Most emergencies one page of `GET /v1/data/emergencies` carries.
pub const MAX_EMERGENCIES_PAGE: u32 = 100;
/// Emergencies in one page of `GET /v1/data/emergencies` when no `limit` is given.
pub const DEFAULT_EMERGENCIES_PAGE: u32 = 20;
/// Most retention rules `GET /v1/data/retention/{agency}` lists (ask for one category beyond them).
pub const MAX_RETENTION_RULES: usize = 200;

const _: () = assert!(MAX_DATA_PAGE as usize == publica_data::query::MAX_PAGE);

/// A question about the data module's private state, answered only to a reader allowed to see the answer.
///
/// JSON: externally tagged, `{"record": {"id": 3}}`, `{"owner_log": {"owner": "<40 hex>", "after": 17, "limit":
/// 50}}` (`after` may be left out), `{"record_by_commitment": {"commitment": "<64 hex>"}}`. Its borsh bytes are
/// signed, so variants are only ever appended.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DataQuery {
    /// A record's ledger entry (owner, category, commitment, state; a tombstone once erased).
    Record {
        /// The record's number (from 1).
        id: u64,
    },
    /// An access request, with its record's ledger entry.
    Access {
        /// The access's number (from 1).
        id: u64,
    },
    /// The citizen's log: every access to the owner's records, granted or refused, oldest first.
    OwnerLog {
        /// The citizen.
        owner: Address,
        /// Start after this access (its number); from the log's start when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
        /// How many, 1 to [`MAX_DATA_PAGE`].
        limit: u32,
    },
    /// The owner's records (tombstones included), oldest first.
    OwnerRecords {
        /// The citizen.
        owner: Address,
        /// Start after this record (its number); from the first when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
        /// How many, 1 to [`MAX_DATA_PAGE`].
        limit: u32,
    },
    /// The legal bases naming the owner: their consents and the court orders about them (newest first, at most
    /// [`MAX_DATA_PAGE`] of each), and their legal representatives (every one on record).
    OwnerBases {
        /// The citizen.
        owner: Address,
    },
    /// An agency's vault's queue: the pending accesses to its records (oldest first) and its records whose erasure
    /// is ordered (oldest first, from the queue's start: it empties as the vault records erasures).
    AgencyQueue {
        /// The agency.
        agency: AgencyId,
        /// Start the pending accesses after this access (its number); from the queue's start when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
        /// How many of each, 1 to [`MAX_DATA_PAGE`].
        limit: u32,
    },
    /// The record registered with a commitment.
    RecordByCommitment {
        /// The commitment.
        #[serde(with = "publica_types::codec::hex_hash")]
        commitment: Hash,
    },
}

impl DataQuery {
    /// The query's name, as its JSON tag and the answer's `query` say it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Record { .. } => "record",
            Self::Access { .. } => "access",
            Self::OwnerLog { .. } => "owner_log",
            Self::OwnerRecords { .. } => "owner_records",
            Self::OwnerBases { .. } => "owner_bases",
            Self::AgencyQueue { .. } => "agency_queue",
            Self::RecordByCommitment { .. } => "record_by_commitment",
        }
    }
}

/// What a reader signs: the question, the reader and the time, so that a signed request names one question, one
/// reader and a few minutes (the node accepts it within 5 minutes of its clock, either way).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataReadRequest {
    /// The question.
    pub query: DataQuery,
    /// The reader's account.
    pub reader: Address,
    /// When the request was made, Unix milliseconds.
    pub at_ms: u64,
}

impl DataReadRequest {
    /// The bytes the reader's key signs: [`publica_types::signing_message`] with [`DATA_READ_TAG`], the chain id and
    /// the request's borsh bytes.
    pub fn signing_message(&self, chain_id: &str) -> Vec<u8> {
        publica_types::signing_message(DATA_READ_TAG, chain_id, &borsh::to_vec(self).expect("a request encodes"))
    }
}

/// Body of `POST /v1/data/read` and `POST /v1/data/log/stream`: a read request and its reader's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedDataRead {
    /// What is signed.
    pub request: DataReadRequest,
    /// The reader's hybrid signature over `request.signing_message(chain_id)`, standard padded base64.
    pub signature: String,
}

/// Why a reader may see an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataStanding {
    /// The citizen the records are about.
    Owner,
    /// The citizen's legal representative, appointed by a court and in office at the certified block's time.
    Representative,
    /// The account that asked for the access read.
    Requester,
    /// An official holding `data-controller` in the agency whose vault holds the record (or whose queue is read).
    Controller,
    /// An official holding [`DATA_AUDITOR_ROLE`].
    Auditor,
}

/// The answer to a [`DataQuery`], tagged by the query's name (`"query": "owner_log"`).
// An access with its record is the largest answer (a few hundred bytes inline, its recipient key on the heap); an
// answer is built once per request and moved rarely, so boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataAnswer {
    /// A record's ledger entry.
    Record {
        /// The record.
        record: Record,
    },
    /// An access and its record's ledger entry (what a requester checks a release against).
    Access {
        /// The access.
        access: Access,
        /// Its record.
        record: Record,
    },
    /// A page of the citizen's log.
    OwnerLog {
        /// The accesses, oldest first; `next` is the `after` of the next page.
        accesses: Listing<Access>,
    },
    /// A page of the owner's records.
    OwnerRecords {
        /// The records, oldest first; `next` is the `after` of the next page.
        records: Listing<Record>,
    },
    /// The legal bases naming the owner.
    OwnerBases {
        /// Their consents, newest first.
        consents: Listing<Consent>,
        /// The court orders about them, newest first.
        court_orders: Listing<CourtOrder>,
        /// Every representation on record, current or ended, in the order of first appointment.
        representatives: Vec<Representation>,
    },
    /// An agency's vault's queue.
    AgencyQueue {
        /// The pending accesses to its records, oldest first; `next` is the `after` of the next page.
        accesses: Listing<Access>,
        /// Its records whose erasure is ordered, oldest first.
        erasures: Listing<Record>,
    },
    /// The record registered with the commitment.
    RecordByCommitment {
        /// The record.
        record: Record,
    },
}

/// The answer of `POST /v1/data/read`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataReadResponse {
    /// Who read: the request's signer.
    pub reader: Address,
    /// Why the reader may see the answer.
    pub standing: DataStanding,
    /// The answer.
    pub answer: DataAnswer,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of every key the answer was read from, in the order read: for a record, its key (after the
    /// commitment's index for `record_by_commitment`); for an access, the access's key then its record's; for a
    /// page, the list's head, the nodes walked and each member's key.
    pub proofs: Vec<KeyProof>,
}

/// A study with its public counters (`GET /v1/data/studies/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyResponse {
    /// The study: its agency, categories, declared fields, purpose, end and approval.
    pub study: Study,
    /// Its accesses in aggregate (zeros before the first).
    pub counters: StudyCounters,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the study's key, then of its counters' key (absent before the first access).
    pub proofs: Vec<KeyProof>,
}

/// An emergency and whether it is in force at the certified block's time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyStatus {
    /// The emergency.
    pub emergency: Emergency,
    /// Whether it is in force at `at_ms`: not ended, and before its end.
    pub current: bool,
}

/// A page of the public-health emergencies, current and ended (`GET /v1/data/emergencies`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergenciesResponse {
    /// The certified block's time, Unix milliseconds: what `current` is judged at.
    pub at_ms: u64,
    /// The emergencies, newest first.
    pub emergencies: Vec<EmergencyStatus>,
    /// How many were ever declared.
    pub total: u64,
    /// The `after` of the next page; `null` after the last.
    pub next: Option<u64>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the emergencies' counter, then of each emergency's key.
    pub proofs: Vec<KeyProof>,
}

/// An agency's retention rules (`GET /v1/data/retention/{agency}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionResponse {
    /// The agency.
    pub agency: AgencyId,
    /// Its rules, by category (one or none when a category is asked for).
    pub rules: Vec<RetentionRule>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the agency's record (present or absent), then of each rule's key (a category asked for: its key,
    /// present or absent).
    pub proofs: Vec<KeyProof>,
}

/// The first event of `POST /v1/data/log/stream` (`event: ready`): what the stream follows, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamReady {
    /// The citizen whose log is followed.
    pub owner: Address,
    /// The reader.
    pub reader: Address,
    /// The height the stream starts after: every access written or changed in a later block is sent.
    pub height: u64,
    /// When the node ends the stream (Unix milliseconds): then sign a new request.
    pub expires_at_ms: u64,
}

/// An access written or changed in a committed block (`event: access`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessEvent {
    /// The height of the committed state the access was read from.
    pub height: u64,
    /// That block's time, Unix milliseconds.
    pub time_ms: u64,
    /// The access as it stands at that height (several changes between two looks of the stream come as one event,
    /// with the latest state). Read it with proofs with a signed `access` query.
    pub access: Access,
}

/// Why the node ended a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamEndReason {
    /// The stream's hour is over: sign a new request to go on.
    Expired,
    /// The reader may no longer read the log (a representation ended, a role was revoked).
    NotPermitted,
}

/// The last event of a stream the node ends (`event: end`); a stream may also end without it (the node stopped).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamEnd {
    /// Why.
    pub reason: StreamEndReason,
    /// What to do.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Address {
        Address([7; 20])
    }

    #[test]
    fn queries_have_one_json_form_and_refuse_unknown_members() {
        let log = DataQuery::OwnerLog { owner: owner(), after: None, limit: 50 };
        let text = serde_json::to_string(&log).unwrap();
        assert_eq!(text, format!(r#"{{"owner_log":{{"owner":"{}","limit":50}}}}"#, owner()));
        assert_eq!(serde_json::from_str::<DataQuery>(&text).unwrap(), log);
        let paged: DataQuery =
            serde_json::from_str(&format!(r#"{{"owner_log":{{"owner":"{}","after":3,"limit":1}}}}"#, owner())).unwrap();
        assert_eq!(paged, DataQuery::OwnerLog { owner: owner(), after: Some(3), limit: 1 });
        for bad in [
            r#"{"record":{"id":1,"x":2}}"#,
            r#"{"record":{}}"#,
            r#"{"records":{"id":1}}"#,
            r#"{"record":{"id":1},"access":{"id":2}}"#,
            r#"{"record_by_commitment":{"commitment":"00"}}"#,
        ] {
            assert!(serde_json::from_str::<DataQuery>(bad).is_err(), "{bad}");
        }
        let request = DataReadRequest { query: DataQuery::Record { id: 1 }, reader: owner(), at_ms: 5 };
        let mut json = serde_json::to_value(&request).unwrap();
        json["extra"] = serde_json::json!(1);
        assert!(serde_json::from_value::<DataReadRequest>(json).is_err());
    }

    #[test]
    fn a_request_is_signed_over_its_borsh_bytes_for_one_chain() {
        let request = DataReadRequest { query: DataQuery::Access { id: 9 }, reader: owner(), at_ms: 1_000 };
        let message = request.signing_message("chain-a");
        assert_eq!(
            message,
            publica_types::signing_message(DATA_READ_TAG, "chain-a", &borsh::to_vec(&request).unwrap())
        );
        assert_ne!(message, request.signing_message("chain-b"));
        let other = DataReadRequest { query: DataQuery::Record { id: 9 }, ..request.clone() };
        assert_ne!(message, other.signing_message("chain-a"), "the query's kind is signed");
        // The variant index leads the query's bytes: appending variants keeps every signed request's bytes.
        assert_eq!(borsh::to_vec(&DataQuery::Record { id: 1 }).unwrap()[0], 0);
        assert_eq!(borsh::to_vec(&DataQuery::RecordByCommitment { commitment: [0; 32] }).unwrap()[0], 6);
    }

    #[test]
    fn answers_are_tagged_by_their_query() {
        let listing = Listing { items: Vec::new(), total: 0, next: None };
        let answer = DataAnswer::OwnerLog { accesses: listing };
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"query": "owner_log", "accesses": {"items": [], "total": 0, "next": null}})
        );
        assert_eq!(serde_json::from_value::<DataAnswer>(json.clone()).unwrap(), answer);
        let mut extra = json;
        extra["x"] = serde_json::json!(1);
        assert!(serde_json::from_value::<DataAnswer>(extra).is_err());
        assert_eq!(DataQuery::OwnerBases { owner: owner() }.name(), "owner_bases");
    }
}
