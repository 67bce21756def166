//! The fee schedule example (Rust, shipped as its WAT assembled): quotes from a table the fee setter keeps.

use crate::common::*;
use publica_wasm::MemoryHost;

const NAME: &str = "fee-schedule";
const PASSPORT: u32 = 101;

fn quote(service: u32, quantity: u32) -> Vec<u8> {
    [&[1u8][..], &service.to_le_bytes(), &quantity.to_le_bytes()].concat()
}

fn set(service: u32, base: u64, unit: u64) -> Vec<u8> {
    [&[2u8][..], &service.to_le_bytes(), &base.to_le_bytes(), &unit.to_le_bytes()].concat()
}

fn entry_key(service: u32) -> Vec<u8> {
    [&b"fee/"[..], &service.to_le_bytes()].concat()
}

fn fee_setter() -> MemoryHost {
    let mut host = host();
    host.roles.insert(b"fee-setter".to_vec());
    host
}

/// A host whose table prices the passport service at 3,000 plus 1,250 a page, with no roles.
fn priced() -> MemoryHost {
    let mut host = host();
    host.state.insert(entry_key(PASSPORT), [3_000u64.to_le_bytes(), 1_250u64.to_le_bytes()].concat());
    host
}

#[test]
fn the_fee_setter_sets_an_entry_and_anyone_gets_the_quote() {
    let mut host = fee_setter();
    let outcome = finish(NAME, &mut host, &set(PASSPORT, 3_000, 1_250));
    assert_eq!((outcome.status, outcome.output.len()), (0, 0));
    assert_eq!(host.state.get(&entry_key(PASSPORT)), Some(&[3_000u64.to_le_bytes(), 1_250u64.to_le_bytes()].concat()));
    assert_eq!(host.events, [(b"fee-set".to_vec(), set(PASSPORT, 3_000, 1_250)[1..].to_vec())]);

    host.roles.clear();
    host.events.clear();
    let outcome = finish(NAME, &mut host, &quote(PASSPORT, 32));
    assert_eq!(outcome.status, 0);
    assert_eq!(outcome.output, (3_000u64 + 1_250 * 32).to_le_bytes());
    assert!(host.events.is_empty());
    assert_eq!(finish(NAME, &mut host, &quote(PASSPORT, 0)).output, 3_000u64.to_le_bytes());
}

#[test]
fn a_later_set_replaces_the_entry() {
    let mut host = priced();
    host.roles.insert(b"fee-setter".to_vec());
    assert_eq!(finish(NAME, &mut host, &set(PASSPORT, 0, 7)).status, 0);
    assert_eq!(finish(NAME, &mut host, &quote(PASSPORT, 3)).output, 21u64.to_le_bytes());
}

#[test]
fn a_quote_for_a_service_the_table_does_not_price_is_refused() {
    assert_refused(NAME, &mut host(), &quote(PASSPORT, 1), 2, "fee_not_set");
    assert_refused(NAME, &mut priced(), &quote(PASSPORT + 1, 1), 2, "fee_not_set");
}

#[test]
fn a_set_without_the_fee_setter_role_is_refused() {
    let mut host = priced();
    host.roles.insert(b"fee-auditor".to_vec());
    assert_refused(NAME, &mut host, &set(PASSPORT, 1, 1), 3, "not_authorised");
    assert_eq!(finish(NAME, &mut host, &quote(PASSPORT, 1)).output, 4_250u64.to_le_bytes());
}

#[test]
fn a_fee_above_u64_is_refused_not_wrapped() {
    let mut host = host();
    host.state.insert(entry_key(7), [1u64.to_le_bytes(), (u64::MAX / 2).to_le_bytes()].concat());
    assert_refused(NAME, &mut host, &quote(7, 3), 4, "fee_overflow");
    // 2 × (MAX / 2) + 1 is exactly u64::MAX: the largest fee there is.
    assert_eq!(finish(NAME, &mut host, &quote(7, 2)).output, u64::MAX.to_le_bytes());
    host.state.insert(entry_key(8), [2u64.to_le_bytes(), (u64::MAX / 2).to_le_bytes()].concat());
    assert_refused(NAME, &mut host, &quote(8, 2), 4, "fee_overflow");
}

#[test]
fn malformed_inputs_are_refused() {
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![1],
        quote(PASSPORT, 1)[..8].to_vec(),
        [quote(PASSPORT, 1).as_slice(), &[0]].concat(),
        set(PASSPORT, 1, 1)[..20].to_vec(),
        [set(PASSPORT, 1, 1).as_slice(), &[0]].concat(),
        [&[3u8][..], &[0; 8]].concat(),
        vec![2; 33],
        vec![1; 2 << 20],
    ];
    for input in cases {
        let mut host = fee_setter();
        assert_refused(NAME, &mut host, &input, 1, "malformed_input");
    }
}

#[test]
fn a_corrupt_table_entry_aborts_the_quote() {
    let mut host = host();
    host.state.insert(entry_key(PASSPORT), vec![0; 15]);
    assert_aborted(run(NAME, &mut host, &quote(PASSPORT, 1), FUEL), "the fee table entry is not 16 bytes");
    host.state.insert(entry_key(PASSPORT), vec![0; 17]);
    assert_aborted(run(NAME, &mut host, &quote(PASSPORT, 1), FUEL), "the fee table entry is not 16 bytes");
}

#[test]
fn a_set_with_too_little_fuel_runs_out_and_writes_nothing() {
    assert_out_of_fuel_writes_nothing(NAME, fee_setter(), &set(PASSPORT, 1, 1));
    assert_fuel_is_exact(NAME, &fee_setter(), &set(PASSPORT, 1, 1));
    assert_fuel_is_exact(NAME, &priced(), &quote(PASSPORT, 9));
}
