//! Integration tests of publica-belenios: the arithmetic against num-bigint, canonical JSON on belenios-tool's own
//! bytes, credentials, elections and ballots from the sample elections made by belenios-tool 2.0, and tampering.

mod arith;
mod ballot;
mod credential;
mod election;
mod json;
mod samples;
// The archive, trustees and tally.
mod archive;
mod tally;
mod trustee;

use rand::rngs::StdRng;
use rand::SeedableRng;

/// A deterministic generator for tests.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}
