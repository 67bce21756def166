//! The accounts module: agencies, officials, citizens, roles and key rotation.
//!
//! Every account has a DID, `did:publica:<chain>:<address>`, whose document [`did`] builds from its record and key
//! history.
//!
//! Every other module asks this one who a sender is and which roles they hold ([`query::require_role`]). The
//! layout follows the shape shared by all modules: [`call`] (its calls), [`schema`] (state layout), [`tx`] (calls and their checks),
//! [`query`] (reads), [`error`] (refusals with stable codes). Its rules are tested through execution, in
//! `crates/execution/tests`, where every call runs the way a block runs it.

pub mod call;
pub mod did;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;

pub use query::{account, agency, next_nonce, require_role};
pub use schema::{AccountKind, AccountRecord, AgencyRecord};
pub use tx::{apply_genesis, bump_nonce, check_agency_roles, execute, set_agency_roles};

/// Most roles one official may hold.
pub const MAX_ROLES: usize = 16;
