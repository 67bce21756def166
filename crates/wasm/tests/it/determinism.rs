//! Determinism: random valid contracts run twice, each time on a fresh engine and a fresh host, give the same
//! outcome, the same fuel and the same host effects in the same order.

use crate::common::{wasm, IMPORTS};
use arbitrary::Unstructured;
use proptest::prelude::*;
use publica_wasm::{Engine, MemoryHost};
use wasm_encoder::{ExportKind, ExportSection, Module, RawSection};
use wasmparser::{ExternalKind, Parser, Payload};

/// The fuel of each generated call: enough for real work, small enough to stop every infinite loop quickly.
const FUEL: u64 = 200_000;

/// The generator's configuration: the contract's features and limits, floats off, imports from the host API;
/// `disallow_traps` makes it guard divisions and memory accesses, so that more calls run long and reach the host.
fn config(disallow_traps: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        disallow_traps,
        available_imports: Some(wasm(&format!("(module {IMPORTS})"))),
        exports: Some(wasm(r#"(module (func (export "call") (result i32) unreachable))"#)),
        allow_floats: false,
        saturating_float_to_int_enabled: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        allow_start_export: false,
        min_memories: 1,
        max_memories: 1,
        max_memory32_bytes: 4 * 65536,
        max_tables: 1,
        max_table_elements: 64,
        max_funcs: 24,
        max_globals: 16,
        max_instructions: 300,
        max_data_segments: 8,
        max_element_segments: 8,
        max_type_size: 200,
        ..wasm_smith::Config::default()
    }
}

/// `code` with its memory also exported as `memory`, which the generator cannot be asked for.
fn export_memory(code: &[u8]) -> Vec<u8> {
    // Sections that come after the export section, in the binary format's order.
    const AFTER_EXPORT: [u8; 5] = [8, 9, 12, 10, 11];
    let mut module = Module::new();
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    let mut placed = false;
    for payload in Parser::new(0).parse_all(code) {
        let payload = payload.expect("the generated module parses");
        if let Payload::ExportSection(reader) = &payload {
            for export in reader.clone() {
                let export = export.expect("the generated exports parse");
                let kind = match export.kind {
                    ExternalKind::Func => ExportKind::Func,
                    ExternalKind::Table => ExportKind::Table,
                    ExternalKind::Memory => ExportKind::Memory,
                    ExternalKind::Global => ExportKind::Global,
                    ExternalKind::Tag => ExportKind::Tag,
                };
                exports.export(export.name, kind, export.index);
            }
            module.section(&exports);
            placed = true;
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            if !placed && AFTER_EXPORT.contains(&id) {
                module.section(&exports);
                placed = true;
            }
            module.section(&RawSection { id, data: &code[range] });
        }
    }
    if !placed {
        module.section(&exports);
    }
    module.finish()
}

/// Everything a run produced that another node must reproduce.
fn run_fresh(code: &[u8], input: &[u8]) -> String {
    let engine = Engine::new();
    let contract = match engine.compile(code) {
        Ok(contract) => contract,
        Err(error) => return format!("refused: {error:?}"),
    };
    let mut host = MemoryHost::new(&engine);
    host.state.insert(b"k".to_vec(), vec![1, 2, 3]);
    host.public.insert(vec![0], vec![9; 40]);
    host.roles.insert(Vec::new());
    host.height = 77;
    host.time_ms = 1_000;
    let result = engine.run(&contract, &mut host, input, FUEL);
    format!("{result:?} {:?} {:?}", host.log, host.state)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_contracts_run_identically_on_fresh_engines(
        seed in proptest::collection::vec(any::<u8>(), 64..4096),
        input in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut unstructured = Unstructured::new(&seed);
        let Ok(generated) = wasm_smith::Module::new(config(seed[0] & 1 == 0), &mut unstructured) else {
            return Ok(());
        };
        let code = export_memory(&generated.to_bytes());
        let first = run_fresh(&code, &input);
        let second = run_fresh(&code, &input);
        prop_assert_eq!(first, second);
    }
}

#[test]
fn the_generator_produces_contracts_the_runtime_accepts_and_runs() {
    // The property above is worth little if every generated module were refused or trapped at once: most must
    // be accepted, and some must run to their end and reach the host.
    let mut accepted = 0;
    let mut ran = 0;
    let mut reached_host = 0;
    for seed in 0..100u32 {
        let bytes: Vec<u8> = (0..2048u32)
            .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed.wrapping_mul(40_503)) >> 13) as u8)
            .collect();
        let mut unstructured = Unstructured::new(&bytes);
        let Ok(generated) = wasm_smith::Module::new(config(seed % 2 == 0), &mut unstructured) else {
            continue;
        };
        let code = export_memory(&generated.to_bytes());
        let engine = Engine::new();
        match engine.compile(&code) {
            Ok(contract) => {
                accepted += 1;
                let mut host = MemoryHost::new(&engine);
                if engine.run(&contract, &mut host, &[], FUEL).is_ok() {
                    ran += 1;
                }
                if !host.log.is_empty() {
                    reached_host += 1;
                }
            }
            Err(error) => panic!("a generated contract was refused: {error}"),
        }
    }
    assert!(accepted >= 50, "only {accepted} generated contracts were accepted");
    assert!(ran >= 10, "only {ran} generated contracts ran to their end");
    assert!(reached_host >= 5, "only {reached_host} generated contracts called the host");
}

#[test]
fn a_module_that_trips_the_interpreters_compiler_is_handled_the_same_way_every_time() {
    // Found by the property above: on this generated module (reference types and multi-value blocks) wasmi
    // 2.0.0's translator fails its assertion "a register operand already exists on the stack" in builds with
    // debug assertions. The panic must not escape: the module is refused, identically on every run.
    let code = include_bytes!("modules/translator_register_assert.wasm");
    assert_eq!(run_fresh(code, b""), run_fresh(code, b""));
}
