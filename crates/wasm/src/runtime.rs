//! Execution: the [`Engine`] that compiles validated modules into [`Contract`]s and runs their `call` with a
//! fuel limit.
//!
//! One call is one fresh instance in one fresh store: nothing survives a call but what the [`Host`] kept, so
//! a call's outcome depends only on the code, the input, the fuel limit and the host's answers. The engine is
//! configured so that this holds on every machine:
//!
//! * fuel metering on, with wasmi 2.0.0's default costs (1 per operator, 0 for `nop`, `drop`, `block`,
//!   `loop`, `unreachable`, `return`, `else`, `end`, and 1 per 64 bytes of bulk copies), charged also for
//!   instantiation (data segments) and for every host call ([`crate::host`]). The costs are the pinned
//!   version's: upgrading wasmi changes consensus;
//! * eager compilation: a function is translated when the module is compiled, never on its first call, so no
//!   call pays translation fuel that another node, holding the module in a cache, would not;
//! * floating point disabled, no start function, the features of [`crate::validate`];
//! * at most [`MAX_RECURSION_DEPTH`] nested calls and [`MAX_STACK_CELLS`] value-stack cells, beyond which
//!   the call traps with a stack overflow;
//! * a resource limiter: one instance, one memory of at most [`MAX_MEMORY_PAGES`] pages, one table of at most
//!   [`MAX_TABLE_ELEMENTS`] elements. `memory.grow` past the limit returns -1, as WebAssembly specifies for
//!   a refused growth, rather than trapping.
//!
//! An interpreter panic (its bug) is caught: compiling refuses the module, a call fails charged its whole
//! fuel. Failure messages are built from the kind of failure, never from the interpreter's own text, which can
//! name store handles numbered per process and would differ between nodes.

use crate::error::{Error, Failure, TrapKind};
use crate::host::{self, Host, Stop};
use crate::limits::{
    CACHED_CONTRACTS_MAX, MAX_MEMORY_PAGES, MAX_RECURSION_DEPTH, MAX_STACK_CELLS, MAX_TABLES, MAX_TABLE_ELEMENTS,
    PAGE_BYTES,
};
use crate::validate::validate;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use wasmi::{
    CompilationMode, Config, Extern, Instance, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TrapCode,
};

/// The result of a call that ran to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What `call` returned: by convention 0 for success, anything else a refusal of the contract's own.
    pub status: i32,
    /// The bytes the contract set with `output_write` (empty if it never did).
    pub output: Vec<u8>,
    /// The fuel the call used, instantiation and host calls included.
    pub fuel_used: u64,
}

/// A validated, compiled contract module, ready to run any number of times. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Contract {
    module: Module,
    code_hash: [u8; 32],
}

impl Contract {
    /// The SHA-256 of the module's code.
    pub fn code_hash(&self) -> [u8; 32] {
        self.code_hash
    }
}

/// The deterministic, fuel-metered WebAssembly engine. Cloning is cheap and shares compiled code and the cache.
#[derive(Clone, Debug)]
pub struct Engine {
    inner: wasmi::Engine,
    cache: Arc<Mutex<Cache>>,
}

/// Compiled contracts by code hash, at most [`CACHED_CONTRACTS_MAX`], the oldest dropped first.
#[derive(Debug, Default)]
struct Cache {
    contracts: HashMap<[u8; 32], Contract>,
    order: VecDeque<[u8; 32]>,
}

impl Cache {
    fn get(&self, code_hash: &[u8; 32]) -> Option<Contract> {
        self.contracts.get(code_hash).cloned()
    }

    fn insert(&mut self, contract: Contract) {
        if self.contracts.contains_key(&contract.code_hash) {
            return;
        }
        while self.order.len() >= CACHED_CONTRACTS_MAX {
            if let Some(oldest) = self.order.pop_front() {
                self.contracts.remove(&oldest);
            }
        }
        self.order.push_back(contract.code_hash);
        self.contracts.insert(contract.code_hash, contract);
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

/// What a running call's store holds: the host, the call's input and output, and its limits.
pub(crate) struct Env<'a> {
    /// The effects of host calls.
    pub(crate) host: &'a mut dyn Host,
    /// The call's input.
    pub(crate) input: &'a [u8],
    /// The call's output so far.
    pub(crate) output: Vec<u8>,
    /// The events emitted so far.
    pub(crate) events: u32,
    /// The call's depth: 0 for a transaction's call, one more for each nested call.
    pub(crate) depth: u32,
    /// The call's fuel limit.
    pub(crate) fuel_limit: u64,
    /// The contract's memory, once instantiated.
    pub(crate) memory: Option<Memory>,
    /// The bounds of memory and table growth.
    limits: StoreLimits,
}

impl Engine {
    /// An engine with the settings of the module documentation.
    pub fn new() -> Self {
        let mut config = Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager)
            .allow_start_fn(false)
            .floats(false)
            .wasm_saturating_float_to_int(false)
            .wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_multi_value(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .set_max_recursion_depth(MAX_RECURSION_DEPTH)
            .set_max_stack_height(MAX_STACK_CELLS);
        Engine { inner: wasmi::Engine::new(&config), cache: Arc::default() }
    }

