//! Tests of admission against a real node state, inside the crate because they hold the mempool and the
//! committed lock directly (tickets, a commit held open), which the sealed [`crate::NodeHandle`] does not offer.

mod admission;
mod ballots;
mod cancel;
mod conflicts;
