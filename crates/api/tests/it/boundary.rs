//! The API boundary (ARCHITECTURE.md): the API reaches a node only through `NodeHandle` and the modules' query
//! functions, never through the store or the state machine.

use std::path::Path;

/// Crates the API must not depend on: the node's internals.
const FORBIDDEN_CRATES: [&str; 2] = ["publica-storage", "publica-execution"];

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_api_does_not_depend_on_the_store_or_execution() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml")).unwrap().parse().unwrap();
    // The tests may check the API against the state machine (its list of error codes); the API itself may not use it.
    for section in ["dependencies", "build-dependencies"] {
        let Some(deps) = manifest.get(section).and_then(|d| d.as_table()) else { continue };
        for name in FORBIDDEN_CRATES {
            assert!(!deps.contains_key(name), "crates/api/Cargo.toml lists {name} under [{section}]");
        }
    }
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in FORBIDDEN_CRATES.map(|c| c.replace('-', "_")) {
            assert!(!text.contains(&name), "{} names {name}", file.display());
        }
    }
}
