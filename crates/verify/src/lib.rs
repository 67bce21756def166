//! Offline verification of state proofs and commit certificates, with few dependencies.
