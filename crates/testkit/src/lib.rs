//! Test kits for the modules' tests, and for tests only: use it as a dev-dependency, never from a crate's code.
//!
//! - [`MemoryState`]: an in-memory state (`StateRead + StateWrite`) that compares, clones and prints;
//! - [`keypair`], [`keypairs`], [`validator_set`]: deterministic signers and the sets they make;
//! - [`Accounts`]: agencies, officials and citizens written the way the accounts module stores them;
//! - [`context`]: the [`CallContext`](publica_types::CallContext) a module's `execute` runs under.
//!
//! It depends on `publica-types`, `publica-crypto` and `publica-accounts` only, so a module's tests stay quick to
//! build: nothing here pulls in execution, consensus or the node.

#![deny(missing_docs)]

mod accounts;
mod context;
mod signers;
mod state;

pub use accounts::Accounts;
pub use context::{context, Context, TEST_CHAIN_ID};
pub use signers::{keypair, keypairs, validator_set};
pub use state::MemoryState;
