//! End to end: `publica witness` cosigns the checkpoints a `publica dev` node pushes to it, the node names the
//! witness, and `publica anchor --receipts` writes receipts that carry the witness's cosignatures, which verify
//! with the keys the witness printed; while the witness is down it says which cosignature is missing.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use publica_tlog::{SignatureType, TlogProof, VerifierKey};

use super::{free_port, stderr_lines, text, Dev, BIN};

const WITNESS_NAME: &str = "court.example/witness";

/// A `publica witness run` process, killed when dropped.
struct WitnessProcess {
    child: Child,
    url: String,
}

impl WitnessProcess {
    fn start(home: &Path, genesis: &Path, pass: &Path, port: u16) -> WitnessProcess {
        let mut child = Command::new(BIN)
            .args(["witness", "run", "--home"])
            .arg(home)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--genesis"])
            .arg(genesis)
            .arg("--passphrase-file")
            .arg(pass)
            .env("PUBLICA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn publica witness run");
        let rx = super::stdout_lines(&mut child);
        let seen = super::wait_for_line(&rx, "publica witness run", "Ready.", Duration::from_secs(60));
        let url = format!("http://127.0.0.1:{port}");
        assert!(seen.iter().any(|l| l.contains(&url)), "the URL is printed: {seen:#?}");
        assert!(seen.iter().any(|l| l.contains("follows publica/publica-dev-") && l.contains("/notary")), "{seen:#?}");
        WitnessProcess { child, url }
    }
}

impl WitnessProcess {
    /// Send the process a signal (`-STOP`, `-CONT`).
    fn signal(&self, signal: &str) {
        assert!(super::send_signal(signal, &self.child.id().to_string()), "kill {signal}");
    }
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_witness_cosigns_the_dev_network_checkpoints_and_receipts_carry_its_cosignatures() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net");
    let witness_home = dir.path().join("witness");
    let pass = dir.path().join("witness-pass");
    std::fs::write(&pass, "the witness's passphrase").unwrap();

