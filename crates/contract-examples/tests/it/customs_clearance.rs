//! The customs clearance example (C): a declaration passes when the permit is valid and the importer active.

use crate::common::*;
use publica_wasm::MemoryHost;

const NAME: &str = "customs-clearance";
const COMPANY: &[u8] = b"12345674";
const PERMIT: &[u8] = b"IMP-2027-0042";

/// A declaration in the contract's input format.
fn declaration(id: &[u8], company: &[u8], permit: &[u8], goods: &[u8], value: u64) -> Vec<u8> {
    let mut input = Vec::new();
    for field in [id, company, permit, goods] {
        input.push(u8::try_from(field.len()).expect("a short field"));
        input.extend_from_slice(field);
    }
    input.extend_from_slice(&value.to_le_bytes());
    input
}

fn good_declaration() -> Vec<u8> {
    declaration(b"D-1", COMPANY, PERMIT, b"8703.23", 2_500_000)
}

/// A host where the permit is valid and the company active.
fn ledger() -> MemoryHost {
    let mut host = host();
    set_permit(&mut host, 0);
    set_company(&mut host, 0);
    host
}

fn set_permit(host: &mut MemoryHost, status: u8) {
    let mut value = vec![status];
    value.extend_from_slice(&(TIME_MS + 86_400_000).to_le_bytes());
    host.public.insert([b"permit/", PERMIT].concat(), value);
}

fn set_company(host: &mut MemoryHost, status: u8) {
    host.public.insert([b"company/", COMPANY].concat(), vec![status]);
}

#[test]
fn a_declaration_with_a_valid_permit_and_an_active_importer_is_cleared_and_recorded() {
    let mut host = ledger();
    let input = good_declaration();
    let outcome = finish(NAME, &mut host, &input);
    assert_eq!((outcome.status, outcome.output.as_slice()), (0, &b"cleared"[..]));
    assert_eq!(host.events, [(b"cleared".to_vec(), b"D-1".to_vec())]);
    let record = [input.as_slice(), &TIME_MS.to_le_bytes()].concat();
    assert_eq!(host.state.get(&b"declaration/D-1"[..]), Some(&record));
    assert_eq!(host.state.len(), 1);
}

#[test]
fn each_permit_status_but_valid_refuses_with_its_own_status() {
    for (permit, status, reason) in [
        (1, 3, "permit_not_yet_valid"),
        (2, 4, "permit_expired"),
        (3, 5, "permit_suspended"),
        (4, 6, "permit_revoked"),
        (5, 2, "permit_unknown"),
    ] {
        let mut host = ledger();
        set_permit(&mut host, permit);
        assert_refused(NAME, &mut host, &good_declaration(), status, reason);
    }
}

#[test]
fn an_unknown_permit_is_refused() {
    let mut host = ledger();
    host.public.remove(&[b"permit/", PERMIT].concat());
    assert_refused(NAME, &mut host, &good_declaration(), 2, "permit_unknown");
}

#[test]
fn an_importer_that_is_not_active_is_refused_with_its_own_status() {
    for (company, status, reason) in
        [(1, 8, "company_in_liquidation"), (2, 9, "company_dissolved"), (5, 7, "company_unknown")]
    {
        let mut host = ledger();
        set_company(&mut host, company);
        assert_refused(NAME, &mut host, &good_declaration(), status, reason);
    }
    let mut host = ledger();
    host.public.remove(&[b"company/", COMPANY].concat());
    assert_refused(NAME, &mut host, &good_declaration(), 7, "company_unknown");
}

#[test]
fn a_declaration_id_is_cleared_once() {
    let mut host = ledger();
    assert_eq!(finish(NAME, &mut host, &good_declaration()).status, 0);
    host.log.clear();
    let again = declaration(b"D-1", COMPANY, PERMIT, b"0101.21", 10);
    assert_refused(NAME, &mut host, &again, 10, "already_declared");
}

#[test]
fn malformed_declarations_are_refused_before_any_view_is_read() {
    let good = good_declaration();
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        good[..good.len() - 1].to_vec(),
        [good.as_slice(), b"x"].concat(),
        declaration(b"", COMPANY, PERMIT, b"8703.23", 1),
        declaration(b"D-2", b"", PERMIT, b"8703.23", 1),
        declaration(b"D-2", COMPANY, b"", PERMIT, 1),
        declaration(b"D-2", COMPANY, PERMIT, b"", 1),
        declaration(&[b'i'; 65], COMPANY, PERMIT, b"8703.23", 1),
        declaration(b"D-2", &[b'1'; 33], PERMIT, b"8703.23", 1),
        declaration(b"D-2", COMPANY, PERMIT, &[b'8'; 17], 1),
        declaration(b"D-2", COMPANY, PERMIT, b"8703.23", 0),
        vec![200, b'a'],
        vec![0xff; 300],
        vec![1; 2 << 20],
    ];
    for input in cases {
        let mut host = ledger();
        assert_refused(NAME, &mut host, &input, 1, "malformed_declaration");
        assert!(!host.log.iter().any(|effect| matches!(effect, publica_wasm::Effect::PublicGet(_))));
    }
}

#[test]
fn a_view_the_ledger_does_not_serve_as_documented_aborts_the_call() {
    let mut host = ledger();
    host.refused.insert([b"permit/", PERMIT].concat());
    assert_aborted(run(NAME, &mut host, &good_declaration(), FUEL), "permit view is unreadable");

    let mut host = ledger();
    host.public.insert([b"company/", COMPANY].concat(), vec![0, 0]);
    assert_aborted(run(NAME, &mut host, &good_declaration(), FUEL), "company view is unreadable");

    let mut host = ledger();
    set_permit(&mut host, 9);
    assert_aborted(run(NAME, &mut host, &good_declaration(), FUEL), "unknown status byte");
}

#[test]
fn a_clearance_with_too_little_fuel_runs_out_and_writes_nothing() {
    assert_out_of_fuel_writes_nothing(NAME, ledger(), &good_declaration());
    assert_fuel_is_exact(NAME, &ledger(), &good_declaration());
}
