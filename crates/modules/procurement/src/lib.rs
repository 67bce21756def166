//! The procurement module: tenders whose sealed bids nobody can open early, fair awards, complaints, contracts,
//! and their publication in the Open Contracting Data Standard.
//!
//! - **Sealing keys** ([`keys`]): named key holders make a key together, by a distributed key generation run
//!   through transactions; any `threshold` of them open what is sealed to it, fewer learn nothing.
//! - **Tenders** ([`tender`]): items (CPV), lots, weighted award criteria, documents by hash, a timeline;
//!   amendments before the bid deadline move it by the extension rule; public questions and answers.
//! - **Bids** ([`bids`]): sealed to the tender's key by a director or the chair of a registered, active company;
//!   replaced or withdrawn until the deadline; opened from the opening time by the key holders' decryption shares,
//!   each checked against its proof.
//! - **Awards** ([`award`]): the committee's scores, the ranking computed from the published weights, the award
//!   to the best-ranked bid or a reasoned departure, the standstill, complaints decided by an independent review body.
//! - **Contracts** ([`contract`]): signed by both parties, never above the award without a recorded amendment,
//!   milestones delivered and paid by the finance module's payments against the tender's commitment.
//! - **Publication** ([`query`], [`ocds`], [`flags`]): reads with the keys that prove them, OCDS 1.1 release and
//!   record packages, and the red flags the data shows.
//!
//! The module has the shape every module shares: [`call`], [`schema`] (state layout, prefix `pro/`), [`tx`],
//! [`query`], [`error`] (codes 4000 to 4099). `docs/procurement.md` describes the model and the sealed-bid
//! construction's trust assumptions.

pub mod award;
pub mod bids;
pub mod call;
pub mod contract;
pub mod error;
pub mod flags;
pub mod keys;
pub mod ocds;
pub mod query;
pub mod schema;
pub mod tender;
pub mod tx;

pub use call::ProcurementCall;
pub use tx::execute;

/// The role of a procurement authority's officials who start key ceremonies.
pub const AUTHORITY_ROLE: &str = "procurement-authority";
/// The role of the officials who hold shares of sealing keys.
pub const KEY_HOLDER_ROLE: &str = "key-holder";
/// The role of an agency's officials who publish and run its tenders and sign its contracts.
pub const ENTITY_ROLE: &str = "procuring-entity";
/// The role of the members of evaluation committees.
pub const EVALUATOR_ROLE: &str = "evaluator";
/// The role of a review body's officials who decide complaints.
pub const REVIEW_ROLE: &str = "review-body";

/// Refuse a text that is empty or longer than `max` bytes.
pub(crate) fn check_text(what: &str, text: &str, max: usize) -> Result<(), publica_types::TxError> {
    if text.is_empty() || text.len() > max {
        return Err(error::refuse(
            error::TEXT_INVALID,
            format!("the {what} must be 1 to {max} bytes, not {}", text.len()),
        ));
    }
    Ok(())
}
