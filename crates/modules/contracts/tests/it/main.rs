//! The contracts module over an in-memory state: uploads, policies and deployments, calls and their fuel,
//! failures that charge fuel and write nothing else, nested calls, public views, upgrades and freezes. This file
//! holds the world every test starts from, the test contracts (in WAT) and the steps they share.

mod calls;
mod lifecycle;
mod native;
mod nested;
mod views;

use publica_contracts::call::{ContractsCall, Deployment, Policy};
use publica_contracts::host::{NativeCalls, NoNativeCalls};
use publica_contracts::schema::{self, Instance, Receipt};
use publica_contracts::{execute, query, tx};
use publica_testkit::{context, Accounts, MemoryState};
use publica_types::{sha256, Address, AgencyId, CallContext, Code, Hash, StateRead, TxError, TxId};

/// 12:00 UTC on 10 March 2026.
const T0: u64 = 1_773_144_000_000;
/// Enough fuel for every test call meant to finish.
const FUEL: u64 = 1_000_000;

/// Every host API v1 import, under the names the test bodies use.
const IMPORTS: &str = r#"
  (import "publica_v1" "input_len" (func $input_len (result i32)))
  (import "publica_v1" "input_read" (func $input_read (param i32)))
  (import "publica_v1" "output_write" (func $output_write (param i32 i32)))
  (import "publica_v1" "state_get" (func $state_get (param i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
  (import "publica_v1" "public_get" (func $public_get (param i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "sender" (func $sender (param i32)))
  (import "publica_v1" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "publica_v1" "call_contract" (func $call_contract (param i32 i32 i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "submit_native" (func $submit_native (param i32 i32) (result i32)))
  (import "publica_v1" "has_role" (func $has_role (param i32 i32) (result i32)))
  (import "publica_v1" "abort" (func $abort (param i32 i32)))
"#;

/// A counter: adds `step` to its key `n`, writes the key `who` with the sender, emits `inc` with the new value,
/// outputs it, then runs `end` (which leaves the status on the stack, or never returns).
fn counter(step: i64, end: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (data (i32.const 0) "n")
          (data (i32.const 8) "who")
          (data (i32.const 16) "inc")
          (func (export "call") (result i32)
            (drop (call $state_get (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 8)))
            (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const {step})))
            (call $state_set (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 8))
            (call $sender (i32.const 64))
            (call $state_set (i32.const 8) (i32.const 3) (i32.const 64) (i32.const 20))
            (call $emit_event (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 8))
            (call $output_write (i32.const 32) (i32.const 8))
            {end}))"#
    ))
    .expect("the counter's WAT parses")
}

/// Ends of [`counter`].
const SUCCEED: &str = "(i32.const 0)";
const RETURN_1: &str = "(i32.const 1)";
const TRAP: &str = "unreachable";
const ABORT: &str = "(call $abort (i32.const 16) (i32.const 3)) (i32.const 0)";
const LOOP: &str = "(loop $forever (br $forever)) (i32.const 0)";

/// Calls the contract named by its input, stores `call_contract`'s answer (i64) under its key `r`, returns 0.
fn caller() -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (data (i32.const 0) "r")
          (func (export "call") (result i32)
            (local $len i32)
            (local.set $len (call $input_len))
            (call $input_read (i32.const 100))
            (i64.store (i32.const 32)
              (call $call_contract (i32.const 100) (local.get $len) (i32.const 0) (i32.const 0) (i32.const 200)
                (i32.const 64)))
            (call $state_set (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 8))
            (i32.const 0)))"#
    ))
    .expect("the caller's WAT parses")
}

/// Reads the public view named by its input: outputs `public_get`'s answer (i64 LE) then the value read.
fn viewer() -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (func (export "call") (result i32)
            (local $len i32) (local $r i64)
            (local.set $len (call $input_len))
            (call $input_read (i32.const 100))
            (local.set $r (call $public_get (i32.const 100) (local.get $len) (i32.const 200) (i32.const 64)))
            (i64.store (i32.const 192) (local.get $r))
            (call $output_write (i32.const 192)
              (i32.add (i32.const 8)
                (select (i32.wrap_i64 (local.get $r)) (i32.const 0) (i64.gt_s (local.get $r) (i64.const 0)))))
            (i32.const 0)))"#
    ))
    .expect("the viewer's WAT parses")
}

/// Submits its input as a native call `times` times, writes its key `after`, outputs the last answer (i32 LE),
/// then runs `end`.
fn native(times: u32, end: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (data (i32.const 16) "after")
          (func (export "call") (result i32)
            (local $n i32)
            (call $input_read (i32.const 1024))
            (loop $again
              (i32.store (i32.const 32) (call $submit_native (i32.const 1024) (call $input_len)))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br_if $again (i32.lt_u (local.get $n) (i32.const {times}))))
            (call $state_set (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 4))
            (call $output_write (i32.const 32) (i32.const 4))
            {end}))"#
    ))
    .expect("the native caller's WAT parses")
}

fn customs() -> AgencyId {
    "customs".parse().unwrap()
}

fn tax() -> AgencyId {
    "tax".parse().unwrap()
}

/// Two agencies (customs, whose officials may develop contracts, and tax), their administrators, a developer in
/// each, a citizen; customs has a policy letting its administrators deploy its own code.
struct World {
    state: MemoryState,
    /// What runs the contracts' native calls.
    native: &'static dyn NativeCalls,
    admin: Address,
    developer: Address,
    tax_admin: Address,
    tax_developer: Address,
    alice: Address,
    bob: Address,
    height: u64,
    time_ms: u64,
    tx: u64,
}

