//! Integration tests for `publica-merkle`: a model-checked state map, tampered proofs, node stores, encodings,
//! fixed vectors, tiled log math, and ignored measurement runs.

mod backed;
mod bench;
mod common;
mod encoding;
mod log;
mod model;
mod store;
mod tamper;
mod tiles;
mod vectors;
