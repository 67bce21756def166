//! The crate's errors: why a module was refused, and why a call failed.

use std::fmt;

/// Why a module was refused or a call failed.
///
/// The variants up to [`Error::CallSignature`] are validation refusals ([`Error::is_validation`]): the module
/// never runs. The others end a call; the call's state changes must then be discarded by the [`crate::Host`]
/// implementer, and its fuel is still charged ([`crate::Failure::fuel_used`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The module's binary encoding is larger than the limit.
    #[error(
        "the module is {size} bytes, more than the {max} bytes a contract may have: shrink it (optimise for \
         size, strip custom sections)"
    )]
    CodeTooLarge {
        /// The module's size in bytes.
        size: usize,
        /// The limit, [`crate::limits::MAX_CODE_BYTES`].
        max: usize,
    },
    /// The bytes are not a valid WebAssembly module, or use a feature the runtime does not enable.
    #[error("the module is not valid WebAssembly for this runtime: {detail}")]
    Malformed {
        /// What the parser or validator reported, with its byte offset.
        detail: String,
    },
    /// The module uses floating point: an `f32`/`f64` instruction or value type anywhere.
    #[error(
        "the module uses floating point ({detail}); contracts must use integer arithmetic only, as float \
         results may differ between machines"
    )]
    FloatingPoint {
        /// What the validator reported, with its byte offset.
        detail: String,
    },
    /// The module declares a start function, which would run code at instantiation, outside the metered entry.
    #[error(
        "the module declares a start function (function {function}); contracts may run code only through \
         their exported `call`"
    )]
    StartFunction {
        /// The start function's index.
        function: u32,
    },
    /// The module imports something that is not a function of the host API.
    #[error(
        "the module imports `{module}`.`{name}`, which is not in the host API: only functions of `{}` may be \
         imported (see docs/contracts.md)",
        crate::host::HOST_MODULE
    )]
    ImportNotInHostApi {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
    },
    /// The module imports a host function with a signature other than the host's.
    #[error("the module imports `{name}` as {found}, but the host API defines it as {expected}")]
    ImportSignature {
        /// The import's field name.
        name: String,
        /// The signature of the host API, e.g. `(i32, i32) -> i64`.
        expected: String,
        /// The signature the module declared.
        found: String,
    },
    /// The module has more items of one kind than the limit (functions, imports, globals, tables, segments…).
    #[error("the module has {count} {what}, more than the {max} a contract may have")]
    TooMany {
        /// What was counted, e.g. "functions".
        what: &'static str,
        /// How many the module has.
        count: u64,
        /// The limit.
        max: u64,
    },
    /// The module's memory starts larger than the limit.
    #[error("the module's memory starts at {pages} pages of 64 KiB, more than the {max} a contract may use")]
    TooManyMemoryPages {
        /// The initial number of pages declared.
        pages: u64,
        /// The limit, [`crate::limits::MAX_MEMORY_PAGES`].
        max: u64,
    },
    /// A table starts larger than the limit.
    #[error("a table of the module starts with {elements} elements, more than the {max} a contract may use")]
    TableTooLarge {
        /// The initial number of elements declared.
        elements: u64,
        /// The limit, [`crate::limits::MAX_TABLE_ELEMENTS`].
        max: u64,
    },
    /// The module does not define and export its memory as `memory`.
    #[error(
        "the module does not export its memory as `memory`: a contract must define one memory and export it \
         under that name"
    )]
    MissingMemory,
    /// The module does not export its entry function as `call`.
    #[error("the module does not export a function `call`: a contract's entry must be exported as `call: () -> i32`")]
    MissingCall,
    /// The exported `call` has another signature than `() -> i32`.
    #[error("the exported `call` is {found}, but a contract's entry must be () -> i32")]
    CallSignature {
        /// The signature the module declared.
        found: String,
    },

    /// The call used all the fuel it was given.
    #[error("the call ran out of fuel after {limit} units: raise the call's fuel limit or make the contract do less")]
    OutOfFuel {
        /// The fuel limit of the call, all of which is charged.
        limit: u64,
    },
    /// The call trapped: a WebAssembly trap, or a host call the runtime refused.
    #[error("the contract trapped ({kind}): {message}")]
    Trap {
        /// What kind of trap.
        kind: TrapKind,
        /// What happened, in words.
        message: String,
    },
    /// The contract ended the call itself with `abort(msg)`.
    #[error("the contract aborted: {message}")]
    Aborted {
        /// The contract's message (UTF-8, at most [`crate::limits::MAX_ABORT_MESSAGE_BYTES`] bytes).
        message: String,
    },
    /// The [`crate::Host`] failed while serving a host call.
    #[error("the host failed during the call: {0}")]
    Host(HostError),
}

