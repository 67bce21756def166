//! End-to-end tests: the `publica` binary runs real networks on 127.0.0.1 (one validator with `dev`, four with
//! `testnet`; consensus engine, store, API, witnesses), and the tests drive them through their API and the CLI, as a
//! user would, including crashes and stopped validators.

mod api;
mod byzantine;
mod contracts;
mod data;
mod docs;
mod elections;
mod eligibility;
mod faults;
mod finance;
mod governance;
mod notary;
mod registry;
mod testnet;
mod witness;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_publica");
/// The demo citizen "ada"; its address is fixed because demo keys come from public seeds.
const ADA: &str = "b75141ab8e2c3384daf0825f46243a655825e9da";

/// Send `signal` (`-INT`, `-STOP`, ...) to `target` (a pid, or `-PGID` for a process group) with the shell's own
/// `kill`, which every machine that runs these tests has (bash runs the docs' pages too).
fn send_signal(signal: &str, target: &str) -> bool {
    Command::new("bash")
        .args(["-c", &format!("kill {signal} -- {target}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The lines a child process prints on its (piped) standard output, as they come.
fn stdout_lines(child: &mut Child) -> mpsc::Receiver<String> {
    lines_of(child.stdout.take().expect("the child's stdout is piped"))
}

/// The lines a child process writes on its (piped) standard error, as they come.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    lines_of(child.stderr.take().expect("the child's stderr is piped"))
}

/// The lines of `stream`, read on a thread of their own.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait for a line containing `needle` from `what`'s output; returns every line seen until then.
fn wait_for_line(output: &mpsc::Receiver<String>, what: &str, needle: &str, timeout: Duration) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.checked_duration_since(Instant::now()).unwrap_or_default();
        match output.recv_timeout(left) {
            Ok(line) => {
                let done = line.contains(needle);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("`{what}` did not print {needle:?} within {timeout:?}; output: {seen:#?}"),
        }
    }
}

/// A `publica dev` process, killed when dropped.
struct Dev {
    child: Child,
    api: String,
    home: PathBuf,
    output: mpsc::Receiver<String>,
    /// What it printed up to "Ready.".
    startup: Vec<String>,
}

impl Dev {
    fn start(home: &Path) -> Dev {
        let port = free_port();
        let mut child = Command::new(BIN)
            .args(["dev", "--home", home.to_str().unwrap(), "--api", &format!("127.0.0.1:{port}")])
            .env("PUBLICA_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn publica dev");
        let rx = stdout_lines(&mut child);
        let mut dev =
            Dev { child, api: format!("http://127.0.0.1:{port}"), home: home.to_owned(), output: rx, startup: vec![] };
        dev.startup = dev.wait_for_line("Ready.", Duration::from_secs(120));
        dev
    }

    /// Wait for a line of output containing `needle`; returns every line seen until then.
    fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> Vec<String> {
        wait_for_line(&self.output, "publica dev", needle, timeout)
    }

    fn get(&self, path: &str) -> Value {
        let response = reqwest::blocking::get(format!("{}{path}", self.api)).unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().unwrap()
    }

    fn height(&self) -> u64 {
        self.get("/v1/status")["height"].as_u64().unwrap()
    }

    fn wait_for_height(&self, height: u64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.height() < height {
            assert!(Instant::now() < deadline, "height {height} not reached");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Run the CLI against this node.
    fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("PUBLICA_API", &self.api)
            .env("PUBLICA_LOG", "error")
            .current_dir(&self.home)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn kill_9(mut self) {
        // SIGKILL: no shutdown code runs, exactly like a crash.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn dev_network_serves_proofs_that_verify_offline_and_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let account = dev.get(&format!("/v1/accounts/{ADA}"));
    assert_eq!(account["account"]["kind"]["type"], "citizen");
    assert_eq!(account["account"]["kind"]["registered_by_agency"], "civil-registry");

    let out = dev.cli(&["query", "account", ADA, "--proof-out", "ada.json"]);
    assert!(out.status.success(), "{}", text(&out));
    // For people: the record in words, dates in ISO 8601, the 2.6 KB key abbreviated; `--json` for machines.
    let shown = text(&out);
    assert!(shown.contains("type: citizen") && shown.contains("registered by agency: civil-registry"), "{shown}");
    assert!(shown.contains("block time: 20") && shown.contains("(2648 characters)") && shown.len() < 2000, "{shown}");
    let out = dev.cli(&["query", "account", ADA, "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("--json prints the node's document");
    assert_eq!(json["account"]["kind"]["type"], "citizen");
    let verify = |file: &str| dev.cli(&["verify", file, "--genesis", "genesis.json"]);
    let out = verify("ada.json");
    assert!(out.status.success() && text(&out).contains("VALID proof"), "{}", text(&out));
    // The proven value is decoded into the account it holds, under its key in words.
    let verified = text(&out);
    assert!(verified.contains(&format!("key   acc/a/{ADA}")) && verified.contains("type: citizen"), "{verified}");
    assert!(!verified.contains(" ms)"), "block times are dates: {verified}");
    // A reader that closes the pipe early (`| head -1`) ends the command quietly, as for any Unix tool: no panic.
    let mut child = Command::new(BIN)
        .args(["verify", "ada.json", "--genesis", "genesis.json"])
        .current_dir(&dev.home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let closed = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&closed.stderr);
    assert_eq!(closed.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A second node on the same home is refused before it changes anything, even with --reset.
    let config_before = std::fs::read(dev.home.join("config.toml")).unwrap();
    for extra in [&[][..], &["--reset"][..]] {
        let other = format!("127.0.0.1:{}", free_port());
        let home = dev.home.to_str().unwrap();
        let out = dev.cli(&[&["dev", "--home", home, "--api", other.as_str()][..], extra].concat());
        assert!(!out.status.success() && text(&out).contains("another node is using"), "{}", text(&out));
        assert_eq!(std::fs::read(dev.home.join("config.toml")).unwrap(), config_before, "config rewritten");
        assert!(dev.home.join("genesis.json").exists(), "home deleted by --reset");
    }

    // Any change to the proof document is caught, and the verifier says which check failed.
    let proof: Value = serde_json::from_slice(&std::fs::read(dev.home.join("ada.json")).unwrap()).unwrap();
    let tamper = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut p = proof.clone();
        f(&mut p);
        std::fs::write(dev.home.join(name), serde_json::to_vec(&p).unwrap()).unwrap();
        let out = verify(name);
        assert!(!out.status.success(), "tampered proof {name} accepted");
        text(&out)
    };
    let flip_hex = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        b[10] = if b[10] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    };
    let msg = tamper("value.json", &|p| p["value"] = Value::String(flip_hex(p["value"].as_str().unwrap())));
    assert!(msg.contains("state proof"), "{msg}");
    let msg = tamper("root.json", &|p| {
        p["header"]["state_root"] = Value::String(flip_hex(p["header"]["state_root"].as_str().unwrap()))
    });
    assert!(msg.contains("certificate"), "{msg}");
    let msg = tamper("sig.json", &|p| {
        let s = p["certificate"]["signatures"][0]["signature"].as_str().unwrap().to_owned();
        let mut b = s.into_bytes();
        b[100] = if b[100] == b'A' { b'B' } else { b'A' };
        p["certificate"]["signatures"][0]["signature"] = Value::String(String::from_utf8(b).unwrap());
    });
    assert!(msg.contains("INVALID"), "{msg}");
    let msg = tamper("nosig.json", &|p| p["certificate"]["signatures"] = Value::Array(vec![]));
    assert!(msg.contains("two thirds"), "{msg}");

    // Absence is provable too.
    let out = dev.cli(&["query", "state", "6e6f2d737563682d6b6579", "--proof-out", "absent.json"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = verify("absent.json");
    assert!(out.status.success() && text(&out).contains("non-membership"), "{}", text(&out));
}

#[test]
fn officials_act_within_their_roles_and_bad_input_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    std::fs::write(dev.home.join("pass"), "a passphrase for the test").unwrap();
    let out = dev.cli(&["keys", "new", "--out", "clerk.json", "--passphrase-file", "pass"]);
    assert!(out.status.success(), "{}", text(&out));

    // The land registry's administrator registers a surveyor of its own agency (a role the agency grants).
    let out = dev.cli(&[
        "tx",
        "register-official",
        "--key",
        "keys/admin-land-registry.json",
        "--passphrase-file",
        "dev-passphrase",
        "--public-key",
        "clerk.json",
        "--agency",
        "land-registry",
        "--roles",
        "surveyor",
    ]);
    assert!(out.status.success() && text(&out).contains("committed at height"), "{}", text(&out));

    // A citizen holds no admin role: refused at once with the stable code, nothing committed.
    let before = dev.get("/v1/status");
    let ada_nonce = dev.get(&format!("/v1/accounts/{ADA}"))["next_nonce"].clone();
    let out = dev.cli(&[
        "tx",
        "register-official",
        "--key",
        "keys/citizen-ada.json",
        "--passphrase-file",
        "dev-passphrase",
        "--public-key",
        "clerk.json",
        "--agency",
        "civil-registry",
        "--roles",
        "clerk",
    ]);
    assert!(!out.status.success() && text(&out).contains("missing_role"), "{}", text(&out));
    // The wrong passphrase is a clear error, too.
    std::fs::write(dev.home.join("wrong"), "not it").unwrap();
    let out = dev.cli(&[
        "tx",
        "set-roles",
        "--key",
        "keys/admin-land-registry.json",
        "--passphrase-file",
        "wrong",
        "--account",
        ADA,
        "--roles",
        "clerk",
    ]);
    assert!(!out.status.success() && text(&out).contains("wrong passphrase"), "{}", text(&out));

    // Raw garbage, truncated and oversize bodies on the live node: JSON errors, node unharmed.
    let client = reqwest::blocking::Client::new();
    let post = |body: Vec<u8>| {
        let r = client
            .post(format!("{}/v1/transactions", dev.api))
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().unwrap())
    };
    let (status, body) = post(b"definitely not a transaction".to_vec());
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "malformed_transaction");
    let (status, body) = post(vec![0u8; 200 * 1024]);
    assert!(status == 413 || status == 400, "{status} {body}");
    let r = client
        .post(format!("{}/v1/transactions", dev.api))
        .header("content-type", "application/json")
        .body("{\"tx\": ")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"]["code"], "malformed_request");

    let after = dev.get("/v1/status");
    assert_eq!(after["mempool_txs"], 0);
    let ada = dev.get(&format!("/v1/accounts/{ADA}"));
    assert_eq!(ada["next_nonce"], ada_nonce, "the refused transaction must not consume the nonce");
    dev.wait_for_height(after["height"].as_u64().unwrap() + 2);
    assert!(dev.height() > before["height"].as_u64().unwrap());

    // A rotated-in key signs for its account without naming it: the ledger's key index says whose it is.
    for file in ["ada2.json", "ada3.json"] {
        let out = dev.cli(&["keys", "new", "--out", file, "--passphrase-file", "pass"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let rotate = |key: &str, key_pass: &str, new_key: &str| {
        dev.cli(&[
            "keys",
            "rotate",
            "--key",
            key,
            "--passphrase-file",
            key_pass,
            "--new-key",
            new_key,
            "--new-passphrase-file",
            "pass",
        ])
    };
    let out = rotate("keys/citizen-ada.json", "dev-passphrase", "ada2.json");
    assert!(out.status.success() && text(&out).contains(&format!("account {ADA} now uses")), "{}", text(&out));
    let listed = dev.cli(&["keys", "list", ".", "--api", &dev.api]);
    let line = text(&listed).lines().find(|l| l.contains("ada2.json")).map(str::to_owned);
    assert!(line.as_deref().is_some_and(|l| l.contains(&format!("signs for account {ADA}"))), "{}", text(&listed));
    // Rotating a rotated-in key names its account: the new key's proof of possession is for that account, so the
    // account is not taken from the node's word alone.
    let out = rotate("ada2.json", "pass", "ada3.json");
    assert!(!out.status.success() && text(&out).contains(&format!("--sender {ADA}")), "{}", text(&out));
    let out = dev.cli(&[
        "keys",
        "rotate",
        "--key",
        "ada2.json",
        "--passphrase-file",
        "pass",
        "--new-key",
        "ada3.json",
        "--sender",
        ADA,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // The key it replaced no longer signs for anyone: refused, with the way out.
    let out = rotate("ada2.json", "pass", "ada3.json");
    assert!(!out.status.success(), "{}", text(&out));
}

#[test]
fn a_node_killed_with_sigkill_restarts_at_its_last_block_with_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("net");
    let dev = Dev::start(&home);
    let height = dev.height();
    let block = dev.get(&format!("/v1/blocks/{height}"));
    let account = dev.get(&format!("/v1/accounts/{ADA}"));
    dev.kill_9();

    let dev = Dev::start(&home);
    assert!(!dev.startup.iter().any(|l| l.contains("Seeded")), "the demo was seeded twice: {:#?}", dev.startup);
    assert!(dev.height() >= height);
    let again = dev.get(&format!("/v1/blocks/{height}"));
    assert_eq!(again["header"], block["header"], "block {height} changed across the crash");
    assert_eq!(again["certificate"], block["certificate"]);
    let account_again = dev.get(&format!("/v1/accounts/{ADA}"));
    assert_eq!(account_again["account"], account["account"]);
    // The chain goes on from where it stopped.
    dev.wait_for_height(height + 3);
    let out = dev.cli(&["query", "account", ADA, "--proof-out", "ada.json"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = dev.cli(&["verify", "ada.json", "--genesis", "genesis.json"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn init_then_start_runs_a_new_network_whose_administrators_can_act() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    let pass = dir.path().join("pass");
    std::fs::write(&pass, "init test passphrase").unwrap();
    let port = free_port();
    let api = format!("http://127.0.0.1:{port}");
    let run =
        |args: &[&str]| Command::new(BIN).args(args).env("PUBLICA_LOG", "error").stdin(Stdio::null()).output().unwrap();
    let out = run(&[
        "init",
        "--home",
        home.to_str().unwrap(),
        "--chain-id",
        "init-test",
        "--agency",
        "land-registry=Land Registry",
        "--api",
        &format!("127.0.0.1:{port}"),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // A second init into the same directory is refused and changes nothing.
    let again = run(&[
        "init",
        "--home",
        home.to_str().unwrap(),
        "--agency",
        "x=X",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert!(!again.status.success() && text(&again).contains("already holds a node"), "{}", text(&again));

    let mut child = Command::new(BIN)
        .args(["start", "--home", home.to_str().unwrap()])
        .env("PUBLICA_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).expect("the node did not start");
    assert!(line.contains("serving the API"), "{line}");

    let clerk = dir.path().join("clerk.json");
    let out = run(&["keys", "new", "--out", clerk.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let admin = home.join("keys").join("admin-land-registry.json");
    let out = run(&[
        "tx",
        "register-official",
        "--api",
        &api,
        "--key",
        admin.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--public-key",
        clerk.to_str().unwrap(),
        "--agency",
        "land-registry",
        "--roles",
        "surveyor",
    ]);
    assert!(out.status.success() && text(&out).contains("committed at height"), "{}", text(&out));
    let status: Value = reqwest::blocking::get(format!("{api}/v1/status")).unwrap().json().unwrap();
    assert_eq!(status["chain_id"], "init-test");
    let _ = child.kill();
    let _ = child.wait();
}
