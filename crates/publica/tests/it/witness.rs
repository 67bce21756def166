//! End to end: `publica witness` cosigns the checkpoints a `publica dev` node pushes to it, and the node's
//! receipts carry the witness's cosignatures, which verify with the keys the witness printed.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use publica_crypto::Keypair;
use publica_tlog::{SignatureType, TlogProof, VerifierKey};
use publica_tx::{Call, NotaryCall, TxBody};

use super::{free_port, text, Dev, BIN};

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

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo network's official holding the notary role (demo keys come from public seeds, see `publica dev`).
fn demo_notary() -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(b"publica-dev-demo-key/notary"))
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
    let witness = WitnessProcess::start(&witness_home, &net.join("genesis.json"), &pass, port);
    let dev = Dev::start(&net);

    // The demo notary anchors one document hash.
    let notary = demo_notary();
    let address = notary.public_key().address();
    let account = dev.get(&format!("/v1/accounts/{address}"));
    let nonce = account["next_nonce"].as_u64().expect("the account shows its next nonce");
    let document = publica_crypto::sha256(b"a deed signed before the witness");
    let tx = TxBody {
        chain_id: dev.get("/v1/status")["chain_id"].as_str().unwrap().parse().unwrap(),
        sender: address,
        nonce,
        expires_at_ms: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
            + 600_000,
        call: Call::Notary(NotaryCall::Anchor { hashes: vec![document], label: Some("witness test".into()) }),
    }
    .sign(&notary);
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/transactions", dev.api))
        .header("content-type", "application/octet-stream")
        .body(tx.encode())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 202, "{}", response.text().unwrap());

    // The receipt's checkpoint gains the witness's cosignatures once the node has pushed it.
    let deadline = Instant::now() + Duration::from_secs(90);
    let receipt = loop {
        let response =
            reqwest::blocking::get(format!("{}/v1/notary/receipts/{}", dev.api, hex::encode(document))).unwrap();
        if response.status().is_success() {
            let receipt = TlogProof::parse(&response.bytes().unwrap()).unwrap();
            if receipt.checkpoint.note.signatures().iter().any(|s| s.name == WITNESS_NAME) {
                break receipt;
            }
        }
        assert!(Instant::now() < deadline, "no receipt with the witness's cosignatures within 90 s");
        std::thread::sleep(Duration::from_millis(200));
    };
    let verified = receipt.checkpoint.verify(&vkeys).expect("the witness's cosignatures verify");
    assert_eq!(verified.len(), 2, "both the ML-DSA-44 and the Ed25519 cosignature are on the receipt");
    let genesis = publica_types::Genesis::from_json(&std::fs::read(net.join("genesis.json")).unwrap()).unwrap();
    publica_notary::checkpoint::verify_checkpoint(&genesis.chain_id, &genesis.validators, &receipt.checkpoint)
        .expect("the validators' signatures are still valid beside the cosignatures");

    // A citizen requires the witness's cosignatures when checking the receipt offline.
    std::fs::write(net.join("receipt.tlog-proof"), receipt.to_bytes()).unwrap();
    std::fs::write(net.join("court.vkeys"), printed.join("\n") + "\n").unwrap();
    let out = dev.cli(&["verify", "receipt.tlog-proof", "--genesis", "genesis.json", "--witness", "court.vkeys"]);
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
