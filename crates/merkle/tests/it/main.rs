//! Integration tests for `publica-merkle`: a model-checked state map, tampered proofs, node stores, encodings,
//! fixed vectors, and an ignored measurement run.

mod bench;
mod common;
mod encoding;
mod log;
mod model;
mod store;
mod tamper;
mod vectors;
