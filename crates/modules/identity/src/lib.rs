//! The identity module: the ledger side of verifiable credentials. It keeps who may issue what, never the
//! credentials themselves.
//!
//! - **Schemas**: JSON Schema 2020-12 documents registered by trust roots for a credential type and version,
//!   identified by their SHA-256.
//! - **Accreditations**: "issuer X may issue type T (schema S) from A until B, accredited by Y", where Y is a
//!   trust root (an official holding `trust-root` in an agency that may grant it: a ministry named in genesis or by
//!   governance) or is itself accredited for T; chains of at most [`MAX_ACCREDITATION_CHAIN_LINKS`] links, decided
//!   offline by [`verify::accredited_at`].
//! - **Status lists**: IETF Token Status List bits (1 or 2 per credential) owned by an issuer, stored in 1 KiB
//!   chunks so that one entry is proven by one chunk ([`verify::status_at`]).
//! - **Consents**: a citizen lets a grantee rely on a credential (by digest) for named claims, for a purpose, until
//!   a time; the grantee records each use.
//!
//! The module has the shape every module shares: [`call`], [`schema`] (state layout, prefix `idn/`), [`tx`],
//! [`query`], [`error`] (codes 3700 to 3799), and [`verify`] for the offline rules. `docs/identity.md` describes it.

pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;
pub mod verify;

pub use call::IdentityCall;
pub use error::IdentityError;
pub use tx::{execute, MAX_ACCREDITATION_CHAIN_LINKS, TRUST_ROOT_ROLE};
