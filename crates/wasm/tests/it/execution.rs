//! Running calls: outcomes, fuel, every trap kind, recursion and memory limits.

use crate::common::{calling, module, run, run_on, FUEL};
use publica_wasm::limits::MAX_MEMORY_PAGES;
use publica_wasm::{Error, Failure, MemoryHost, TrapKind};

/// The trap kind of a call that must trap.
fn trap_of(code: &[u8]) -> TrapKind {
    match run(code) {
        Err(Failure { error: Error::Trap { kind, .. }, fuel_used }) => {
            assert!(fuel_used > 0 && fuel_used < FUEL);
            kind
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn a_call_returns_its_status_and_output_and_the_fuel_it_used() {
    let code = module(
        r#"(data (i32.const 16) "done")
           (func (export "call") (result i32)
             (call $output_write (i32.const 16) (i32.const 4))
             i32.const 7)"#,
    );
    let outcome = run(&code).expect("the call succeeds");
    assert_eq!(outcome.status, 7);
    assert_eq!(outcome.output, b"done");
    assert!(outcome.fuel_used > 0 && outcome.fuel_used < 1_000);
    // The same call uses the same fuel every time.
    assert_eq!(run(&code).expect("the call succeeds"), outcome);
}

#[test]
fn an_infinite_loop_is_stopped_by_fuel_and_charged_the_whole_limit() {
    let code = calling("(loop $l (br $l)) i32.const 0");
    for fuel in [0, 1, 1_000, 123_457] {
        let failure = run_on(&mut MemoryHost::default(), &code, &[], fuel).expect_err("the loop never ends");
        assert_eq!(failure, Failure { error: Error::OutOfFuel { limit: fuel }, fuel_used: fuel });
    }
}

#[test]
fn more_work_uses_more_fuel() {
    let counted = |n: u32| {
        calling(&format!(
            "(local $i i32)
             (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
             i32.const 0"
        ))
    };
    let ten = run(&counted(10)).expect("finishes").fuel_used;
    let hundred = run(&counted(100)).expect("finishes").fuel_used;
    assert!(hundred > ten);
    // Each iteration costs the same.
    let thousand = run(&counted(1000)).expect("finishes").fuel_used;
    assert_eq!((thousand - hundred) / 10, hundred - ten);
}

#[test]
fn unbounded_recursion_traps_with_a_stack_overflow() {
    let code = module(
        r#"(func $down (param i32) (result i32) (call $down (i32.add (local.get 0) (i32.const 1))))
           (func (export "call") (result i32) (call $down (i32.const 0)))"#,
    );
    assert_eq!(trap_of(&code), TrapKind::StackOverflow);
}

#[test]
fn every_webassembly_trap_has_its_kind() {
    assert_eq!(trap_of(&calling("unreachable")), TrapKind::Unreachable);
    assert_eq!(trap_of(&calling("(i32.load (i32.const 65534))")), TrapKind::MemoryOutOfBounds);
    assert_eq!(trap_of(&calling("(i32.store (i32.const -1) (i32.const 1)) i32.const 0")), TrapKind::MemoryOutOfBounds);
    assert_eq!(trap_of(&calling("(i32.div_u (i32.const 1) (i32.const 0))")), TrapKind::DivisionByZero);
    assert_eq!(trap_of(&calling("(i64.rem_s (i64.const 1) (i64.const 0)) i32.wrap_i64")), TrapKind::DivisionByZero);
    assert_eq!(trap_of(&calling("(i32.div_s (i32.const -2147483648) (i32.const -1))")), TrapKind::IntegerOverflow);
    let table = |code: &str| {
        module(&format!(
            r#"(type $unit (func (result i32)))
               (type $other (func (param i32) (result i32)))
               (table 2 funcref)
               (func $f (result i32) i32.const 1)
               (elem (i32.const 0) $f)
               (func (export "call") (result i32) {code})"#
        ))
    };
    assert_eq!(trap_of(&table("(call_indirect (type $unit) (i32.const 1))")), TrapKind::IndirectCallToNull);
    assert_eq!(trap_of(&table("(call_indirect (type $unit) (i32.const 5))")), TrapKind::TableOutOfBounds);
    assert_eq!(trap_of(&table("(call_indirect (type $other) (i32.const 7) (i32.const 0))")), TrapKind::BadSignature);
    // A table that works is not a trap.
    assert_eq!(
        run(&table("(call_indirect (type $unit) (i32.const 0))")).expect("the indirect call succeeds").status,
        1
    );
}

#[test]
fn memory_growth_stops_at_the_limit() {
    // One page to start; growing to the limit succeeds and returns the old size; one more page is refused
    // with -1, as WebAssembly specifies, and the memory keeps its size.
    let code = calling(&format!(
        "(if (i32.ne (memory.grow (i32.const {})) (i32.const 1)) (then unreachable))
         (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
         (if (i32.ne (memory.grow (i32.const 100000)) (i32.const -1)) (then unreachable))
         memory.size",
        MAX_MEMORY_PAGES - 1
    ));
    let outcome = run(&code).expect("growth is refused without a trap");
    assert_eq!(outcome.status, MAX_MEMORY_PAGES as i32);
}

#[test]
fn table_growth_stops_at_the_limit() {
    let code = module(
        r#"(table $t 1 funcref)
           (func (export "call") (result i32)
             (table.grow $t (ref.null func) (i32.const 100000)))"#,
    );
    assert_eq!(run(&code).expect("growth is refused without a trap").status, -1);
}

#[test]
fn the_contract_can_abort_with_a_message() {
    let code = module(
        r#"(data (i32.const 0) "permit expired")
           (func (export "call") (result i32)
             (call $abort (i32.const 0) (i32.const 14))
             i32.const 0)"#,
    );
    let failure = run(&code).expect_err("the contract aborts");
    assert_eq!(failure.error, Error::Aborted { message: "permit expired".into() });
    assert!(failure.fuel_used > 0);
    assert_eq!(failure.error.to_string(), "the contract aborted: permit expired");
}

#[test]
fn an_abort_message_must_be_utf8_and_bounded() {
    let not_utf8 = module(
        r#"(data (i32.const 0) "\ff\fe")
           (func (export "call") (result i32) (call $abort (i32.const 0) (i32.const 2)) i32.const 0)"#,
    );
    assert!(matches!(
        run(&not_utf8).expect_err("refused").error,
        Error::Trap { kind: TrapKind::HostInvalidArgument, .. }
    ));
    let too_long = calling("(call $abort (i32.const 0) (i32.const 5000)) i32.const 0");
    assert!(matches!(run(&too_long).expect_err("refused").error, Error::Trap { kind: TrapKind::HostLimit, .. }));
}

#[test]
fn a_call_starts_from_fresh_memory_every_time() {
    // The call counts in its own memory; nothing of it survives to the next call.
    let code = calling(
        "(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
         (i32.load (i32.const 0))",
    );
    let engine = publica_wasm::Engine::new();
    let contract = engine.compile(&code).expect("accepted");
    let mut host = MemoryHost::default();
    for _ in 0..3 {
        assert_eq!(engine.run(&contract, &mut host, &[], FUEL).expect("runs").status, 1);
    }
}

#[test]
fn compiled_contracts_are_cached_by_code_hash_and_run_as_fresh_ones() {
    use publica_wasm::limits::CACHED_CONTRACTS_MAX;
    let engine = publica_wasm::Engine::new();
    let code = calling("(i32.add (i32.const 2) (i32.const 3))");
    let first = engine.compile(&code).expect("accepted");
    let second = engine.compile(&code).expect("accepted");
    assert_eq!(first.code_hash(), second.code_hash());
    assert_eq!(engine.cached_contracts(), 1);
    let mut host = MemoryHost::default();
    let fresh = publica_wasm::Engine::new().compile(&code).expect("accepted");
    assert_eq!(
        engine.run(&second, &mut host, &[], FUEL).expect("runs"),
        publica_wasm::Engine::new().run(&fresh, &mut host, &[], FUEL).expect("runs")
    );
    // The cache is bounded; refused modules are never cached.
    for n in 0..CACHED_CONTRACTS_MAX as i32 + 5 {
        engine.compile(&calling(&format!("i32.const {n}"))).expect("accepted");
    }
    assert_eq!(engine.cached_contracts(), CACHED_CONTRACTS_MAX);
    assert!(engine.compile(b"not wasm").is_err());
    assert_eq!(engine.cached_contracts(), CACHED_CONTRACTS_MAX);
}

#[test]
fn an_element_segment_out_of_bounds_fails_instantiation_with_the_same_message_everywhere() {
    // Regression: the interpreter's own message for this failure names a store handle numbered by how many
    // stores the process has made, so two nodes would have recorded different errors for the same call.
    let code = module(
        r#"(table 1 funcref)
           (func $f)
           (elem (i32.const 5) $f)
           (func (export "call") (result i32) i32.const 0)"#,
    );
    let first = run(&code).expect_err("instantiation fails");
    let _unrelated_store = run(&calling("i32.const 0"));
    let second = run(&code).expect_err("instantiation fails");
    assert_eq!(first, second);
    assert!(matches!(first.error, Error::Trap { kind: TrapKind::TableOutOfBounds, .. }), "{first}");
}
