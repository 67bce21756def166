//! Every validation refusal, each with its own error, and the modules that pass.

use crate::common::{calling, compile, module, refusal, wasm};
use publica_wasm::limits::{
    MAX_CODE_BYTES, MAX_DATA_SEGMENTS, MAX_ELEMENT_SEGMENTS, MAX_EXPORTS, MAX_FUNCTIONS, MAX_GLOBALS, MAX_MEMORY_PAGES,
    MAX_TABLE_ELEMENTS,
};
use publica_wasm::Error;

const CALL: &str = r#"(func (export "call") (result i32) i32.const 0)"#;

#[test]
fn a_minimal_contract_with_every_host_import_is_accepted() {
    compile(&calling("i32.const 0"));
    compile(&wasm(&format!("(module (memory (export \"memory\") 1) {CALL})")));
}

#[test]
fn code_larger_than_the_limit_is_refused_before_parsing() {
    let mut code = calling("i32.const 0");
    code.resize(MAX_CODE_BYTES + 1, 0);
    let error = refusal(&code);
    assert_eq!(error, Error::CodeTooLarge { size: MAX_CODE_BYTES + 1, max: MAX_CODE_BYTES });
    assert!(error.to_string().contains(&MAX_CODE_BYTES.to_string()));
}

#[test]
fn bytes_that_are_not_webassembly_are_refused_as_malformed() {
    assert!(matches!(refusal(b"not wasm"), Error::Malformed { .. }));
    assert!(matches!(refusal(&[]), Error::Malformed { .. }));
    let mut truncated = calling("i32.const 0");
    truncated.truncate(truncated.len() - 3);
    assert!(matches!(refusal(&truncated), Error::Malformed { .. }));
}

#[test]
fn floating_point_is_refused_wherever_it_appears() {
    let cases = [
        // An instruction.
        calling("f32.const 1.5 drop i32.const 0"),
        // A conversion from integers.
        calling("i32.const 1 f64.convert_i32_s drop i32.const 0"),
        // A parameter type.
        module(&format!("(func $f (param f64)) {CALL}")),
        // A result type.
        module(&format!("(func $f (result f32) unreachable) {CALL}")),
        // A local.
        module(&format!("(func $f (local f32)) {CALL}")),
        // A global.
        module(&format!("(global $g f64 (f64.const 0)) {CALL}")),
        // A type that no function uses.
        module(&format!("(type (func (param f32))) {CALL}")),
    ];
    for code in cases {
        let error = refusal(&code);
        assert!(matches!(error, Error::FloatingPoint { .. }), "expected a floating point refusal, got {error}");
        assert!(error.to_string().contains("floating"));
    }
}

#[test]
fn a_start_function_is_refused() {
    let error = refusal(&module(&format!("(func $init) (start $init) {CALL}")));
    assert!(matches!(error, Error::StartFunction { .. }), "{error}");
}

#[test]
fn imports_outside_the_host_api_are_refused_by_module_and_by_name() {
    let other_module = wasm(&format!(
        "(module (import \"env\" \"input_len\" (func (result i32))) (memory (export \"memory\") 1) {CALL})"
    ));
    assert_eq!(refusal(&other_module), Error::ImportNotInHostApi { module: "env".into(), name: "input_len".into() });
    let unknown_name = wasm(&format!(
        "(module (import \"publica_v1\" \"random\" (func (result i64))) (memory (export \"memory\") 1) {CALL})"
    ));
    assert_eq!(
        refusal(&unknown_name),
        Error::ImportNotInHostApi { module: "publica_v1".into(), name: "random".into() }
    );
    let imported_memory =
        wasm(&format!("(module (import \"publica_v1\" \"memory\" (memory 1)) (export \"memory\" (memory 0)) {CALL})"));
    assert!(matches!(refusal(&imported_memory), Error::ImportNotInHostApi { .. }));
    let imported_global = wasm(&format!(
        "(module (import \"publica_v1\" \"block_height\" (global i64)) (memory (export \"memory\") 1) {CALL})"
    ));
    assert!(matches!(refusal(&imported_global), Error::ImportNotInHostApi { .. }));
}

