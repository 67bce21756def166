//! The data module: personal data kept off the ledger, and everything about it that must be on it.
//!
//! An agency's vault (a service beside its node) holds each record encrypted under its own data key. The ledger
//! holds, per record, a salted commitment to its fields, its owner, its category and its agency, never its
//! contents; and every act that decides who reads it:
//!
//! - **Records** ([`call::DataCall::RegisterRecord`]): registered by a `data-controller` of the vault's agency, a
//!   commitment once; erased on the owner's order or by the agency's retention rule for the category, leaving a
//!   tombstone that keeps the commitment, so every earlier proof stays valid.
//! - **Legal bases**: a citizen's consents (to an agency, one account, or a study), granted and revoked by the
//!   citizen or their legal representative (appointed by a `court`); court orders; public-health emergencies
//!   declared by a `health-authority`; the owner's own request.
//! - **Accesses**: every request is a transaction, written granted (pending) or refused with its reason; the vault
//!   releases a pending access sealed to the requester's key and reports it, the basis checked again then. The
//!   citizen's log lists them all.
//! - **Studies**: proposed by a `researcher`, approved by a `research-ethics-board` of another agency; they read
//!   only their declared fields of consenting citizens' records, and their counts are public.
//! - **Verification** ([`verify`]): the commitment's construction, and the requester's check of a release against
//!   it.
//!
//! The module has the shape every module shares: [`call`], [`schema`] (state layout, prefix `dat/`), [`tx`],
//! [`query`], [`error`] (codes 4100 to 4199), and [`verify`] for the offline rules.

pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;
pub mod verify;

pub use call::DataCall;
pub use error::{QueryError, ReleaseError};
pub use tx::{execute, MAX_PENDING_PER_RECORD, MAX_REPRESENTATIVES};

/// The role of an agency's officials who run its vault: register records, answer accesses, record erasures, set
/// retention.
pub const CONTROLLER_ROLE: &str = "data-controller";
/// The role of officials who ask for records on their agency's behalf (a doctor is a hospital official with it).
pub const REQUESTER_ROLE: &str = "data-requester";
/// The role of a court's officials: court orders, legal representatives.
pub const COURT_ROLE: &str = "court";
/// The role of a health authority's officials who declare and end public-health emergencies.
pub const HEALTH_AUTHORITY_ROLE: &str = "health-authority";
/// The role of a research institute's officials who propose studies and read under consents to them.
pub const RESEARCHER_ROLE: &str = "researcher";
/// The role of an ethics board's officials who approve other agencies' studies.
pub const ETHICS_BOARD_ROLE: &str = "research-ethics-board";
