//! Tests of the example contracts: each module validates, matches its recorded hash, and runs its rules.

mod common;
mod customs_clearance;
mod fee_schedule;
mod grant_rule;
mod modules;
