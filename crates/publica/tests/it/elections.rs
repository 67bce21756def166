//! End to end: an election through `publica election …` and `publica vote` on a network of one node made with
//! `publica init` (an electoral commission that may grant `electoral-commission` and `credential-authority`):
//! the trustees' key generation, the roll, the credential letters, ballots with a revote, receipts, the close,
//! a 2-of-3 decryption, the result, the archive checked by `publica election verify` and by belenios-tool; and
//! bad input, each refused with what was wrong.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use publica_crypto::keystore::KeyFile;
use serde_json::Value;

use crate::{free_port, stdout_lines, text, wait_for_line, BIN};

/// A node of a new network (`publica init` then `publica start`), stopped when dropped.
struct Node {
    child: Child,
    api: String,
    home: PathBuf,
    _output: mpsc::Receiver<String>,
}

impl Node {
    fn start(dir: &Path) -> Node {
        let home = dir.join("node");
        std::fs::write(dir.join("pass"), "election test passphrase").unwrap();
        let port = free_port();
        let out = run(
            dir,
            &[
                "init",
                "--home",
                home.to_str().unwrap(),
                "--chain-id",
                "elections-test",
                "--agency",
                "civil-registry=Civil Registry",
                "--agency",
                "commission=Electoral Commission",
                "--citizen-registrars",
                "civil-registry",
                "--roles",
                "commission=electoral-commission,credential-authority",
                "--api",
                &format!("127.0.0.1:{port}"),
                "--passphrase-file",
                "pass",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let mut child = Command::new(BIN)
            .args(["start", "--home", home.to_str().unwrap()])
            .env("PUBLICA_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let output = stdout_lines(&mut child);
        wait_for_line(&output, "publica start", "serving the API", Duration::from_secs(60));
        Node { child, api: format!("http://127.0.0.1:{port}"), home: dir.to_owned(), _output: output }
    }

    /// The CLI against this node, in the test's directory.
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

    /// The CLI, which must succeed; its output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(out.status.success(), "publica {}: {}", args.join(" "), text(&out));
        text(&out)
    }

    /// The CLI, which must fail; its output.
    fn fails(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = self.cli(args);
        assert!(!out.status.success(), "publica {} succeeded: {}", args.join(" "), text(&out));
        (out.status.code(), text(&out))
    }

    /// The CLI signed with `key` (a key file in the test's directory or the node's keys).
    fn signed(&self, key: &str, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--key", key, "--passphrase-file", "pass"]);
        self.ok(&all)
    }

    fn election(&self, id: &str) -> Value {
        serde_json::from_str(&self.ok(&["election", "show", id, "--json"])).unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("PUBLICA_LOG", "error").current_dir(dir).stdin(Stdio::null()).output().unwrap()
}

fn address(dir: &Path, key: &str) -> String {
    KeyFile::load(dir.join(key)).unwrap().public_key().address().to_string()
}

/// The value after `label` on a line of `output`.
fn field(output: &str, label: &str) -> String {
    let line =
        output.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("{label}: {output}"));
    line.trim_start()[label.len()..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn an_election_is_run_end_to_end_through_the_cli_and_its_archive_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path());
    let d = dir.path();
    let home_keys = |name: &str| format!("node/keys/admin-{name}.json");

    // The people: a civil clerk, the commission's two officials, three trustees and three voters (citizens).
    let names = ["clerk", "commissioner", "authority", "t1", "t2", "t3", "v1", "v2", "v3"];
    for name in names {
        node.ok(&["keys", "new", "--out", &format!("{name}.json"), "--passphrase-file", "pass"]);
    }
    let addr = |name: &str| address(d, &format!("{name}.json"));
    let official = |admin: &str, name: &str, agency: &str, roles: &str| {
        let public = format!("{name}.json");
        let admin = home_keys(admin);
        node.signed(
            &admin,
            &["tx", "register-official", "--public-key", &public, "--agency", agency, "--roles", roles],
        );
    };
    official("civil-registry", "clerk", "civil-registry", "citizen-registrar");
    official("commission", "commissioner", "commission", "electoral-commission");
    official("commission", "authority", "commission", "credential-authority");
    for (n, name) in ["t1", "t2", "t3", "v1", "v2", "v3"].iter().enumerate() {
        let public = format!("{name}.json");
        let id = format!("TEST-{n}");
        node.signed("clerk.json", &["tx", "register-citizen", "--public-key", &public, "--national-id", &id]);
    }

    // Creation: one question with a blank vote, three trustees, two of whom decrypt. The window closes soon after
    // the set-up, which takes about twenty transactions (about ten seconds here; the window leaves room for a
    // machine running the rest of the suite at the same time).
    let created = Instant::now();
    let window_s = 75;
    let out = node.signed(
        "commissioner.json",
        &[
            "election",
            "create",
            "--name",
            "Harbour bridge",
            "--description",
            "Should the town build the harbour bridge?",
            "--question",
            "Build the bridge?",
            "--answer",
            "Yes",
            "--answer",
            "No",
            "--blank",
            "--opens",
            "now",
            "--closes",
            &format!("+{window_s}s"),
            "--trustee",
            &addr("t1"),
            "--trustee",
            &addr("t2"),
            "--trustee",
            &addr("t3"),
            "--threshold",
            "2",
            "--credential-authority",
            &addr("authority"),
        ],
    );
    let id = field(&out, "created election");
    // More trustees to decrypt than there are is refused before anything is sent.
    let (_, message) = node.fails(&[
        "election",
        "create",
        "--name",
        "x",
        "--question",
        "q",
        "--answer",
        "a",
        "--answer",
        "b",
        "--opens",
        "now",
        "--closes",
        "+1h",
        "--trustee",
        &addr("t1"),
        "--threshold",
        "2",
        "--credential-authority",
        &addr("authority"),
        "--key",
        "commissioner.json",
        "--passphrase-file",
        "pass",
    ]);
    assert!(message.contains("--threshold 2 must be from 1 to the number of trustees (1)"), "{message}");
    let id = id.as_str();
    assert!(node.ok(&["election", "list"]).contains("Harbour bridge"));
    assert!(node.ok(&["election", "show", id]).contains("key generation (step 1)"));

    // The key generation: each trustee, each step, with its own trustee key file.
    for step in ["cert", "polynomial", "verification-key"] {
        for t in ["t1", "t2", "t3"] {
            let key = format!("{t}.json");
            let trustee_key = format!("{t}.trustee");
            node.signed(&key, &["election", "trustee", step, id, "--trustee-key", &trustee_key]);
        }
    }
    // A step out of order is refused with where the election stands.
    let (_, message) = node.fails(&[
        "election",
        "trustee",
        "polynomial",
        id,
        "--trustee-key",
        "t1.trustee",
        "--key",
        "t1.json",
        "--passphrase-file",
        "pass",
    ]);
    assert!(message.contains("past this step"), "{message}");
    assert!(node.election(id)["election"]["status"] == "credentials", "{}", node.election(id));

    // The roll, frozen; the letters; the public credentials, published and sealed.
    let voters = [addr("v1"), addr("v2"), addr("v3")];
    // An official is not a citizen: the whole batch is refused and the roll stays empty.
    let (_, message) = node.fails(&[
        "election",
        "roll",
        "add",
        id,
        &voters[0],
        &addr("authority"),
        "--key",
        "commissioner.json",
        "--passphrase-file",
        "pass",
    ]);
    assert!(message.contains("voter_not_a_citizen"), "{message}");
    assert_eq!(node.election(id)["election"]["roll_count"], 0);
    let mut add = vec!["election", "roll", "add", id];
    add.extend(voters.iter().map(String::as_str));
    node.signed("commissioner.json", &add);
    node.signed("commissioner.json", &["election", "roll", "freeze", id]);
    // Letters for a list that is not the roll are refused before anything is written.
    let (_, message) = node.fails(&[
        "election",
        "credentials",
        "generate",
        id,
        "--out-dir",
        "letters",
        &voters[1],
        &voters[0],
        &voters[2],
        "--key",
        "authority.json",
        "--passphrase-file",
        "pass",
    ]);
    assert!(message.contains("are not the roll of election"), "{message}");
    assert!(!d.join("letters").exists());
    let mut generate =
        vec!["election", "credentials", "generate", id, "--out-dir", "letters", "--genesis", "node/genesis.json"];
    generate.extend(voters.iter().map(String::as_str));
    node.signed("authority.json", &generate);
    node.signed(
        "authority.json",
        &["election", "credentials", "publish", id, "--file", "letters/public-credentials.txt"],
    );
    node.signed("authority.json", &["election", "credentials", "seal", id]);
    let shown = node.ok(&["election", "show", id]);
    assert!(shown.contains("status        voting") && shown.contains("3 published"), "{shown}");

    // A letter opened with someone else's key does not open, and nothing is sent.
    let letter = |v: usize| format!("letters/{}.letter", voters[v]);
    let vote = |v: usize, key: &str, choice: &[&str]| {
        let letter = letter(v);
        let mut args = vec!["vote", "--election", id, "--letter", &letter, "--key", key, "--passphrase-file", "pass"];
        args.extend_from_slice(choice);
        node.cli(&args)
    };
    let out = vote(0, "v2.json", &["--choice", "1"]);
    assert!(!out.status.success() && text(&out).contains("does not open"), "{}", text(&out));
    // An unknown election.
    let (code, message) = node.fails(&["election", "show", "99"]);
    assert_eq!(code, Some(3), "{message}");
    assert!(message.contains("no election 99"), "{message}");
    let (code, message) = node.fails(&["election", "ballot", id, &"00".repeat(32)]);
    assert_eq!(code, Some(3), "{message}");

    // The votes: v1 votes Yes then changes to No; v2 votes No; v3 votes blank.
    let receipt = |out: &Output| {
        assert!(out.status.success(), "{}", text(out));
        field(&text(out), "receipt")
    };
    let first = receipt(&vote(0, "v1.json", &["--choice", "1"]));
    let second = receipt(&vote(0, "v1.json", &["--choice", "2"]));
    receipt(&vote(1, "v2.json", &["--choice", "2"]));
    receipt(&vote(2, "v3.json", &["--blank"]));
    assert!(node.election(id)["election"]["ballots"] == 4);
    // A credential that voted cannot be revoked (its last ballot counts), and only its authority revokes one.
    let published = std::fs::read_to_string(node.home.join("letters/public-credentials.txt")).unwrap();
    let voted = published.lines().next().unwrap().split(',').next().unwrap().to_owned();
    let revoke = ["election", "credentials", "revoke", id, "--credential", &voted, "--passphrase-file", "pass"];
    let (_, message) = node.fails(&[&revoke[..], &["--key", "authority.json"]].concat());
    assert!(message.contains("credential_not_revocable"), "{message}");
    let (_, message) = node.fails(&[&revoke[..], &["--key", "commissioner.json"]].concat());
    assert!(message.contains("election_sender_not_permitted"), "{message}");
    eprintln!("set-up and votes took {:?} of the {window_s} s window", created.elapsed());

    // The receipts on the board: the first was replaced, the second counts; the proof verifies offline.
    let shown = node.ok(&["election", "ballot", id, &first, "--out", "first.json"]);
    assert!(shown.contains("replaced") && shown.contains(&second), "{shown}");
    let shown = node.ok(&["election", "ballot", id, &second]);
    assert!(shown.contains("counted"), "{shown}");
    let verified = node.ok(&["verify", "first.json", "--genesis", "node/genesis.json"]);
    assert!(verified.contains("VALID"), "{verified}");
    // An archive of the board as it stands now: complete then, but not the board the ledger ends with.
    node.ok(&["election", "archive", id, "--out", "early.bel"]);

    // After the window: a ballot is refused with the reason, and the vote is closed.
    let closes = created + Duration::from_secs(window_s + 2);
    let left = closes.checked_duration_since(Instant::now());
    assert!(left.is_some(), "the set-up took longer than the {window_s} s window");
    std::thread::sleep(left.unwrap());
    let out = vote(1, "v2.json", &["--choice", "1"]);
    assert!(!out.status.success() && text(&out).contains("closed"), "{}", text(&out));
    node.signed("commissioner.json", &["election", "close", id]);

    // Two of the three trustees decrypt; a third decryption after the result is refused.
    node.signed("t1.json", &["election", "trustee", "decrypt", id, "--trustee-key", "t1.trustee"]);
    let out = node.signed("t3.json", &["election", "trustee", "decrypt", id, "--trustee-key", "t3.trustee"]);
    assert!(out.contains("completed the threshold"), "{out}");
    let (_, message) = node.fails(&[
        "election",
        "trustee",
        "decrypt",
        id,
        "--trustee-key",
        "t2.trustee",
        "--key",
        "t2.json",
        "--passphrase-file",
        "pass",
    ]);
    assert!(message.contains("decided"), "{message}");

    // The result, with the answers' names: the revote counts, not the first ballot.
    let answer = node.election(id);
    assert_eq!(answer["result"], serde_json::json!([[1, 0, 2]]), "{answer}");
    let shown = node.ok(&["election", "show", id, "--out", "election.json"]);
    let result: Vec<&str> = shown.lines().skip_while(|l| !l.contains("result")).collect();
    let count_of =
        |name: &str| result.iter().find(|l| l.trim_end().ends_with(name)).map(|l| l.split_whitespace().next().unwrap());
    assert_eq!((count_of("(blank)"), count_of("Yes"), count_of("No")), (Some("1"), Some("0"), Some("2")), "{shown}");
    assert!(node.ok(&["verify", "election.json", "--genesis", "node/genesis.json"]).contains("VALID"));

    // The archive, where belenios-tool expects it; verified here and against the ledger, and by belenios-tool.
    let uuid = answer["election"]["uuid"].as_str().unwrap().to_owned();
    std::fs::create_dir(d.join("archive")).unwrap();
    let bel = format!("archive/{uuid}.bel");
    node.ok(&["election", "archive", id, "--out", &bel]);
    let verified = node.ok(&["election", "verify", &bel, "--api", &node.api, "--genesis", "node/genesis.json"]);
    assert!(verified.contains("VALID archive") && verified.contains("product of the 3 counted ballots"), "{verified}");
    assert!(verified.contains("it is the board of election"), "{verified}");
    let counts: Vec<&str> = verified.lines().filter(|l| l.starts_with("      ")).map(str::trim).collect();
    assert_eq!(counts, ["1  (blank)", "0  Yes", "2  No"], "{verified}");
    let tool = Command::new("belenios-tool")
        .args(["election", "verify", "--dir", d.join("archive").to_str().unwrap()])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "belenios-tool is needed to check the archive and could not be run ({e}); install the Debian package \
                 belenios-tool"
            )
        });
    assert!(tool.status.success(), "belenios-tool refused the archive: {}", text(&tool));

    // The early archive is well formed but is not the board the ledger proves now.
    let verified = node.ok(&["election", "verify", "early.bel"]);
    assert!(verified.contains("VALID archive") && verified.contains("no encrypted tally yet"), "{verified}");
    let (_, message) =
        node.fails(&["election", "verify", "early.bel", "--api", &node.api, "--genesis", "node/genesis.json"]);
    assert!(message.contains("INVALID") && message.contains("not the board the ledger holds"), "{message}");
    assert!(!message.lines().any(|l| l.starts_with("VALID")), "{message}");

    // A changed byte anywhere is caught, and the check that fails is named.
    let mut bytes = std::fs::read(d.join(&bel)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(d.join("tampered.bel"), &bytes).unwrap();
    let (_, message) = node.fails(&["election", "verify", "tampered.bel"]);
    assert!(message.contains("INVALID archive"), "{message}");

    // An archive whose every entry and event is well formed and whose encrypted tally counts the replaced ballot
    // instead of the revote: belenios-tool recomputes the tally and never reads the archived one; this check does.
    std::fs::write(d.join("forged.bel"), forged_tally(&std::fs::read(d.join(&bel)).unwrap())).unwrap();
    let (_, message) = node.fails(&["election", "verify", "forged.bel"]);
    assert!(
        message.contains("INVALID archive") && message.contains("is not the product of the 3 counted"),
        "{message}"
    );
}