    /// Validates `code` ([`crate::validate()`]) and compiles it, or returns the contract compiled before from
    /// the same code (by SHA-256). Compilation is eager, so a cached contract runs exactly as a fresh one.
    ///
    /// # Errors
    ///
    /// The validation refusal, or [`Error::Malformed`] when the interpreter refuses a module validation let
    /// through.
    pub fn compile(&self, code: &[u8]) -> Result<Contract, Error> {
        let code_hash: [u8; 32] = Sha256::digest(code).into();
        if let Some(contract) = self.cache().get(&code_hash) {
            return Ok(contract);
        }
        validate(code)?;
        // A panic of the interpreter's compiler is its bug, but it must not take the node down: the module is
        // refused instead, the same way on every node running the same build.
        let module = match panic::catch_unwind(AssertUnwindSafe(|| Module::new(&self.inner, code))) {
            Ok(Ok(module)) => module,
            Ok(Err(error)) => return Err(Error::Malformed { detail: error.to_string() }),
            Err(_) => {
                return Err(Error::Malformed {
                    detail: "the interpreter failed while compiling this module; it cannot be run".to_string(),
                })
            }
        };
        let contract = Contract { module, code_hash };
        self.cache().insert(contract.clone());
        Ok(contract)
    }

    /// How many compiled contracts the cache holds.
    pub fn cached_contracts(&self) -> usize {
        self.cache().contracts.len()
    }

    /// The cache, even if a thread panicked while holding it: every update leaves it consistent.
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs a transaction's call of `contract`: its `call` with `input`, at most `fuel` fuel, effects through
    /// `host`.
    ///
    /// # Errors
    ///
    /// A [`Failure`]: out of fuel (all of `fuel` used), a trap, the contract's abort, or the host's failure,
    /// with the fuel used. The host must then discard the call's effects.
    pub fn run(&self, contract: &Contract, host: &mut dyn Host, input: &[u8], fuel: u64) -> Result<Outcome, Failure> {
        self.run_nested(contract, host, input, fuel, 0)
    }

    /// Runs a call at `depth`: what a [`Host`] does for `call_contract`, with the depth it was given.
    ///
    /// # Errors
    ///
    /// As [`Engine::run`].
    pub fn run_nested(
        &self,
        contract: &Contract,
        host: &mut dyn Host,
        input: &[u8],
        fuel: u64,
        depth: u32,
    ) -> Result<Outcome, Failure> {
        // As in `compile`: an interpreter panic ends the call, charged its whole fuel, instead of the node.
        panic::catch_unwind(AssertUnwindSafe(|| call(contract, host, input, fuel, depth))).unwrap_or_else(|_| {
            Err(Failure {
                error: Error::Trap {
                    kind: TrapKind::Other,
                    message: "the interpreter failed during the call".to_string(),
                },
                fuel_used: fuel,
            })
        })
    }
}

/// One call of `contract` in a fresh store and instance.
fn call(contract: &Contract, host: &mut dyn Host, input: &[u8], fuel: u64, depth: u32) -> Result<Outcome, Failure> {
    // A module compiled by another engine runs on that engine: a store may only hold its own engine's code.
    let engine = contract.module.engine();
    let limits = StoreLimitsBuilder::new()
        .memory_size((MAX_MEMORY_PAGES * PAGE_BYTES) as usize)
        .table_elements(MAX_TABLE_ELEMENTS as usize)
        .instances(1)
        .memories(1)
        .tables(MAX_TABLES as usize)
        .trap_on_grow_failure(false)
        .build();
    let env = Env { host, input, output: Vec::new(), events: 0, depth, fuel_limit: fuel, memory: None, limits };
    let mut store = Store::new(engine, env);
    store.limiter(|env| &mut env.limits);
    let failure = |store: &Store<Env<'_>>, error: wasmi::Error| {
        let error = classify(error, fuel);
        let fuel_used = match error {
            Error::OutOfFuel { .. } => fuel,
            _ => fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
        };
        Failure { error, fuel_used }
    };
    if let Err(error) = store.set_fuel(fuel) {
        return Err(failure(&store, error));
    }
    let result = instantiate(&mut store, &contract.module).and_then(|instance| {
        let call = instance.get_typed_func::<(), i32>(&store, "call")?;
        call.call(&mut store, ())
    });
    match result {
        Ok(status) => {
            let fuel_used = fuel.saturating_sub(store.get_fuel().unwrap_or(0));
            Ok(Outcome { status, output: std::mem::take(&mut store.data_mut().output), fuel_used })
        }
        Err(error) => Err(failure(&store, error)),
    }
}

