//! Tests of the contract runtime: validation refusals, traps, the host API, determinism.

mod common;
mod determinism;
mod execution;
mod host_api;
mod validation;
