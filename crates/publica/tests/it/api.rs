//! The API keeps its contract: a property-based fuzzer (Schemathesis, pinned in scripts/test.sh) drives a live
//! `publica dev` node from the node's own `/openapi.json`, with every check on, and must find nothing. And a node's
//! output is what a user can use: results on standard output, the log on standard error, a clean stop clean.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

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

#[test]
fn publica_dev_logs_to_stderr_without_colour_in_a_file_and_stops_on_ctrl_c_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("dev.log");
    let port = crate::free_port();
    let mut child = KillOnDrop(
        Command::new(crate::BIN)
            .args(["dev", "--home", dir.path().join("net").to_str().unwrap(), "--api", &format!("127.0.0.1:{port}")])
            .args(["--log", "info"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .expect("spawn publica dev"),
    );
    let child = &mut child.0;
    let output = crate::stdout_lines(child);
    let mut printed = crate::wait_for_line(&output, "publica dev", "Ready.", Duration::from_secs(120));
    // Let the node run a few blocks, so that every engine actor is busy, then Ctrl-C and a bounded wait.
    let height = || -> u64 {
        reqwest::blocking::get(format!("http://127.0.0.1:{port}/v1/status"))
            .and_then(|r| r.json::<serde_json::Value>())
            .map_or(0, |status| status["height"].as_u64().unwrap_or(0))
    };
    let (start, deadline) = (height(), Instant::now() + Duration::from_secs(60));
    while height() < start + 3 {
        assert!(Instant::now() < deadline, "publica dev committed no blocks");
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("publica dev did not stop within a minute of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    printed.extend(output.try_iter());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(status.success(), "publica dev exited with {status}; its log:\n{log}");
    // The log went to standard error, at the level asked for, without colour codes in a file.
    assert!(log.contains("REST API listening"), "no info line on standard error:\n{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a log written to a file:\n{log}");
    // Standard output holds the command's own words only.
    assert!(printed.iter().any(|l| l == "stopping"), "{printed:#?}");
    assert!(!printed.iter().any(|l| l.contains(" INFO ") || l.contains(" WARN ")), "log lines on stdout: {printed:#?}");
    // A clean stop is not an error.
    let errors: Vec<&str> = log.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert!(errors.is_empty(), "a clean stop logged errors:\n{}", errors.join("\n"));
}

/// A child process killed if the test ends before it exits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