impl Error {
    /// Whether this is a refusal of the module by validation (as opposed to a failure of one call).
    pub fn is_validation(&self) -> bool {
        !matches!(self, Error::OutOfFuel { .. } | Error::Trap { .. } | Error::Aborted { .. } | Error::Host(_))
    }

    /// A stable name of the variant, for logs, metrics and error codes recorded by the module above.
    pub fn name(&self) -> &'static str {
        match self {
            Error::CodeTooLarge { .. } => "code_too_large",
            Error::Malformed { .. } => "malformed",
            Error::FloatingPoint { .. } => "floating_point",
            Error::StartFunction { .. } => "start_function",
            Error::ImportNotInHostApi { .. } => "import_not_in_host_api",
            Error::ImportSignature { .. } => "import_signature",
            Error::TooMany { .. } => "too_many",
            Error::TooManyMemoryPages { .. } => "too_many_memory_pages",
            Error::TableTooLarge { .. } => "table_too_large",
            Error::MissingMemory => "missing_memory",
            Error::MissingCall => "missing_call",
            Error::CallSignature { .. } => "call_signature",
            Error::OutOfFuel { .. } => "out_of_fuel",
            Error::Trap { .. } => "trap",
            Error::Aborted { .. } => "aborted",
            Error::Host(_) => "host",
        }
    }
}

/// The kind of a trap: the WebAssembly traps, and the host API's own refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// `unreachable` was executed.
    Unreachable,
    /// A load or store outside the memory.
    MemoryOutOfBounds,
    /// A table access outside the table.
    TableOutOfBounds,
    /// `call_indirect` to an empty table slot.
    IndirectCallToNull,
    /// `call_indirect` to a function of another signature.
    BadSignature,
    /// An integer division or remainder by zero.
    DivisionByZero,
    /// An integer overflow (`i32.div_s` of the minimum by -1).
    IntegerOverflow,
    /// A conversion to an integer that cannot be represented.
    BadConversion,
    /// The recursion depth or the value stack limit was exceeded.
    StackOverflow,
    /// A memory or table growth refused by the limits with a trap.
    GrowthLimited,
    /// A host call named memory outside the contract's memory (a pointer or a length out of bounds).
    HostMemoryOutOfBounds,
    /// A host call exceeded a limit of the host API (a key, value, output or message too long, too many events).
    HostLimit,
    /// A host call's arguments were invalid in another way (a message that is not UTF-8).
    HostInvalidArgument,
    /// Any other trap reported by the interpreter.
    Other,
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "memory out of bounds",
            TrapKind::TableOutOfBounds => "table out of bounds",
            TrapKind::IndirectCallToNull => "indirect call to null",
            TrapKind::BadSignature => "indirect call signature mismatch",
            TrapKind::DivisionByZero => "integer division by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::BadConversion => "invalid conversion to integer",
            TrapKind::StackOverflow => "stack overflow",
            TrapKind::GrowthLimited => "growth limited",
            TrapKind::HostMemoryOutOfBounds => "host call memory out of bounds",
            TrapKind::HostLimit => "host call limit exceeded",
            TrapKind::HostInvalidArgument => "host call invalid argument",
            TrapKind::Other => "other",
        })
    }
}

/// A failure of the [`crate::Host`] itself (its store failed, an invariant broke): it ends the call.
///
/// A refusal that the contract should see and handle is a return value of the host call instead (`public_get`
/// returns -2, `submit_native` returns the host's code), never a `HostError`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    /// What went wrong, in words.
    pub message: String,
}

impl HostError {
    /// A host error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        HostError { message: message.into() }
    }
}

/// A failed call: why, and how much fuel it used (the whole limit when it ran out), which is still charged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error} (fuel used: {fuel_used})")]
pub struct Failure {
    /// Why the call failed.
    pub error: Error,
    /// The fuel the call used before it stopped.
    pub fuel_used: u64,
}
