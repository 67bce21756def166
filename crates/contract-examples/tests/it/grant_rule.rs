//! The grant rule example (AssemblyScript): one grant per active citizen, capped, within the budget line.

use crate::common::*;
use publica_wasm::MemoryHost;

const NAME: &str = "grant-rule";
const APPLICANT: [u8; 20] = [0xab; 20];
const LINE_KEY: &[u8] = b"budget-line/2027/10.4.1";
const CAP: u64 = 500_000;

fn application(account: [u8; 20], amount: u64) -> Vec<u8> {
    [&account[..], &amount.to_le_bytes()].concat()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn account_key(account: [u8; 20]) -> Vec<u8> {
    format!("account/{}", hex(&account)).into_bytes()
}

fn grant_key(account: [u8; 20]) -> Vec<u8> {
    format!("grant/{}", hex(&account)).into_bytes()
}

fn line(appropriation: u64, allocated: u64, committed: u64, paid: u64) -> Vec<u8> {
    [appropriation, allocated, committed, paid].iter().flat_map(|amount| amount.to_le_bytes()).collect()
}

/// A host where the applicant is an active citizen and the line has 1,000,000 of 10,000,000 unallocated.
fn ledger() -> MemoryHost {
    let mut host = host();
    host.public.insert(account_key(APPLICANT), vec![0]);
    host.public.insert(LINE_KEY.to_vec(), line(10_000_000, 9_000_000, 5_000_000, 1_000_000));
    host
}

fn total(host: &MemoryHost) -> Option<u64> {
    host.state.get(&b"granted-total"[..]).map(|value| u64::from_le_bytes(value[..].try_into().expect("8 bytes")))
}

#[test]
fn an_active_citizen_within_the_cap_is_granted_and_the_grant_recorded() {
    let mut host = ledger();
    let input = application(APPLICANT, 250_000);
    let outcome = finish(NAME, &mut host, &input);
    assert_eq!((outcome.status, outcome.output.as_slice()), (0, &b"granted"[..]));
    assert_eq!(host.events, [(b"granted".to_vec(), input)]);
    let record = [250_000u64.to_le_bytes(), TIME_MS.to_le_bytes()].concat();
    assert_eq!(host.state.get(&grant_key(APPLICANT)), Some(&record));
    assert_eq!(total(&host), Some(250_000));
    assert!(host.native_calls.is_empty(), "grants are not paid by native calls yet");
}

#[test]
fn a_second_grant_to_the_same_applicant_is_refused() {
    let mut host = ledger();
    assert_eq!(finish(NAME, &mut host, &application(APPLICANT, 1_000)).status, 0);
    host.log.clear();
    assert_refused(NAME, &mut host, &application(APPLICANT, 1_000), 6, "already_granted");
    assert_eq!(total(&host), Some(1_000));
}

#[test]
fn an_applicant_who_is_not_an_active_citizen_is_refused_with_their_standing() {
    for (standing, status, reason) in
        [(1, 4, "applicant_not_citizen"), (2, 3, "applicant_inactive"), (5, 2, "applicant_unknown")]
    {
        let mut host = ledger();
        host.public.insert(account_key(APPLICANT), vec![standing]);
        assert_refused(NAME, &mut host, &application(APPLICANT, 1_000), status, reason);
    }
    let mut host = ledger();
    host.public.remove(&account_key(APPLICANT));
    assert_refused(NAME, &mut host, &application(APPLICANT, 1_000), 2, "applicant_unknown");
}

#[test]
fn an_amount_of_zero_or_above_the_cap_is_refused() {
    assert_refused(NAME, &mut ledger(), &application(APPLICANT, 0), 5, "amount_invalid");
    assert_refused(NAME, &mut ledger(), &application(APPLICANT, CAP + 1), 5, "amount_invalid");
    assert_refused(NAME, &mut ledger(), &application(APPLICANT, u64::MAX), 5, "amount_invalid");
    assert_eq!(finish(NAME, &mut ledger(), &application(APPLICANT, CAP)).status, 0);
}

#[test]
fn grants_stop_when_the_line_has_no_appropriation_left() {
    let mut host = ledger();
    host.public.insert(LINE_KEY.to_vec(), line(1_000_000, 400_000, 0, 0));
    host.public.insert(account_key([1; 20]), vec![0]);
    assert_eq!(finish(NAME, &mut host, &application([1; 20], 500_000)).status, 0);
    host.public.insert(account_key([2; 20]), vec![0]);
    host.log.clear();
    // 100,000 left: the line's 1,000,000 less 400,000 allocated and the 500,000 granted here.
    assert_refused(NAME, &mut host, &application([2; 20], 100_001), 8, "appropriation_exhausted");
    assert_eq!(finish(NAME, &mut host, &application([2; 20], 100_000)).status, 0);
    host.public.insert(account_key([3; 20]), vec![0]);
    host.log.clear();
    assert_refused(NAME, &mut host, &application([3; 20], 1), 8, "appropriation_exhausted");
    assert_eq!(total(&host), Some(600_000));
}

#[test]
fn an_over_allocated_line_refuses_without_wrapping() {
    let mut host = ledger();
    host.public.insert(LINE_KEY.to_vec(), line(1_000, u64::MAX, 0, 0));
    assert_refused(NAME, &mut host, &application(APPLICANT, 1), 8, "appropriation_exhausted");
}

#[test]
fn an_unknown_budget_line_is_refused() {
    let mut host = ledger();
    host.public.remove(LINE_KEY);
    assert_refused(NAME, &mut host, &application(APPLICANT, 1_000), 7, "budget_line_unknown");
}

#[test]
fn malformed_applications_are_refused() {
    let good = application(APPLICANT, 1_000);
    for input in [Vec::new(), good[..27].to_vec(), [good.as_slice(), &[0]].concat(), vec![0; 4_000], vec![0; 2 << 20]] {
        assert_refused(NAME, &mut ledger(), &input, 1, "malformed_input");
    }
}

#[test]
fn a_view_the_ledger_does_not_serve_as_documented_aborts_the_call() {
    let mut host = ledger();
    host.refused.insert(account_key(APPLICANT));
    assert_aborted(run(NAME, &mut host, &application(APPLICANT, 1_000), FUEL), "account view is unreadable");
    let mut host = ledger();
    host.public.insert(LINE_KEY.to_vec(), vec![0; 31]);
    assert_aborted(run(NAME, &mut host, &application(APPLICANT, 1_000), FUEL), "budget line view is unreadable");
    let mut host = ledger();
    host.public.insert(account_key(APPLICANT), vec![7]);
    assert_aborted(run(NAME, &mut host, &application(APPLICANT, 1_000), FUEL), "unknown standing byte");
}

#[test]
fn a_grant_with_too_little_fuel_runs_out_and_writes_nothing() {
    assert_out_of_fuel_writes_nothing(NAME, ledger(), &application(APPLICANT, 1_000));
    assert_fuel_is_exact(NAME, &ledger(), &application(APPLICANT, 1_000));
}
