//! The shipped modules: accepted by the runtime, matching their recorded hashes, the Rust one assembled
//! from its WAT.

use crate::common::{code, example_dir, recorded_hash, sha256_hex};
use publica_wasm::validate;

const EXAMPLES: [&str; 3] = ["customs-clearance", "grant-rule", "fee-schedule"];

#[test]
fn every_example_module_is_accepted_by_the_runtime() {
    for name in EXAMPLES {
        if let Err(error) = validate(&code(name)) {
            panic!("the runtime refuses {name}: {error}");
        }
    }
}

#[test]
fn every_example_module_matches_its_recorded_hash() {
    for name in EXAMPLES {
        assert_eq!(
            sha256_hex(&code(name)),
            recorded_hash(name),
            "{name}.wasm does not match {name}.wasm.sha256: run contracts/build.sh"
        );
    }
}

/// The fee schedule ships compiled: its module is `example.wat` assembled, byte for byte. Set
/// `PUBLICA_WRITE_FEE_SCHEDULE=1` after changing the WAT to write the module, then record its hash with
/// `sha256sum fee-schedule.wasm > fee-schedule.wasm.sha256` in its directory.
#[test]
fn the_shipped_fee_schedule_is_its_wat_assembled() {
    let dir = example_dir("fee-schedule");
    let assembled = wat::parse_file(dir.join("example.wat")).expect("example.wat assembles");
    if std::env::var_os("PUBLICA_WRITE_FEE_SCHEDULE").is_some() {
        std::fs::write(dir.join("fee-schedule.wasm"), &assembled).expect("fee-schedule.wasm is written");
    }
    assert!(code("fee-schedule") == assembled, "fee-schedule.wasm is not example.wat assembled");
}
