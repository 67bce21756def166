//! The README and the walkthroughs run as written: each page's `sh` blocks, in order, in one `bash` per page,
//! against one demo network started where the pages expect it (`./publica-dev`), so the commands in the docs cannot
//! drift from the CLI. The only changes made to a page's text: the docs' fixed addresses and ports are the test's
//! free ones, and a witness operator's network is the demo network.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, send_signal, text, Dev, BIN};

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
const MAX_PAGE_SECS: u64 = 480;

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

/// Run a page's `sh` blocks (but `skipped`) in order, in one `bash -eu -o pipefail` in `dir`, after replacing each
/// `(from, to)` of `substitutions` in their text; panics with the page's trace if a command fails or the page
/// outlives [`MAX_PAGE_SECS`]. Whatever the page left running in the background (nodes) is stopped after it.
fn run_page(dir: &Path, page: &str, skipped: &[(usize, &str)], substitutions: &[(&str, String)], env: &[(&str, &str)]) {
    use std::os::unix::process::CommandExt as _;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let blocks = sh_blocks(&std::fs::read_to_string(root.join(page)).unwrap());
    assert!(!blocks.is_empty(), "{page} has no `sh` block left to run");
    for (index, why) in skipped {
        assert!(*index < blocks.len() && !why.is_empty(), "{page}: block {index} is skipped without a reason");
    }
    let script: String = blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| !skipped.iter().any(|(s, _)| s == i))
        .map(|(i, block)| {
            let block = substitutions.iter().fold(block.clone(), |b, (from, to)| b.replace(from, to));
            format!("echo '--- {page}, block {i}' >&2\n{block}")
        })
        .collect();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let log = dir.join(format!("{}.log", page.replace('/', "-")));
    let mut child = Command::new("bash")
        .args(["-eu", "-o", "pipefail", "-x", "-c", &script])
        .current_dir(dir)
        .env("PATH", &path)
        .env("PUBLICA_LOG", "error")
        .env_remove("PUBLICA_PASSPHRASE")
        .env_remove("PUBLICA_API")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
        // Its own process group, so that what it starts in the background is stopped with it.
        .process_group(0)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(MAX_PAGE_SECS);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let group = format!("-{}", child.id());
    // Ctrl-C first (nodes stop cleanly), then whatever is left.
    send_signal("-INT", &group);
    std::thread::sleep(Duration::from_secs(2));
    send_signal("-KILL", &group);
    let _ = child.wait();
    let output = format!(
        "{}{}",
        std::fs::read_to_string(&log).unwrap_or_default(),
        std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
    );
    match status {
        Some(status) if status.success() => {}
        Some(status) => panic!("{page} does not run as written ({status}):\n{output}"),
        None => panic!("{page} ran for more than {MAX_PAGE_SECS} s:\n{output}"),
    }
}

#[test]
fn the_readme_and_the_walkthroughs_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("publica-dev"));
    for (page, skipped) in PAGES {
        run_page(dir.path(), page, skipped, &[(DOCS_API, dev.api.clone())], &[("PUBLICA_API", &dev.api)]);
    }
    // The witness operator's commands, for this network: its genesis stands for the page's `publica-net`.
    std::fs::write(dir.path().join("pass"), "the court's witness passphrase").unwrap();
    let witness_listen = format!("127.0.0.1:{}", free_port());
    run_page(
        dir.path(),
        "docs/witness.md",
        &[(1, "it needs a node restarted with this witness in its config.toml; witness.rs runs that part")],
        &[("0.0.0.0:9000", witness_listen.clone()), ("publica-net/genesis.json", "publica-dev/genesis.json".into())],
        &[("PUBLICA_API", &dev.api)],
    );
    let vkeys = std::fs::read_to_string(dir.path().join("court.vkeys")).unwrap();
    assert_eq!(vkeys.lines().filter(|l| l.starts_with("court.example/witness+")).count(), 2, "{vkeys}");
    // What the pages promise, checked on what they left behind.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bakery-record.json")).unwrap()).unwrap();
    assert_eq!(record["company"]["value"]["name"], "Nordvik Bakery AB");
    let before = std::fs::read_to_string(dir.path().join("before.json")).unwrap();
    assert!(before.contains("not_registered"), "{before}");
    // The credential round trip: VALID before the revocation (the page stops at any failure), refused after it.
    let refused = std::fs::read_to_string(dir.path().join("refused.txt")).unwrap();
    assert!(refused.contains("INVALID credential: status: revoked"), "{refused}");
    // A BODS export is refused by `verify` with the way to check what it is derived from.
    let out = dev.cli(&["verify", "../bakery-bods.json", "--genesis", "genesis.json"]);
    assert!(!out.status.success() && text(&out).contains("publica business show NUMBER --json"), "{}", text(&out));
}

#[test]
fn the_testnet_and_governance_walkthroughs_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    // The joining node's ports, fixed in the page, are free ones here.
    let substitutions = [
        ("127.0.0.1:9004", format!("127.0.0.1:{}", free_port())),
        ("127.0.0.1:9104", format!("127.0.0.1:{}", free_port())),
    ];
    let testnet = dir.path().join("testnet");
    std::fs::create_dir(&testnet).unwrap();
    run_page(&testnet, "docs/testnet.md", &[], &[], &[]);
    run_page(dir.path(), "docs/governance.md", &[], &substitutions, &[]);
    // The page's last step verified a proof made after the change with the saved history; the history names it.
    let history = std::fs::read_to_string(dir.path().join("history.json")).unwrap();
    assert!(history.contains("next_validator_set_hash"), "{history}");
}
