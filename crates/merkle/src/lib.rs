//! Authenticated state map with membership and non-membership proofs.
