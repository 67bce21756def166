//! Integration tests of `publica-client` without a node: the election and procurement kits, their output run
//! through their modules over an in-memory state.

mod election;
mod procurement;
