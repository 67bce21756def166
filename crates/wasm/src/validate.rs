//! Validation of a contract module before anything of it runs.
//!
//! The checks, in order, each refusal its own [`Error`] variant:
//!
//! 1. the code size, at most [`MAX_CODE_BYTES`];
//! 2. WebAssembly validity under the features this runtime enables (`features`): mutable globals, sign
//!    extension, multi-value, bulk memory and reference types (which current compilers emit), and none of
//!    floating point, SIMD, threads, 64-bit memories, multiple memories, tail calls, exceptions or GC. When a
//!    module is invalid only because it uses floating point, the refusal is [`Error::FloatingPoint`];
//! 3. the module's shape: no start function, imports only of host API functions with the host's signatures
//!    ([`crate::host::HOST_FUNCTIONS`]), at most [`MAX_IMPORTS`] imports, [`MAX_FUNCTIONS`] functions,
//!    [`MAX_GLOBALS`] globals, [`MAX_TABLES`] tables of at most [`MAX_TABLE_ELEMENTS`] elements,
//!    [`MAX_DATA_SEGMENTS`] data and [`MAX_ELEMENT_SEGMENTS`] element segments, [`MAX_EXPORTS`] exports, one
//!    memory defined by the module (not imported) starting at no more than [`MAX_MEMORY_PAGES`] pages and
//!    exported as `memory`, and an exported function `call: () -> i32`.
//!
//! The interpreter then validates and compiles the module once more ([`crate::Engine::compile`]) with the
//! same features, so a module this pass accepts and the interpreter refuses is still refused.

use crate::error::Error;
use crate::host::{self, HOST_MODULE};
use crate::limits::{
    MAX_CODE_BYTES, MAX_DATA_SEGMENTS, MAX_ELEMENT_SEGMENTS, MAX_EXPORTS, MAX_FUNCTIONS, MAX_GLOBALS, MAX_IMPORTS,
    MAX_MEMORY_PAGES, MAX_TABLES, MAX_TABLE_ELEMENTS,
};
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// The WebAssembly features a contract may use; `floats` only to tell a float refusal from other invalidity.
pub(crate) fn features(floats: bool) -> WasmFeatures {
    let mut features = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        // The validator requires GC types for reference types; the GC proposal itself stays off.
        | WasmFeatures::GC_TYPES;
    if floats {
        features |= WasmFeatures::FLOATS | WasmFeatures::SATURATING_FLOAT_TO_INT;
    }
    features
}

/// Checks a contract module; `Ok` when it may be compiled and run.
///
/// # Errors
///
/// The first refusal found, as listed in the module documentation.
pub fn validate(code: &[u8]) -> Result<(), Error> {
    if code.len() > MAX_CODE_BYTES {
        return Err(Error::CodeTooLarge { size: code.len(), max: MAX_CODE_BYTES });
    }
    if let Err(error) = Validator::new_with_features(features(false)).validate_all(code) {
        let detail = error.to_string();
        // The same module with floats allowed: if it is then valid, floating point was its only fault.
        return if Validator::new_with_features(features(true)).validate_all(code).is_ok() {
            Err(Error::FloatingPoint { detail })
        } else {
            Err(Error::Malformed { detail })
        };
    }
    check_shape(code)
}

/// A count checked against its limit.
fn at_most(what: &'static str, count: u64, max: u64) -> Result<(), Error> {
    if count > max {
        return Err(Error::TooMany { what, count, max });
    }
    Ok(())
}