fn policy() -> Policy {
    Policy {
        admin_deploy: true,
        code_hashes: vec![],
        any_agency_code: true,
        max_fuel_per_call: FUEL,
        fuel_per_day: 100 * FUEL,
        max_instances: 8,
    }
}

impl World {
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts.agency_registering_citizens("customs", &["contract-developer", "inspector"]);
        accounts.agency("tax", &["contract-developer"]);
        let admin = accounts.official("admin", "customs", &["admin"]);
        let developer = accounts.official("developer", "customs", &["contract-developer"]);
        let tax_admin = accounts.official("tax-admin", "tax", &["admin"]);
        let tax_developer = accounts.official("tax-developer", "tax", &["contract-developer"]);
        let alice = accounts.citizen("alice", "customs");
        let bob = accounts.citizen("bob", "customs");
        tx::apply_policy(&mut state, &customs(), &policy()).unwrap();
        World {
            state,
            native: &NoNativeCalls,
            admin,
            developer,
            tax_admin,
            tax_developer,
            alice,
            bob,
            height: 1,
            time_ms: T0,
            tx: 0,
        }
    }

    fn ctx(&mut self, sender: Address) -> CallContext {
        self.height += 1;
        self.time_ms += 1_000;
        self.tx += 1;
        let tx_id = TxId(sha256(&self.tx.to_be_bytes()));
        context(sender).block(self.height, self.time_ms).tx_id(tx_id).build()
    }

    /// Execute `call` from `sender` in a new block; a refusal must leave the state exactly as before.
    fn run(&mut self, sender: Address, call: ContractsCall) -> Result<CallContext, TxError> {
        let ctx = self.ctx(sender);
        let before = self.state.clone();
        let result = execute(&mut self.state, &ctx, &call, self.native);
        match result {
            Ok(outcome) => {
                assert_eq!(outcome, publica_types::TxOutcome::None);
                Ok(ctx)
            }
            Err(error) => {
                assert_eq!(self.state, before, "a refused call changed the state");
                Err(error)
            }
        }
    }

    fn upload(&mut self, code: &[u8]) -> Hash {
        let developer = self.developer;
        self.run(developer, ContractsCall::Upload { code: code.to_vec() }).expect("the upload is accepted");
        sha256(code)
    }

    /// Uploads `code` and has the customs administrator deploy it as `name`; returns its number.
    fn deploy(&mut self, name: &str, code: &[u8]) -> u64 {
        let code_hash = self.upload(code);
        self.deploy_hash(name, code_hash)
    }

    fn deploy_hash(&mut self, name: &str, code_hash: Hash) -> u64 {
        let admin = self.admin;
        let call =
            ContractsCall::Deploy { name: name.into(), code_hash, fuel_per_call: FUEL, fuel_per_sender_day: 10 * FUEL };
        self.run(admin, call).expect("the deployment is accepted");
        self.instance_named(name).id
    }

    fn instance_named(&self, name: &str) -> Instance {
        query::instance_by_name(&self.state, name).0.expect("the instance exists")
    }

    fn instance(&self, id: u64) -> Instance {
        query::instance(&self.state, id).0.expect("the instance exists")
    }

    /// Calls instance `id` from `sender`; returns the receipt.
    fn call(&mut self, sender: Address, id: u64, input: &[u8], fuel_limit: u64) -> Result<Receipt, TxError> {
        let ctx = self.run(sender, ContractsCall::Call { instance: id, input: input.to_vec(), fuel_limit })?;
        Ok(query::receipt(&self.state, &ctx.tx_id).0.expect("a call writes its receipt"))
    }

    fn value(&self, id: u64, key: &[u8]) -> Option<Vec<u8>> {
        query::state_value(&self.state, id, key).0
    }

    fn counter_value(&self, id: u64) -> Option<i64> {
        self.value(id, b"n").map(|v| i64::from_le_bytes(v.try_into().unwrap()))
    }

    fn day(&self) -> u64 {
        schema::day_of(self.time_ms)
    }

    fn agency_fuel(&self, agency: &AgencyId) -> u64 {
        query::fuel_used_on(&self.state, agency, self.time_ms).0
    }

    fn sender_fuel(&self, id: u64, sender: &Address) -> u64 {
        schema::get_u64(&self.state, &schema::usage_key(id, sender, self.day()))
    }

    /// Every key of an instance's own state.
    fn contract_keys(&self, id: u64) -> Vec<Vec<u8>> {
        let prefix = schema::state_key(id, b"");
        self.state.keys_with_prefix(&prefix).map(|k| k.to_vec()).collect()
    }
}

fn code_of(result: Result<impl std::fmt::Debug, TxError>) -> Code {
    result.expect_err("the call must be refused").code
}

fn deployment(name: &str, code_hash: Hash) -> Deployment {
    Deployment {
        agency: customs(),
        name: name.into(),
        code_hash,
        fuel_per_call: FUEL,
        fuel_per_sender_day: 10 * FUEL,
        roles: vec![],
    }
}

/// Reads a state key directly (for keys the queries do not cover).
fn raw(state: &dyn StateRead, key: &[u8]) -> Option<Vec<u8>> {
    state.get(key)
}
