//! The contracts module: WebAssembly contracts uploaded by hash, deployed by a governance vote or by an agency's
//! administrator within a policy governance set, called by transaction with metered fuel, upgraded and unfrozen
//! only by a vote (`docs/contracts.md`).
//!
//! Code is uploaded by an official holding `contract-developer` and stored once under its SHA-256. An instance
//! runs one code version, owned by an agency whose daily fuel budget its calls spend; a call runs in
//! `publica-wasm` on the ledger's host ([`host`]), whose writes and events are buffered and applied only when the
//! contract returns 0, while the fuel used is charged either way and the result is kept as a [`schema::Receipt`].
//! Contracts read other modules' public state through the views of [`views`].
//!
//! The module has the shape every module shares: [`call`] (its calls), [`schema`] (state layout), [`tx`] (its
//! calls, their execution, and the changes governance applies through it), [`query`] (reads with the keys to
//! prove), [`error`] (refusals with stable codes, 4200 to 4299), plus [`host`] and [`views`].

pub mod call;
pub mod error;
pub mod host;
pub mod query;
pub mod schema;
pub mod tx;
pub mod views;

pub use call::{ContractsCall, Deployment, Policy};
pub use host::contract_address;
pub use schema::{Instance, Receipt};
pub use tx::execute;