/// A fresh instance of `module` with the host API's functions, its memory handed to the host functions.
fn instantiate(store: &mut Store<Env<'_>>, module: &Module) -> Result<Instance, wasmi::Error> {
    let mut imports = Vec::new();
    for import in module.imports() {
        // Validation admitted only host API functions; anything else is refused here too, never linked.
        let func = (import.module() == host::HOST_MODULE)
            .then(|| host::host_func(store, import.name()))
            .flatten()
            .ok_or_else(|| {
                wasmi::Error::new(format!(
                    "the import `{}`.`{}` is not in the host API",
                    import.module(),
                    import.name()
                ))
            })?;
        imports.push(Extern::Func(func));
    }
    let instance = Instance::new(&mut *store, module, &imports)?;
    let memory = instance
        .get_memory(&*store, "memory")
        .ok_or_else(|| wasmi::Error::new("the contract exports no memory `memory`"))?;
    store.data_mut().memory = Some(memory);
    Ok(instance)
}

/// This crate's error for an interpreter error that ended a call.
///
/// The message must be the same on every node, since the module above may record it: it is built from the
/// error's kind, never from the interpreter's `Display` of errors that can name store handles (whose numbers
/// count stores made in the process).
fn classify(error: wasmi::Error, fuel: u64) -> Error {
    use wasmi::errors::{ErrorKind, FuelError, InstantiationError, MemoryError, TableError};
    if let Some(Stop(error)) = error.downcast_ref::<Stop>() {
        return error.clone();
    }
    let trap = |kind: TrapKind, message: &str| Error::Trap { kind, message: message.to_string() };
    let out_of_fuel = Error::OutOfFuel { limit: fuel };
    match error.kind() {
        ErrorKind::TrapCode(code) => {
            let kind = match code {
                TrapCode::OutOfFuel => return out_of_fuel,
                TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
                TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
                TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
                TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
                TrapCode::IntegerDivisionByZero => TrapKind::DivisionByZero,
                TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
                TrapCode::BadConversionToInteger => TrapKind::BadConversion,
                TrapCode::StackOverflow => TrapKind::StackOverflow,
                TrapCode::BadSignature => TrapKind::BadSignature,
                TrapCode::GrowthOperationLimited => TrapKind::GrowthLimited,
                _ => TrapKind::Other,
            };
            trap(kind, code.trap_message())
        }
        ErrorKind::Fuel(FuelError::OutOfFuel { .. })
        | ErrorKind::Memory(MemoryError::OutOfFuel { .. })
        | ErrorKind::Table(TableError::OutOfFuel { .. }) => out_of_fuel,
        ErrorKind::Memory(_) | ErrorKind::Instantiation(InstantiationError::FailedToInstantiateMemory(_)) => {
            trap(TrapKind::MemoryOutOfBounds, "a memory operation or data segment is out of the memory's bounds")
        }
        ErrorKind::Table(_)
        | ErrorKind::Instantiation(
            InstantiationError::ElementSegmentDoesNotFit { .. } | InstantiationError::FailedToInstantiateTable(_),
        ) => trap(TrapKind::TableOutOfBounds, "a table operation or element segment is out of the table's bounds"),
        ErrorKind::Instantiation(_) => trap(TrapKind::Other, "the module could not be instantiated"),
        _ => trap(TrapKind::Other, "the interpreter stopped the call"),
    }
}