    // The witness is created, and prints the keys a node needs.
    let out = Command::new(BIN)
        .args(["witness", "init", "--home"])
        .arg(&witness_home)
        .args(["--name", WITNESS_NAME, "--passphrase-file"])
        .arg(&pass)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let printed: Vec<String> =
        text(&out).lines().filter_map(|l| l.strip_prefix("vkey").map(|v| v.trim().to_owned())).collect();
    assert_eq!(printed.len(), 2, "{}", text(&out));
    let vkeys: Vec<VerifierKey> = printed.iter().map(|v| VerifierKey::parse(v).unwrap()).collect();
    assert_eq!(vkeys[0].sig_type, SignatureType::CosignatureMlDsa44);
    assert_eq!(vkeys[1].sig_type, SignatureType::CosignatureEd25519);
    assert!(vkeys.iter().all(|k| k.name == WITNESS_NAME));
    let out = Command::new(BIN)
        .args(["witness", "vkeys", "--home"])
        .arg(&witness_home)
        .arg("--passphrase-file")
        .arg(&pass)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().collect::<Vec<_>>(), printed);

    // The demo network is created, then configured to push its checkpoints to the witness.
    Dev::start(&net).kill_9();
    let port = free_port();
    let quoted: Vec<String> = printed.iter().map(|v| format!("{v:?}")).collect();
    let config = std::fs::read_to_string(net.join("config.toml")).unwrap();
    let empty = "[notary]\nwitnesses = []\n";
    assert!(config.contains(empty), "a new configuration lists no witness: {config}");
    let configured =
        format!("[notary]\nwitnesses = [{{ url = \"http://127.0.0.1:{port}\", vkeys = [{}] }}]\n", quoted.join(", "));
    std::fs::write(net.join("config.toml"), config.replace(empty, &configured)).unwrap();
    let dev = Dev::start(&net);
    std::fs::write(net.join("court.vkeys"), printed.join("\n") + "\n").unwrap();

    // The node names the witness it pushes to, with its keys, and not its URL.
    let listed = dev.get("/v1/notary/witnesses");
    assert_eq!(listed, serde_json::json!({"witnesses": [{"name": WITNESS_NAME, "vkeys": printed}]}));

    // While the witness is down, `--witness-wait 0` writes the receipt at once and names the missing witness.
    let key = ["--key", "keys/notary.json", "--passphrase-file", "dev-passphrase"];
    std::fs::write(net.join("early.txt"), b"A deed anchored while the witness is down.").unwrap();
    let out = dev.cli(&[&["anchor", "early.txt", "--receipts", "early", "--witness-wait", "0"][..], &key].concat());
    assert!(out.status.success(), "{}", text(&out));
    assert!(net.join("early/early.txt.tlog-proof").is_file(), "{}", text(&out));
    let early_hash = hex::encode(publica_crypto::sha256(b"A deed anchored while the witness is down."));
    let said = text(&out);
    assert!(said.contains(&format!("without the cosignature of witness {WITNESS_NAME}")), "{said}");
    assert!(said.contains(&format!("publica notary receipt {early_hash} --out early/early.txt.tlog-proof")), "{said}");
    let verify = |receipt: &str, document: &str| {
        dev.cli(&["verify", receipt, document, "--genesis", "genesis.json", "--witness", "court.vkeys"])
    };
    let out = verify("early/early.txt.tlog-proof", "early.txt");
    assert!(!out.status.success(), "a receipt without the witness's cosignature fails its check: {}", text(&out));

    // With the witness up, `anchor --receipts` writes receipts that pass the witness check at once, even when the
    // witness answers late: it is stopped until the command says it waits, then resumed.
    let witness = WitnessProcess::start(&witness_home, &net.join("genesis.json"), &pass, port);
    std::fs::write(net.join("deed.txt"), b"a deed signed before the witness").unwrap();
    witness.signal("-STOP");
    let mut anchoring = Command::new(BIN)
        .args([&["anchor", "deed.txt", "--receipts", "receipts", "--label", "witness test"][..], &key].concat())
        .env("PUBLICA_API", &dev.api)
        .env("PUBLICA_LOG", "error")
        .current_dir(&net)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = stderr_lines(&mut anchoring);
    let waiting = format!("waiting up to 10 s for the cosignature of witness {WITNESS_NAME}");
    super::wait_for_line(&stderr, "publica anchor", &waiting, Duration::from_secs(60));
    assert!(!net.join("receipts/deed.txt.tlog-proof").exists(), "no receipt is written before the witness cosigned");
    witness.signal("-CONT");
    let out = anchoring.wait_with_output().unwrap();
    let said = format!("{}{}", text(&out), stderr.try_iter().collect::<Vec<_>>().join("\n"));
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("without the cosignature"), "{said}");
    let out = verify("receipts/deed.txt.tlog-proof", "deed.txt");
    assert!(out.status.success(), "{}", text(&out));
    let receipt = TlogProof::parse(&std::fs::read(net.join("receipts/deed.txt.tlog-proof")).unwrap()).unwrap();
    let verified = receipt.checkpoint.verify(&vkeys).expect("the witness's cosignatures verify");
    assert_eq!(verified.len(), 2, "both the ML-DSA-44 and the Ed25519 cosignature are on the receipt");
    let genesis = publica_types::Genesis::from_json(&std::fs::read(net.join("genesis.json")).unwrap()).unwrap();
    publica_notary::checkpoint::verify_checkpoint(&genesis.chain_id, &genesis.validators, &receipt.checkpoint)
        .expect("the validators' signatures are still valid beside the cosignatures");

    // The early document's receipt, fetched again as the warning said, now carries the cosignatures.
    let out = dev.cli(&["notary", "receipt", &early_hash, "--out", "early/early.txt.tlog-proof"]);
    assert!(out.status.success() && !text(&out).contains("lacks the cosignature"), "{}", text(&out));
    let out = verify("early/early.txt.tlog-proof", "early.txt");
    assert!(out.status.success(), "{}", text(&out));

    // The witness serves what it cosigned to monitors.
    let origin = receipt.checkpoint.checkpoint.origin.clone();
    let origin_hash = hex::encode(publica_crypto::sha256(origin.as_bytes()));
    let served = reqwest::blocking::get(format!("{}/{origin_hash}/checkpoint", witness.url)).unwrap();
    assert!(served.status().is_success());
    let served = publica_tlog::SignedCheckpoint::parse(&served.bytes().unwrap()).unwrap();
    assert!(served.checkpoint.size >= receipt.checkpoint.checkpoint.size);
    assert_eq!(served.verify(&vkeys).unwrap().len(), 2);
}