/// `archive` up to its encrypted tally, with the tally replaced by one that counts each credential's first ballot
/// instead of its last.
fn forged_tally(archive: &[u8]) -> Vec<u8> {
    use publica_belenios::archive::{read, ArchiveLimits, ArchiveWriter, EventBody};
    use publica_belenios::tally::{credential_weights, CastBallot, EncryptedTally};
    let archive = read(archive, &ArchiveLimits::default()).unwrap();
    let mut writer = ArchiveWriter::new(archive.timestamp).unwrap();
    let EventBody::Setup { election, credentials, .. } = &archive.events[0].body else { panic!("no Setup") };
    let election = publica_belenios::election::Election::parse(election).unwrap();
    let weights = credential_weights(credentials).unwrap();
    let mut firsts: Vec<CastBallot> = Vec::new();
    for event in &archive.events {
        match &event.body {
            EventBody::Ballot(bytes) => {
                let ballot =
                    CastBallot::from_verified(&publica_belenios::ballot::verify_ballot(&election, bytes).unwrap());
                if !firsts.iter().any(|b| b.credential == ballot.credential) {
                    firsts.push(ballot);
                }
                writer.append(&event.body).unwrap();
            }
            EventBody::EncryptedTally { encrypted_tally, num_tallied, total_weight } => {
                let slots: Vec<usize> = election.questions().iter().map(|q| q.slots()).collect();
                let forged = EncryptedTally::compute(&slots, &firsts, &weights).unwrap();
                assert_ne!(&forged.to_bytes(), encrypted_tally, "the revote changed nothing to forge");
                writer.encrypted_tally(&forged.to_bytes(), *num_tallied, *total_weight).unwrap();
                return writer.into_bytes();
            }
            body => {
                writer.append(body).unwrap();
            }
        }
    }
    panic!("the archive has no encrypted tally")
}