/// The checks of the module's structure that WebAssembly validity leaves open. The module is valid here, so
/// every index it holds resolves.
fn check_shape(code: &[u8]) -> Result<(), Error> {
    let malformed = |error: wasmparser::BinaryReaderError| Error::Malformed { detail: error.to_string() };
    let mut types: Vec<Option<FuncType>> = Vec::new();
    // The type index of every function, imported ones first, as WebAssembly numbers them.
    let mut function_types: Vec<u32> = Vec::new();
    let mut memories = 0u64;
    let mut tables = 0u64;
    let mut exported_memory = false;
    let mut exported_call = None;

    for payload in Parser::new(0).parse_all(code) {
        match payload.map_err(malformed)? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub_type in group.map_err(malformed)?.into_types() {
                        types.push(match sub_type.composite_type.inner {
                            CompositeInnerType::Func(func) => Some(func),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                at_most("imports", u64::from(reader.count()), u64::from(MAX_IMPORTS))?;
                for import in reader {
                    let import = import.map_err(malformed)?;
                    let outside = || Error::ImportNotInHostApi {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                    };
                    if import.module != HOST_MODULE {
                        return Err(outside());
                    }
                    let TypeRef::Func(index) = import.ty else {
                        return Err(outside());
                    };
                    let host = host::HOST_FUNCTIONS
                        .iter()
                        .find(|function| function.name == import.name)
                        .ok_or_else(outside)?;
                    let found = func_type(&types, index);
                    let matches = found.is_some_and(|ty| {
                        same_types(ty.params(), host.params) && same_types(ty.results(), host.results)
                    });
                    if !matches {
                        return Err(Error::ImportSignature {
                            name: import.name.to_string(),
                            expected: host.signature(),
                            found: found.map_or_else(|| "not a function type".to_string(), describe),
                        });
                    }
                    function_types.push(index);
                }
            }
            Payload::FunctionSection(reader) => {
                at_most("functions", u64::from(reader.count()), u64::from(MAX_FUNCTIONS))?;
                for index in reader {
                    function_types.push(index.map_err(malformed)?);
                }
            }
            Payload::TableSection(reader) => {
                tables += u64::from(reader.count());
                at_most("tables", tables, u64::from(MAX_TABLES))?;
                for table in reader {
                    let table = table.map_err(malformed)?;
                    if table.ty.initial > MAX_TABLE_ELEMENTS {
                        return Err(Error::TableTooLarge { elements: table.ty.initial, max: MAX_TABLE_ELEMENTS });
                    }
                }
            }
            Payload::MemorySection(reader) => {
                memories += u64::from(reader.count());
                at_most("memories", memories, 1)?;
                for memory in reader {
                    let memory = memory.map_err(malformed)?;
                    if memory.initial > MAX_MEMORY_PAGES {
                        return Err(Error::TooManyMemoryPages { pages: memory.initial, max: MAX_MEMORY_PAGES });
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                at_most("globals", u64::from(reader.count()), u64::from(MAX_GLOBALS))?;
            }
            Payload::ExportSection(reader) => {
                at_most("exports", u64::from(reader.count()), u64::from(MAX_EXPORTS))?;
                for export in reader {
                    let export = export.map_err(malformed)?;
                    match (export.name, export.kind) {
                        ("memory", ExternalKind::Memory) => exported_memory = true,
                        ("call", ExternalKind::Func) => exported_call = Some(export.index),
                        ("call", _) => return Err(Error::MissingCall),
                        _ => {}
                    }
                }
            }
            Payload::StartSection { func, .. } => {
                return Err(Error::StartFunction { function: func });
            }
            Payload::ElementSection(reader) => {
                at_most("element segments", u64::from(reader.count()), u64::from(MAX_ELEMENT_SEGMENTS))?;
            }
            Payload::DataSection(reader) => {
                at_most("data segments", u64::from(reader.count()), u64::from(MAX_DATA_SEGMENTS))?;
            }
            _ => {}
        }
    }

    if !exported_memory {
        return Err(Error::MissingMemory);
    }
    let call = exported_call.ok_or(Error::MissingCall)?;
    let ty = function_types.get(call as usize).and_then(|index| func_type(&types, *index));
    match ty {
        Some(ty) if ty.params().is_empty() && ty.results() == [ValType::I32] => Ok(()),
        Some(ty) => Err(Error::CallSignature { found: describe(ty) }),
        None => Err(Error::CallSignature { found: "not a function type".to_string() }),
    }
}

/// The function type at `index` of the type section, if it is one.
fn func_type(types: &[Option<FuncType>], index: u32) -> Option<&FuncType> {
    types.get(index as usize).and_then(Option::as_ref)
}

/// Whether a module's value types are exactly the host's.
fn same_types(module: &[ValType], host: &[host::Ty]) -> bool {
    module.len() == host.len()
        && module.iter().zip(host).all(|(module, host)| {
            matches!((module, host), (ValType::I32, host::Ty::I32) | (ValType::I64, host::Ty::I64))
        })
}

/// A function type written as `(i32, i32) -> i64`.
fn describe(ty: &FuncType) -> String {
    let list = |types: &[ValType]| types.iter().map(|ty| ty.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(ty.params()), list(ty.results()))
}
