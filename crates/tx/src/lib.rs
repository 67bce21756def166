//! The transaction envelope: the modules' calls gathered into one [`Call`], signed [`Transaction`]s, and the
//! [`Block`]s that carry them.
//!
//! Each module owns its calls (their fields, limits and signed messages); this crate only dispatches by module, so
//! it is the one place that knows every module. Everything below it (the shared vocabulary of `publica-types`, the
//! modules) builds without it; everything that sends, orders, stores or executes transactions sits above it.
//! Untrusted bytes are decoded through [`Transaction::decode`] and [`Block::decode`], which enforce the size limits
//! of `publica-types` and the canonical form.

pub mod block;
pub mod call;
pub mod tx;

pub use block::{tx_root, Block};
pub use call::Call;
pub use tx::{Transaction, TxBody, TX_TAG};

pub use publica_accounts::call::AccountsCall;
pub use publica_contracts::call::ContractsCall;
pub use publica_data::call::DataCall;
pub use publica_elections::call::ElectionsCall;
pub use publica_finance::call::FinanceCall;
pub use publica_governance::call::GovernanceCall;
pub use publica_identity::call::IdentityCall;
pub use publica_notary::call::NotaryCall;
pub use publica_procurement::call::ProcurementCall;
pub use publica_registry::call::RegistryCall;
