//! The registry module: versioned records with multi-party approval workflows, and on top of them the land
//! registry (parcels, titles, encumbrances), permits and licences, and the business register (with its export in
//! the Beneficial Ownership Data Standard).
//!
//! Layout, as for every module: [`call`] (the calls and their payloads), [`schema`] (state layout and record types), [`tx`] (the calls, dispatched to
//! [`land`], [`permits`], [`business`] and [`workflow`], which hold their checks), [`query`] (reads, returning the
//! keys to prove), [`verify`] (the verifier's decisions from proven versions, used by `publica-verify`),
//! [`error`] (refusals with stable codes), and the parts they share: [`engine`] (versioned records and as-of
//! answers), [`rules`] (who may do what), [`geo`] (exact parcel geometry and the spatial index), [`bods`] (the
//! BODS export). The full specification is `docs/registry.md`.
//!
//! Execution is deterministic by construction: time comes only from the block
//! ([`CallContext::time_ms`](publica_types::CallContext::time_ms)), geometry is exact integer arithmetic, the area
//! uses only correctly rounded floating-point operations, and no output depends on hash-map order.

pub mod bods;
pub mod business;
pub mod call;
pub mod engine;
pub mod error;
pub mod geo;
pub mod land;
pub mod permits;
pub mod query;
pub mod rules;
pub mod schema;
mod shares;
pub mod tx;
pub mod verify;
pub mod workflow;

pub use error::RegistryError;
pub use tx::execute;
