//! The host API: every import's effect, its pointer and size checks, and its fuel.

use crate::common::{calling, compile, module, run, run_on, FUEL};
use publica_wasm::limits::{
    FUEL_HOST_CALL, FUEL_PER_BYTE, FUEL_STATE_WRITE, MAX_CALL_DEPTH, MAX_EVENTS, MAX_KEY_BYTES, MAX_OUTPUT_BYTES,
    MAX_VALUE_BYTES,
};
use publica_wasm::{
    CallReturn, Effect, Engine, Error, Failure, Host, HostError, MemoryHost, NestedCall, PublicRead, TrapKind,
};

/// The kind of the trap a call must end with.
fn trap_kind(result: Result<publica_wasm::Outcome, Failure>) -> TrapKind {
    match result {
        Err(Failure { error: Error::Trap { kind, .. }, .. }) => kind,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn the_input_comes_in_and_the_output_goes_out() {
    // Echo: read the input at 0 and return it as the output.
    let code = calling(
        "(call $input_read (i32.const 0))
         (call $output_write (i32.const 0) (call $input_len))
         i32.const 0",
    );
    let outcome = run_on(&mut MemoryHost::default(), &code, b"declaration 42", FUEL).expect("runs");
    assert_eq!(outcome.output, b"declaration 42");
    // The last output written wins.
    let twice = calling(
        "(call $output_write (i32.const 0) (i32.const 4))
         (call $output_write (i32.const 0) (i32.const 2))
         i32.const 0",
    );
    assert_eq!(run(&twice).expect("runs").output, vec![0, 0]);
}

/// A contract that writes key "k" = "v1", reads it into a buffer of `cap` bytes (returning the length it got
/// in the output), then removes "gone".
fn state_contract(cap: u32) -> Vec<u8> {
    module(&format!(
        r#"(data (i32.const 0) "k")
           (data (i32.const 8) "v1")
           (data (i32.const 16) "gone")
           (func (export "call") (result i32)
             (call $state_set (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 2))
             (i64.store (i32.const 100)
               (call $state_get (i32.const 0) (i32.const 1) (i32.const 200) (i32.const {cap})))
             (i64.store (i32.const 108)
               (call $state_get (i32.const 16) (i32.const 4) (i32.const 300) (i32.const 8)))
             (call $state_remove (i32.const 16) (i32.const 4))
             (i32.store16 (i32.const 116) (i32.load16_u (i32.const 200)))
             (call $output_write (i32.const 100) (i32.const 18))
             i32.const 0)"#
    ))
}

#[test]
fn state_is_read_and_written_through_the_host_only() {
    let mut host = MemoryHost::default();
    host.state.insert(b"gone".to_vec(), b"x".to_vec());
    let outcome = run_on(&mut host, &state_contract(16), &[], FUEL).expect("runs");
    let output = &outcome.output;
    assert_eq!(i64::from_le_bytes(output[0..8].try_into().unwrap()), 2);
    assert_eq!(i64::from_le_bytes(output[8..16].try_into().unwrap()), 1);
    assert_eq!(&output[16..18], b"v1");
    // The host saw exactly the contract's own keys, in order; the state is what the host kept.
    assert_eq!(
        host.log,
        vec![
            Effect::StateSet(b"k".to_vec(), b"v1".to_vec()),
            Effect::StateGet(b"k".to_vec()),
            Effect::StateGet(b"gone".to_vec()),
            Effect::StateRemove(b"gone".to_vec()),
        ]
    );
    assert_eq!(host.state.len(), 1);
    assert_eq!(host.state.get(&b"k"[..]), Some(&b"v1".to_vec()));
}

#[test]
fn a_value_larger_than_the_buffer_returns_its_length_and_writes_nothing() {
    let mut host = MemoryHost::default();
    let outcome = run_on(&mut host, &state_contract(1), &[], FUEL).expect("runs");
    assert_eq!(i64::from_le_bytes(outcome.output[0..8].try_into().unwrap()), 2);
    assert_eq!(&outcome.output[16..18], &[0, 0]);
    // An absent key answers -1.
    let mut empty = MemoryHost::default();
    let code = calling("(i32.wrap_i64 (call $state_get (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 0)))");
    assert_eq!(run_on(&mut empty, &code, &[], FUEL).expect("runs").status, -1);
}

#[test]
fn public_state_is_read_absent_or_refused_as_the_host_decides() {
    let mut host = MemoryHost::default();
    host.public.insert(b"pa".to_vec(), b"active".to_vec());
    host.refused.insert(b"pr".to_vec());
    let read = |key: &str| {
        calling(&format!(
            r#"(i32.store8 (i32.const 0) (i32.const {}))
               (i32.store8 (i32.const 1) (i32.const {}))
               (i32.wrap_i64 (call $public_get (i32.const 0) (i32.const 2) (i32.const 16) (i32.const 64)))"#,
            key.as_bytes()[0],
            key.as_bytes()[1]
        ))
    };
    assert_eq!(run_on(&mut host, &read("pa"), &[], FUEL).expect("runs").status, 6);
    assert_eq!(run_on(&mut host, &read("px"), &[], FUEL).expect("runs").status, -1);
    assert_eq!(run_on(&mut host, &read("pr"), &[], FUEL).expect("runs").status, -2);
}

#[test]
fn sender_roles_and_block_come_from_the_host() {
    let mut host = MemoryHost { sender: [7; 20], height: 1234, time_ms: 1_700_000_000_000, ..MemoryHost::default() };
    host.roles.insert(b"customs".to_vec());
    let code = module(
        r#"(data (i32.const 0) "customs")
           (data (i32.const 8) "mayor")
           (func (export "call") (result i32)
             (call $sender (i32.const 100))
             (i64.store (i32.const 120) (call $block_height))
             (i64.store (i32.const 128) (call $block_time_ms))
             (i32.store (i32.const 136) (call $has_role (i32.const 0) (i32.const 7)))
             (i32.store (i32.const 140) (call $has_role (i32.const 8) (i32.const 5)))
             (call $output_write (i32.const 100) (i32.const 44))
             i32.const 0)"#,
    );
    let out = run_on(&mut host, &code, &[], FUEL).expect("runs").output;
    assert_eq!(&out[0..20], &[7; 20]);
    assert_eq!(u64::from_le_bytes(out[20..28].try_into().unwrap()), 1234);
    assert_eq!(u64::from_le_bytes(out[28..36].try_into().unwrap()), 1_700_000_000_000);
    assert_eq!(i32::from_le_bytes(out[36..40].try_into().unwrap()), 1);
    assert_eq!(i32::from_le_bytes(out[40..44].try_into().unwrap()), 0);
}

#[test]
fn events_are_recorded_in_order_up_to_the_limit() {
    let emit = |count: u32| {
        calling(&format!(
            r#"(local $i i32)
               (block $done (loop $l
                 (br_if $done (i32.ge_u (local.get $i) (i32.const {count})))
                 (i32.store8 (i32.const 0) (i32.add (i32.const 48) (local.get $i)))
                 (call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br $l)))
               i32.const 0"#
        ))
    };
    let mut host = MemoryHost::default();
    run_on(&mut host, &emit(3), &[], FUEL).expect("runs");
    assert_eq!(
        host.events,
        vec![(b"0".to_vec(), b"0".to_vec()), (b"1".to_vec(), b"1".to_vec()), (b"2".to_vec(), b"2".to_vec())]
    );
    let mut host = MemoryHost::default();
    assert_eq!(trap_kind(run_on(&mut host, &emit(MAX_EVENTS + 1), &[], FUEL)), TrapKind::HostLimit);
    assert_eq!(host.events.len(), MAX_EVENTS as usize);
}

#[test]
fn pointers_outside_memory_trap_with_a_clear_message_and_no_effect() {
    let cases = [
        // A key past the end of the one page.
        "(call $state_set (i32.const 65535) (i32.const 2) (i32.const 0) (i32.const 1))",
        // A negative pointer is a large unsigned address.
        "(call $state_set (i32.const 0) (i32.const 1) (i32.const -4) (i32.const 1))",
        // An output buffer that does not fit, even though the key is absent.
        "(drop (call $state_get (i32.const 0) (i32.const 1) (i32.const 65000) (i32.const 1000)))",
        "(call $output_write (i32.const 65536) (i32.const 1))",
        "(call $input_read (i32.const 65535))",
        "(call $sender (i32.const 65530))",
        "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 70000) (i32.const 1))",
        "(drop (call $submit_native (i32.const 65536) (i32.const 16)))",
    ];
    for case in cases {
        let mut host = MemoryHost::default();
        let code = calling(&format!("{case} i32.const 0"));
        let failure = run_on(&mut host, &code, b"xy", FUEL).expect_err(case);
        match &failure.error {
            Error::Trap { kind: TrapKind::HostMemoryOutOfBounds, message } => {
                assert!(message.contains("outside the contract's memory"), "{message}")
            }
            other => panic!("{case}: expected a host memory trap, got {other}"),
        }
        assert!(host.state.is_empty() && host.events.is_empty() && host.native_calls.is_empty());
    }
}

#[test]
fn sizes_above_the_host_limits_trap() {
    let cases = [
        format!("(call $state_set (i32.const 0) (i32.const {}) (i32.const 0) (i32.const 1))", MAX_KEY_BYTES + 1),
        format!("(call $state_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const {}))", MAX_VALUE_BYTES + 1),
        format!("(call $output_write (i32.const 0) (i32.const {}))", MAX_OUTPUT_BYTES + 1),
        "(drop (call $has_role (i32.const 0) (i32.const -1)))".to_string(),
    ];
    for case in cases {
        let code = calling(&format!("{case} i32.const 0"));
        assert_eq!(trap_kind(run(&code)), TrapKind::HostLimit, "{case}");
    }
}

#[test]
fn host_calls_are_charged_their_base_cost_and_per_byte() {
    let set = |key_len: u32, value_len: u32| {
        calling(&format!(
            "(call $state_set (i32.const 0) (i32.const {key_len}) (i32.const 0) (i32.const {value_len})) i32.const 0"
        ))
    };
    let nothing =
        calling("(drop (i32.const 0)) (drop (i32.const 0)) (drop (i32.const 0)) (drop (i32.const 0)) i32.const 0");
    let base = run(&set(0, 0)).expect("runs").fuel_used;
    let larger = run(&set(10, 100)).expect("runs").fuel_used;
    assert_eq!(larger - base, 110 * FUEL_PER_BYTE);
    let without = run(&nothing).expect("runs").fuel_used;
    assert!(base - without >= FUEL_HOST_CALL + FUEL_STATE_WRITE);

    // With fuel for everything but the host call's cost, the call runs out before the write happens.
    let mut host = MemoryHost::default();
    let failure = run_on(&mut host, &set(1, 1), &[], base).expect_err("out of fuel");
    assert_eq!(failure.error, Error::OutOfFuel { limit: base });
    assert_eq!(failure.fuel_used, base);
    assert!(host.log.is_empty(), "no effect without the fuel to pay for it");
    // With exactly enough it succeeds.
    let mut host = MemoryHost::default();
    let exact = run(&set(1, 1)).expect("runs").fuel_used;
    run_on(&mut host, &set(1, 1), &[], exact).expect("exactly enough fuel");
    assert_eq!(host.state.len(), 1);
}

#[test]
fn native_calls_are_forwarded_and_answered_by_the_host() {
    let mut host = MemoryHost { native_result: -17, ..MemoryHost::default() };
    let code = module(
        r#"(data (i32.const 0) "\01\02\03")
           (func (export "call") (result i32) (call $submit_native (i32.const 0) (i32.const 3)))"#,
    );
    assert_eq!(run_on(&mut host, &code, &[], FUEL).expect("runs").status, -17);
    assert_eq!(host.native_calls, vec![vec![1, 2, 3]]);
}

/// A contract that calls contract "c" with its own input (minus nothing), returning what the nested call
/// answered as its status and the callee's output as its output.
fn caller_of(id: &str) -> Vec<u8> {
    module(&format!(
        r#"(data (i32.const 0) "{id}")
           (func (export "call") (result i32)
             (local $n i64)
             (call $input_read (i32.const 64))
             (local.set $n (call $call_contract (i32.const 0) (i32.const {}) (i32.const 64) (call $input_len)
                                                (i32.const 1024) (i32.const 1024)))
             (if (i64.gt_s (local.get $n) (i64.const 0))
               (then (call $output_write (i32.const 1024) (i32.wrap_i64 (local.get $n)))))
             (i32.wrap_i64 (local.get $n)))"#,
        id.len()
    ))
}

#[test]
fn a_nested_call_returns_the_callees_output_and_charges_its_fuel() {
    let engine = Engine::new();
    let echo = compile(&calling(
        "(call $input_read (i32.const 0)) (call $output_write (i32.const 0) (call $input_len)) i32.const 0",
    ));
    let mut host = MemoryHost::new(&engine);
    host.contracts.insert(b"echo".to_vec(), echo.clone());
    let caller = engine.compile(&caller_of("echo")).expect("accepted");
    let outcome = engine.run(&caller, &mut host, b"ping", FUEL).expect("runs");
    assert_eq!(outcome.status, 4);
    assert_eq!(outcome.output, b"ping");
    let callee_alone = engine.run(&echo, &mut MemoryHost::default(), b"ping", FUEL).expect("runs").fuel_used;
    assert!(outcome.fuel_used > callee_alone);
    // An unknown contract is refused by the host.
    let unknown = engine.compile(&caller_of("nope")).expect("accepted");
    assert_eq!(engine.run(&unknown, &mut host, b"ping", FUEL).expect("runs").status, -2);
    // A failing callee answers -1.
    host.contracts.insert(b"boom".to_vec(), compile(&calling("unreachable")));
    let failing = engine.compile(&caller_of("boom")).expect("accepted");
    assert_eq!(engine.run(&failing, &mut host, b"", FUEL).expect("runs").status, -1);
}

#[test]
fn nested_calls_stop_at_the_depth_limit() {
    // A contract that calls itself and returns the answer plus one when positive, or the answer itself.
    let engine = Engine::new();
    let code = module(
        r#"(data (i32.const 0) "self")
           (func (export "call") (result i32)
             (local $n i64)
             (local.set $n (call $call_contract (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0)
                                                (i32.const 16) (i32.const 8)))
             (if (i64.lt_s (local.get $n) (i64.const 0))
               (then (i32.store8 (i32.const 16) (i32.const 0))
                     (call $output_write (i32.const 16) (i32.const 1))
                     (return (i32.const 0))))
             (i32.store8 (i32.const 16) (i32.add (i32.load8_u (i32.const 16)) (i32.const 1)))
             (call $output_write (i32.const 16) (i32.const 1))
             i32.const 0)"#,
    );
    let contract = engine.compile(&code).expect("accepted");
    let mut host = MemoryHost::new(&engine);
    host.contracts.insert(b"self".to_vec(), contract.clone());
    let outcome = engine.run(&contract, &mut host, &[], FUEL).expect("runs");
    // Depths 0..=MAX_CALL_DEPTH ran; the deepest one was refused its call and counted 0.
    assert_eq!(outcome.output, vec![MAX_CALL_DEPTH as u8]);
    let depths: Vec<u32> = host
        .log
        .iter()
        .filter_map(|effect| match effect {
            Effect::CallContract(_, _, _, depth) => Some(*depth),
            _ => None,
        })
        .collect();
    assert_eq!(depths, (1..=MAX_CALL_DEPTH).collect::<Vec<_>>());
}

/// A host whose store has failed.
struct BrokenHost(MemoryHost);

impl Host for BrokenHost {
    fn state_get(&mut self, _key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Err(HostError::new("the state store is unavailable"))
    }
    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.0.state_set(key, value)
    }
    fn state_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.0.state_remove(key)
    }
    fn public_get(&mut self, key: &[u8]) -> Result<PublicRead, HostError> {
        self.0.public_get(key)
    }
    fn sender(&mut self) -> Result<[u8; 20], HostError> {
        self.0.sender()
    }
    fn has_role(&mut self, role: &[u8]) -> Result<bool, HostError> {
        self.0.has_role(role)
    }
    fn block_height(&mut self) -> Result<u64, HostError> {
        Ok(u64::MAX)
    }
    fn block_time_ms(&mut self) -> Result<u64, HostError> {
        self.0.block_time_ms()
    }
    fn emit_event(&mut self, topic: &[u8], data: &[u8]) -> Result<(), HostError> {
        self.0.emit_event(topic, data)
    }
    fn call_contract(&mut self, call: NestedCall<'_>) -> Result<CallReturn, HostError> {
        self.0.call_contract(call)
    }
    fn submit_native(&mut self, call: &[u8]) -> Result<i32, HostError> {
        self.0.submit_native(call)
    }
}

#[test]
fn a_host_failure_ends_the_call_with_the_hosts_error() {
    let engine = Engine::new();
    let mut host = BrokenHost(MemoryHost::default());
    let read = engine
        .compile(&calling("(i32.wrap_i64 (call $state_get (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))"))
        .expect("accepted");
    let failure = engine.run(&read, &mut host, &[], FUEL).expect_err("the host failed");
    assert_eq!(failure.error, Error::Host(HostError::new("the state store is unavailable")));
    // A height the ABI cannot carry is the host's failure too, not a silent wrap.
    let height = engine.compile(&calling("(i32.wrap_i64 (call $block_height))")).expect("accepted");
    assert!(matches!(engine.run(&height, &mut host, &[], FUEL).expect_err("refused").error, Error::Host(_)));
}