#[test]
fn a_host_import_with_another_signature_is_refused() {
    let code = wasm(&format!(
        "(module (import \"publica_v1\" \"state_get\" (func (param i32 i32 i32 i32) (result i32)))
           (memory (export \"memory\") 1) {CALL})"
    ));
    let error = refusal(&code);
    assert_eq!(
        error,
        Error::ImportSignature {
            name: "state_get".into(),
            expected: "(i32, i32, i32, i32) -> (i64)".into(),
            found: "(i32, i32, i32, i32) -> (i32)".into(),
        }
    );
}

#[test]
fn memory_larger_than_the_limit_is_refused() {
    let code = wasm(&format!("(module (memory (export \"memory\") {}) {CALL})", MAX_MEMORY_PAGES + 1));
    assert_eq!(refusal(&code), Error::TooManyMemoryPages { pages: MAX_MEMORY_PAGES + 1, max: MAX_MEMORY_PAGES });
    // At the limit, and with a larger declared maximum (growth stops at the limit), it is accepted.
    compile(&wasm(&format!("(module (memory (export \"memory\") {MAX_MEMORY_PAGES} 65536) {CALL})")));
}

#[test]
fn tables_beyond_the_limits_are_refused() {
    let large = module(&format!("(table {} funcref) {CALL}", MAX_TABLE_ELEMENTS + 1));
    assert_eq!(refusal(&large), Error::TableTooLarge { elements: MAX_TABLE_ELEMENTS + 1, max: MAX_TABLE_ELEMENTS });
    let two = module(&format!("(table 1 funcref) (table 1 funcref) {CALL}"));
    assert!(matches!(refusal(&two), Error::TooMany { what: "tables", .. }));
}

/// `count` copies of `item`, each given its index.
fn repeated(count: u32, item: impl Fn(u32) -> String) -> String {
    (0..count).map(item).collect::<Vec<_>>().join("\n")
}

#[test]
fn too_many_functions_globals_segments_or_exports_are_refused() {
    let functions = module(&format!("{} {CALL}", repeated(MAX_FUNCTIONS, |_| "(func)".into())));
    assert_eq!(
        refusal(&functions),
        Error::TooMany { what: "functions", count: u64::from(MAX_FUNCTIONS) + 1, max: u64::from(MAX_FUNCTIONS) }
    );
    let globals = module(&format!("{} {CALL}", repeated(MAX_GLOBALS + 1, |_| "(global i32 (i32.const 0))".into())));
    assert!(matches!(refusal(&globals), Error::TooMany { what: "globals", .. }));
    let data = module(&format!("{} {CALL}", repeated(MAX_DATA_SEGMENTS + 1, |_| "(data (i32.const 0) \"x\")".into())));
    assert!(matches!(refusal(&data), Error::TooMany { what: "data segments", .. }));
    let elements = module(&format!(
        "(table 1 funcref) (func $f) {} {CALL}",
        repeated(MAX_ELEMENT_SEGMENTS + 1, |_| "(elem (i32.const 0) $f)".into())
    ));
    assert!(matches!(refusal(&elements), Error::TooMany { what: "element segments", .. }));
    let exports =
        module(&format!("(func $f) {} {CALL}", repeated(MAX_EXPORTS, |i| format!("(export \"f{i}\" (func $f))"))));
    assert!(matches!(refusal(&exports), Error::TooMany { what: "exports", .. }));
}

#[test]
fn a_module_without_its_memory_or_entry_is_refused() {
    let no_memory = wasm(&format!("(module (memory 1) {CALL})"));
    assert_eq!(refusal(&no_memory), Error::MissingMemory);
    let no_call = wasm("(module (memory (export \"memory\") 1) (func (export \"run\") (result i32) i32.const 0))");
    assert_eq!(refusal(&no_call), Error::MissingCall);
    let call_is_a_global = wasm("(module (memory (export \"memory\") 1) (global (export \"call\") i32 (i32.const 0)))");
    assert_eq!(refusal(&call_is_a_global), Error::MissingCall);
    let call_takes_params =
        wasm("(module (memory (export \"memory\") 1) (func (export \"call\") (param i32) (result i32) i32.const 0))");
    assert_eq!(refusal(&call_takes_params), Error::CallSignature { found: "(i32) -> (i32)".into() });
    let call_returns_nothing = wasm("(module (memory (export \"memory\") 1) (func (export \"call\")))");
    assert!(matches!(refusal(&call_returns_nothing), Error::CallSignature { .. }));
}

#[test]
fn features_outside_the_enabled_set_are_refused_as_malformed() {
    // SIMD.
    let simd = calling("v128.const i64x2 0 0 drop i32.const 0");
    assert!(matches!(refusal(&simd), Error::Malformed { .. }));
    // Tail calls.
    let tail = module(r#"(func $f (result i32) i32.const 0) (func (export "call") (result i32) return_call $f)"#);
    assert!(matches!(refusal(&tail), Error::Malformed { .. }));
    // 64-bit memories.
    let memory64 = wasm(&format!("(module (memory (export \"memory\") i64 1) {CALL})"));
    assert!(matches!(refusal(&memory64), Error::Malformed { .. }));
}
