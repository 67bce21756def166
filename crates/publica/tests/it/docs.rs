//! The README and the walkthroughs run as written: each page's `sh` blocks, in order, in one `bash` per page,
//! against one demo network started where the pages expect it (`./publica-dev`), so the commands in the docs cannot
//! drift from the CLI. The only change made to a page's text: the docs' default API address is the test node's.

use std::path::Path;
use std::process::{Command, Stdio};

use super::{text, Dev, BIN};

/// The pages, in the order they run, with the blocks (by position among the page's `sh` blocks) left out and why.
/// Pages whose commands need more than one demo network (a testnet, a witness) are run by their own tests.
const PAGES: &[(&str, &[(usize, &str)])] = &[
    ("README.md", &[(0, "the set-up commands themselves: building Publica and running every test, this one included")]),
    ("docs/walkthrough.md", &[]),
    ("docs/keys.md", &[]),
];

/// The address the docs use for the node's API (the CLI's default).
const DOCS_API: &str = "http://127.0.0.1:8080";

/// Longest a page may run.
const MAX_PAGE_SECS: u32 = 300;

/// The `sh` blocks of a Markdown page, in order.
fn sh_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "a `sh` block is not closed");
    blocks
}

#[test]
fn the_readme_and_the_walkthroughs_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("publica-dev"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    for (page, skipped) in PAGES {
        let blocks = sh_blocks(&std::fs::read_to_string(root.join(page)).unwrap());
        assert!(!blocks.is_empty(), "{page} has no `sh` block left to run");
        for (index, why) in *skipped {
            assert!(*index < blocks.len() && !why.is_empty(), "{page}: block {index} is skipped without a reason");
        }
        let script: String = blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| !skipped.iter().any(|(s, _)| s == i))
            .map(|(i, block)| format!("echo '--- {page}, block {i}' >&2\n{}", block.replace(DOCS_API, &dev.api)))
            .collect();
        let out = Command::new("timeout")
            .args([MAX_PAGE_SECS.to_string().as_str(), "bash", "-eu", "-o", "pipefail", "-x", "-c", &script])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("PUBLICA_API", &dev.api)
            .env("PUBLICA_LOG", "error")
            .env_remove("PUBLICA_PASSPHRASE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{page} does not run as written ({}):\n{}", out.status, text(&out));
    }
    // What the pages promise, checked on what they left behind.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bakery-record.json")).unwrap()).unwrap();
    assert_eq!(record["company"]["value"]["name"], "Nordvik Bakery AB");
    let before = std::fs::read_to_string(dir.path().join("before.json")).unwrap();
    assert!(before.contains("not_registered"), "{before}");
    // A BODS export is refused by `verify` with the way to check what it is derived from.
    let out = dev.cli(&["verify", "../bakery-bods.json", "--genesis", "genesis.json"]);
    assert!(!out.status.success() && text(&out).contains("publica business show NUMBER --json"), "{}", text(&out));
}
