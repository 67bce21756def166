//! The API keeps its contract: a property-based fuzzer (Schemathesis, pinned in scripts/test.sh) drives a live
//! `publica dev` node from the node's own `/openapi.json`, with every check on, and must find nothing.

use std::path::PathBuf;
use std::process::Command;

use crate::{text, Dev};

#[test]
fn a_fuzzer_driven_by_the_openapi_document_finds_no_answer_that_breaks_it() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/api-fuzz.py");
    let out = Command::new("python3").arg(&script).arg(&dev.api).current_dir(dir.path()).output().unwrap_or_else(|e| {
        panic!("python3 is needed to fuzz the API ({e}); ./scripts/test.sh installs what it needs")
    });
    assert_ne!(
        out.status.code(),
        Some(2),
        "the API fuzzer is not installed: {}\nrun ./scripts/test.sh, or python3 -m pip install 'schemathesis==4.32.5'",
        text(&out)
    );
    assert!(out.status.success(), "the API does not keep its OpenAPI contract:\n{}", text(&out));
}
