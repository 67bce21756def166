//! Integration tests of `publica-client` without a node: the election kit, its output run through the elections
//! module over an in-memory state.

mod election;
