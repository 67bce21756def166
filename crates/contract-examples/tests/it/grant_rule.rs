//! The grant rule example (AssemblyScript): one start-up grant per active company, capped, committed from the
//! configured allocation by a native finance call.

use crate::common::*;
use publica_finance::call::{FinanceCall, Holder};
use publica_tx::Call;
use publica_wasm::MemoryHost;

const NAME: &str = "grant-rule";
const COMPANY: &[u8] = b"NV-2026-0001";
const CAP: u64 = 500_000;
const ALLOCATION: u64 = 7;

fn application(amount: u64, number: &[u8]) -> Vec<u8> {
    [&[0x01][..], &amount.to_le_bytes(), number].concat()
}

fn configuration(allocation: u64) -> Vec<u8> {
    [&[0x02][..], &allocation.to_le_bytes()].concat()
}

fn company_key(number: &[u8]) -> Vec<u8> {
    [b"company/".as_slice(), number].concat()
}

fn grant_key(number: &[u8]) -> Vec<u8> {
    [b"grant/".as_slice(), number].concat()
}

/// The native call the rule must submit: the ledger's own encoding of the finance call.
fn commitment(amount: u64, number: &[u8]) -> Vec<u8> {
    let number = String::from_utf8(number.to_vec()).unwrap();
    let call = Call::Finance(FinanceCall::CommitFunds {
        allocation: ALLOCATION,
        amount,
        payee: Some(Holder::Company(number.clone())),
        reference: format!("Start-up grant to company {number}"),
    });
    publica_types::encode(&call)
}

/// A host where the sender is a grant officer, the company is active and the rule is configured with [`ALLOCATION`]; native calls are done.
fn ledger() -> MemoryHost {
    let mut host = host();
    host.roles.insert(b"grant-officer".to_vec());
    host.public.insert(company_key(COMPANY), vec![0]);
    host.state.insert(b"allocation".to_vec(), ALLOCATION.to_le_bytes().to_vec());
    host
}

#[test]
fn an_active_company_within_the_cap_is_granted_by_a_commitment_from_the_allocation() {
    let mut host = ledger();
    let outcome = finish(NAME, &mut host, &application(250_000, COMPANY));
    assert_eq!((outcome.status, outcome.output.as_slice()), (0, &b"granted"[..]));
    assert_eq!(host.native_calls, [commitment(250_000, COMPANY)], "one commit_funds, encoded as the ledger does");
    let data = [&250_000u64.to_le_bytes()[..], COMPANY].concat();
    assert_eq!(host.events, [(b"granted".to_vec(), data)]);
    let record = [250_000u64.to_le_bytes(), TIME_MS.to_le_bytes()].concat();
    assert_eq!(host.state.get(&grant_key(COMPANY)), Some(&record));
}

#[test]
fn a_refused_commitment_refuses_the_grant_with_the_ledgers_code_and_records_nothing() {
    let mut host = ledger();
    host.native_result = 3908;
    assert_refused(NAME, &mut host, &application(1_000, COMPANY), 8, "funds_refused 3908");
    assert_eq!(host.native_calls.len(), 1);
    assert_eq!(host.state.get(&grant_key(COMPANY)), None);
}

#[test]
fn a_second_grant_to_the_same_company_is_refused() {
    let mut host = ledger();
    assert_eq!(finish(NAME, &mut host, &application(1_000, COMPANY)).status, 0);
    host.log.clear();
    assert_refused(NAME, &mut host, &application(1_000, COMPANY), 3, "already_granted");
    assert_eq!(host.native_calls.len(), 1, "the second application submits nothing");
}

#[test]
fn a_company_that_is_not_active_is_refused_with_its_status() {
    for (status_byte, status, reason) in
        [(1, 5, "company_in_liquidation"), (2, 6, "company_dissolved"), (5, 4, "company_unknown")]
    {
        let mut host = ledger();
        host.public.insert(company_key(COMPANY), vec![status_byte]);
        assert_refused(NAME, &mut host, &application(1_000, COMPANY), status, reason);
        assert!(host.native_calls.is_empty());
    }
    let mut host = ledger();
    host.public.remove(&company_key(COMPANY));
    assert_refused(NAME, &mut host, &application(1_000, COMPANY), 4, "company_unknown");
}

#[test]
fn an_amount_of_zero_or_above_the_cap_is_refused() {
    assert_refused(NAME, &mut ledger(), &application(0, COMPANY), 2, "amount_invalid");
    assert_refused(NAME, &mut ledger(), &application(CAP + 1, COMPANY), 2, "amount_invalid");
    assert_refused(NAME, &mut ledger(), &application(u64::MAX, COMPANY), 2, "amount_invalid");
    assert_eq!(finish(NAME, &mut ledger(), &application(CAP, COMPANY)).status, 0);
}

#[test]
fn only_a_grant_officer_enters_an_application() {
    let mut host = ledger();
    host.roles.clear();
    assert_refused(NAME, &mut host, &application(1_000, COMPANY), 9, "not_permitted");
    assert!(host.native_calls.is_empty());
}

#[test]
fn an_unconfigured_rule_refuses_every_grant() {
    let mut host = ledger();
    host.state.clear();
    assert_refused(NAME, &mut host, &application(1_000, COMPANY), 7, "not_configured");
}

#[test]
fn only_a_grant_officer_configures_the_allocation() {
    let mut host = host();
    assert_refused(NAME, &mut host, &configuration(ALLOCATION), 9, "not_permitted");
    host.roles.insert(b"grant-officer".to_vec());
    let outcome = finish(NAME, &mut host, &configuration(ALLOCATION));
    assert_eq!((outcome.status, outcome.output.as_slice()), (0, &b"configured"[..]));
    assert_eq!(host.state.get(&b"allocation"[..]), Some(&ALLOCATION.to_le_bytes().to_vec()));
    assert_eq!(host.events.last(), Some(&(b"configured".to_vec(), ALLOCATION.to_le_bytes().to_vec())));
}

#[test]
fn malformed_inputs_are_refused() {
    let good = application(1_000, COMPANY);
    let long_number = application(1_000, &[b'A'; 33]);
    for input in [
        Vec::new(),
        vec![0x03],
        good[..9].to_vec(),
        long_number,
        configuration(1)[..8].to_vec(),
        [configuration(1).as_slice(), &[0]].concat(),
        vec![0x01; 4_000],
        vec![0; 2 << 20],
    ] {
        let mut host = ledger();
        host.roles.insert(b"grant-officer".to_vec());
        assert_refused(NAME, &mut host, &input, 1, "malformed_input");
    }
}

#[test]
fn a_view_or_state_the_ledger_does_not_serve_as_documented_aborts_the_call() {
    let mut host = ledger();
    host.refused.insert(company_key(COMPANY));
    assert_aborted(run(NAME, &mut host, &application(1_000, COMPANY), FUEL), "company view is unreadable");
    let mut host = ledger();
    host.public.insert(company_key(COMPANY), vec![7]);
    assert_aborted(run(NAME, &mut host, &application(1_000, COMPANY), FUEL), "unknown status byte");
    let mut host = ledger();
    host.state.insert(b"allocation".to_vec(), vec![1, 2, 3]);
    assert_aborted(run(NAME, &mut host, &application(1_000, COMPANY), FUEL), "allocation is not 8 bytes");
}

#[test]
fn a_grant_with_too_little_fuel_runs_out_and_writes_nothing() {
    assert_out_of_fuel_writes_nothing(NAME, ledger(), &application(1_000, COMPANY));
    assert_fuel_is_exact(NAME, &ledger(), &application(1_000, COMPANY));
}
