//! Belenios 2.0 election formats and cryptography, pure: the BELENIOS-2048 group, canonical JSON, credentials,
//! election fingerprints, ballots with their proofs.
//!
//! Everything here follows the Belenios 2.0 specification and what belenios-tool 2.0 writes and accepts (where
//! they differ, the tool, since `belenios-tool election verify` is the check elections must pass):
//!
//! * [`arith`]: 2048-bit Montgomery arithmetic mod p and 256-bit scalars mod q, decimal forms.
//! * [`group`]: group elements, membership, fixed-base tables, multi-exponentiation.
//! * [`json`]: JSON values with ordered keys, a strict parser, the canonical writer.
//! * [`credential`]: election uuids, private credentials (checksum, PBKDF2 derivation), public credential lists.
//! * [`election`]: the election object, its exact bytes and fingerprint.
//! * [`proof`]: Fiat–Shamir hashes, disjunctive Chaum–Pedersen proofs, the credential's Schnorr signature.
//! * [`ballot`]: building and verifying ballots.
//!
//! The crate does no I/O and keeps no state beyond lazily built tables of fixed bases.

#![warn(missing_docs)]

// The modules in the order the data flows through them; a comment before each keeps rustfmt from sorting them.
// Errors.
pub mod error;
// Z_p and Z_q.
pub mod arith;
// The group.
pub mod group;
// Canonical JSON.
pub mod json;
// Credentials and uuids.
pub mod credential;
// The election object.
pub mod election;
// Zero-knowledge proofs.
pub mod proof;
// Ballots.
pub mod ballot;
// The .bel election archive.
pub mod archive;
// AES-CCM, for the threshold trustees' messages.
pub mod ccm;
// Trustees, their key generation and the election key.
pub mod trustee;
// The tally, partial decryptions and the result.
pub mod tally;

pub use arith::{DecimalError, Scalar};
pub use error::BeleniosError;
pub use group::{g, multi_exp, Elem, FixedBase, Powers, GROUP_NAME};
pub use json::{Json, Limits};
