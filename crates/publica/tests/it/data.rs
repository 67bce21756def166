//! End to end: personal data through the CLI, against a node and a hospital's vault started by the test. The
//! hospital's controller puts a citizen's health summary into the vault (only its commitment reaches the ledger),
//! the citizen consents to a clinic, a clinic doctor asks for the record and fetches the release, checked against
//! the ledger; a release forged by someone who knows the doctor's public key is refused, naming the check it fails;
//! a request for another purpose is recorded refused, with the reason in words; the citizen sees both in their log
//! and live, and nobody else may read it; the citizen orders the record erased and the vault leaves a tombstone.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use publica_client::data::release_context;
use publica_crypto::kem::{open_hybrid, seal_hybrid, HybridSealed, RecipientSecret};
use publica_crypto::keystore::KeyFile;
use serde_json::Value;

use super::{free_port, stderr_lines, stdout_lines, text, wait_for_line, BIN};

/// A node (`publica start`) and a vault (`publica vault serve`) run by the test, both killed when dropped.
struct Network {
    dir: PathBuf,
    api: String,
    node: Child,
    vault: Option<Child>,
}

impl Drop for Network {
    fn drop(&mut self) {
        for child in [Some(&mut self.node), self.vault.as_mut()].into_iter().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Network {
    /// The CLI in the test's directory, against the node.
    fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("PUBLICA_API", &self.api)
            .env("PUBLICA_LOG", "error")
            .env_remove("PUBLICA_PASSPHRASE")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// The CLI signed with the key file `key` (passphrase in `pass`), which must end with exit code `code`.
    fn signed(&self, key: &str, args: &[&str], code: i32) -> String {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--key", key, "--passphrase-file", "pass"]);
        let out = self.cli(&all);
        assert_eq!(out.status.code(), Some(code), "publica {}: {}", all.join(" "), text(&out));
        text(&out)
    }

    /// The CLI, which must end with exit code `code`.
    fn exits(&self, args: &[&str], code: i32) -> String {
        let out = self.cli(args);
        assert_eq!(out.status.code(), Some(code), "publica {}: {}", args.join(" "), text(&out));
        text(&out)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The address of the key in `path`.
fn address(path: &Path) -> String {
    KeyFile::load(path).unwrap().public_key().address().to_string()
}

/// The first number after `prefix` in `text` ("record 1:" → 1).
fn number_after(text: &str, prefix: &str) -> u64 {
    text.match_indices(prefix)
        .find_map(|(at, _)| {
            let digits: String = text[at + prefix.len()..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no number after {prefix:?} in {text}"))
}

/// Serve `status` for the vault's status and `release` for anything else, on a port of its own, for `connections`
/// connections: a vault that serves what it likes.
fn forged_vault(status: String, release: String, connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let body = if request_line.contains("/vault/v1/status") { &status } else { &release };
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: \
                 close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

#[test]
fn a_record_goes_through_its_vault_to_a_consented_doctor_checked_against_the_ledger_and_the_citizen_sees_it() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    std::fs::write(dir.join("pass"), "data test passphrase").unwrap();
    let port = free_port();
    let api = format!("http://127.0.0.1:{port}");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("PUBLICA_LOG", "error")
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };

    // A network of four agencies: a civil registry, a hospital with its vault, a clinic, a court.
    let out = run(&[
        "init",
        "--home",
        "node",
        "--chain-id",
        "data-test",
        "--agency",
        "civil-registry=Civil Registry",
        "--agency",
        "hospital=Hospital",
        "--agency",
        "clinic=Clinic",
        "--agency",
        "district-court=District Court",
        "--citizen-registrars",
        "civil-registry",
        "--roles",
        "hospital=data-controller,data-requester",
        "--roles",
        "clinic=data-requester",
        "--roles",
        "district-court=court",
        "--api",
        &format!("127.0.0.1:{port}"),
        "--passphrase-file",
        "pass",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let mut node = Command::new(BIN)
        .args(["start", "--home", "node", "--passphrase-file", "pass"])
        .env("PUBLICA_LOG", "error")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let node_lines = stdout_lines(&mut node);
    let mut net = Network { dir: dir.clone(), api: api.clone(), node, vault: None };
    wait_for_line(&node_lines, "publica start", "serving the API", Duration::from_secs(60));

    for name in ["registrar", "controller", "doctor", "ada", "bruno"] {
        net.exits(&["keys", "new", "--out", &format!("{name}.json"), "--passphrase-file", "pass"], 0);
    }
    let official = |admin: &str, key: &str, agency: &str, roles: &str| {
        let admin = format!("node/keys/admin-{admin}.json");
        let args = ["tx", "register-official", "--public-key", key, "--agency", agency, "--roles", roles];
        net.signed(&admin, &args, 0);
    };
    official("civil-registry", "registrar.json", "civil-registry", "citizen-registrar");
    official("hospital", "controller.json", "hospital", "data-controller");
    official("clinic", "doctor.json", "clinic", "data-requester");
    for (citizen, id) in [("ada.json", "DATA-1"), ("bruno.json", "DATA-2")] {
        let args = ["tx", "register-citizen", "--public-key", citizen, "--national-id", id];
        net.signed("registrar.json", &args, 0);
    }
    let ada = address(&net.path("ada.json"));

    // The hospital's vault: its home, then served until the test ends.
    let vault_port = free_port();
    let vault_url = format!("http://127.0.0.1:{vault_port}");
    let listen = format!("127.0.0.1:{vault_port}");
    let init =
        ["vault", "init", "--home", "vault", "--agency", "hospital", "--listen", &listen, "--key", "controller.json"];
    let said = net.exits(&init, 0);
    assert!(said.contains("vault of hospital") && said.contains("kek (mode 0600)"), "{said}");
    assert!(net.exits(&init, 1).contains("already exists"), "a second init must not replace the key");
    let mut vault = Command::new(BIN)
        .args(["vault", "serve", "--home", "vault", "--passphrase-file", "pass"])
        .env("PUBLICA_LOG", "error")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let vault_lines = stdout_lines(&mut vault);
    net.vault = Some(vault);
    wait_for_line(&vault_lines, "publica vault serve", "Ready.", Duration::from_secs(60));
    let status = net.exits(&["vault", "status", "--vault", &vault_url], 0);
    assert!(status.contains("vault of hospital on chain data-test"), "{status}");

    // The controller puts Ada's health summary into the vault; the ledger gets its commitment only.
    std::fs::write(dir.join("summary.json"), r#"{"blood_type": "O+", "allergies": ["penicillin"], "age": 42}"#)
        .unwrap();
    let put = [
        "data",
        "put",
        "--vault",
        &vault_url,
        "--owner",
        &ada,
        "--category",
        "health.summary",
        "--file",
        "summary.json",
    ];
    let said = net.signed("controller.json", &put, 0);
    let record = number_after(&said, "record ");
    assert!(said.contains("3 fields") && said.contains("commitment "), "{said}");
    let record = record.to_string();
    // Only the controller signs ingests: the doctor is refused by the vault.
    let refused = net.signed("doctor.json", &put, 1);
    assert!(refused.contains("refused"), "{refused}");

    // Ada consents to the clinic for treatment, and follows her log live.
    let until = (publica_client::now_ms() + 30 * 86_400_000).to_string();
    let grant = ["data", "consent", "grant", "--to-agency", "clinic", "--category", "health.summary"];
    let said = net.signed("ada.json", &[&grant[..], &["--purpose", "treatment", "--until", &until]].concat(), 0);
    let consent = number_after(&said, "consent ").to_string();
    assert!(said.contains("agency clinic may read the health.summary records"), "{said}");
    let bad_date =
        net.signed("ada.json", &[&grant[..], &["--purpose", "treatment", "--until", "next week"]].concat(), 1);
    assert!(bad_date.contains("--until \"next week\"") && !bad_date.contains("submitted"), "{bad_date}");
    let mut watch = Command::new(BIN)
        .args(["data", "watch", "--count", "2", "--key", "ada.json", "--passphrase-file", "pass"])
        .env("PUBLICA_API", &api)
        .env("PUBLICA_LOG", "error")
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let watched = stdout_lines(&mut watch);
    let watch_notes = stderr_lines(&mut watch);
    wait_for_line(&watch_notes, "publica data watch", "following the log of", Duration::from_secs(30));

    // The doctor asks with a recipient key of their own: granted, released by the vault, checked, shown.
    let said = net.exits(&["data", "key", "new", "--out", "doctor.rkey"], 0);
    assert!(said.contains("public key SHA-256"), "{said}");
    assert!(net.exits(&["data", "key", "new", "--out", "doctor.rkey"], 1).contains("never overwritten"));
    let request = ["data", "request", "--record", &record, "--recipient-key", "doctor.rkey"];
    let said =
        net.signed("doctor.json", &[&request[..], &["--purpose", "treatment", "--consent", &consent]].concat(), 0);
    assert!(said.contains("is granted"), "{said}");
    let access = number_after(&said, "access ").to_string();
    let fetch =
        ["data", "fetch", "--access", &access, "--recipient-key", "doctor.rkey", "--genesis", "node/genesis.json"];
    let said = net.signed("doctor.json", &[&fetch[..], &["--vault", &vault_url, "--out", "fields.json"]].concat(), 0);
    assert!(said.contains("checked: the ledger's proofs verify"), "{said}");
    assert!(said.contains("  blood_type: \"O+\"") && said.contains("  age: 42"), "{said}");
    let fields: Value = serde_json::from_slice(&std::fs::read(dir.join("fields.json")).unwrap()).unwrap();
    assert_eq!(fields, serde_json::json!({"blood_type": "O+", "allergies": ["penicillin"], "age": 42}));

    // A release forged by whoever knows the doctor's public key opens, but is not what the vault reported on the
    // ledger: refused, naming the check, and nothing of it is shown.
    let sealed: HybridSealed =
        reqwest::blocking::get(format!("{vault_url}/vault/v1/releases/{access}")).unwrap().json().unwrap();
    let secret = RecipientSecret::load(dir.join("doctor.rkey")).unwrap();
    let context = release_context(&"data-test".parse().unwrap(), access.parse().unwrap());
    let opened = open_hybrid(&secret, &context, &sealed).unwrap();
    let forged = String::from_utf8(opened.to_vec()).unwrap().replace(r#"\"O+\""#, r#"\"AB-\""#);
    assert!(forged.contains("AB-"), "the release names the blood type: {forged}");
    let resealed = seal_hybrid(secret.public_key(), &context, forged.as_bytes()).unwrap();
    let status = reqwest::blocking::get(format!("{vault_url}/vault/v1/status")).unwrap().text().unwrap();
    let fake = forged_vault(status, serde_json::to_string(&resealed).unwrap(), 8);
    let said = net.signed("doctor.json", &[&fetch[..], &["--vault", &fake]].concat(), 1);
    assert!(said.contains("failed its check") && said.contains("not the one the vault reported"), "{said}");
    assert!(!said.contains("AB-") && !said.contains("blood_type"), "{said}");

    // Another purpose than the consent's: the access is written, refused, with the reason in words.
    let said =
        net.signed("doctor.json", &[&request[..], &["--purpose", "research", "--consent", &consent]].concat(), 1);
    assert!(
        said.contains("is recorded as refused") && said.contains("another purpose than the request's (wrong_purpose)"),
        "{said}"
    );

    // Ada's log: who asked, when, why, on which basis, what came of it; live, the same.
    let log = net.signed("ada.json", &["data", "log"], 0);
    assert!(log.contains(&format!("who asked for the records of {ada}: 2 accesses")), "{log}");
    assert!(log.contains("of clinic asked for record") && log.contains("for treatment, on consent"), "{log}");
    assert!(log.contains(": released ") && log.contains("refused: the basis covers another purpose"), "{log}");
    assert!(log.contains("proven under the certified header"), "{log}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    while lines.len() < 2 {
        let left = deadline.checked_duration_since(Instant::now()).expect("`data watch` printed 2 accesses");
        lines.push(watched.recv_timeout(left).expect("`data watch` printed 2 accesses"));
    }
    assert!(lines.iter().all(|l| l.contains("of clinic asked for record")), "{lines:#?}");
    assert!(watch.wait().unwrap().success(), "`data watch --count 2` ends after two accesses");
    // Bruno is neither the owner nor anyone allowed: refused, as for a log that does not exist.
    let refused = net.signed("bruno.json", &["data", "log", "--owner", &ada], 1);
    assert!(refused.contains("not_permitted") && !refused.contains("clinic"), "{refused}");
    let said = net.signed("doctor.json", &["data", "access", &access], 0);
    assert!(said.contains("released") && said.contains("sealed to the recipient key of SHA-256"), "{said}");
    let bases = net.signed("ada.json", &["data", "bases"], 0);
    assert!(bases.contains("consents (1, newest first):") && bases.contains("agency clinic may read"), "{bases}");

    // Public reads: nothing declared, no rule, no study: said so, exit code 3 where a thing was asked for.
    assert!(net.exits(&["data", "emergencies"], 0).contains("no public-health emergency"));
    let args = ["data", "retention", "show", "--agency", "hospital", "--category", "health.summary"];
    assert!(net.exits(&args, 3).contains("no retention rule for health.summary"));
    net.exits(&["data", "study", "show", "1"], 3);

    // Ada orders her record erased: the vault destroys it and the ledger keeps a tombstone.
    let said = net.signed("ada.json", &["data", "erase", "--record", &record], 0);
    assert!(said.contains("erasure of record") && said.contains("ordered"), "{said}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let shown = net.signed("ada.json", &["data", "record", &record], 0);
        if shown.contains("erased ") && shown.contains("on the owner's order") {
            break;
        }
        assert!(Instant::now() < deadline, "the vault did not erase the record: {shown}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let records = net.signed("ada.json", &["data", "records"], 0);
    assert!(records.contains("the commitment stays"), "{records}");
    let said =
        net.signed("doctor.json", &[&request[..], &["--purpose", "treatment", "--consent", &consent]].concat(), 1);
    assert!(said.contains("the record is erased (record_erased)"), "{said}");

    let took = started.elapsed();
    assert!(took < Duration::from_secs(300), "the data commands took {took:?}");
}
