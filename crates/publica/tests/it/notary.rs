//! End to end: `publica anchor` on a dev network, receipts verified offline by `publica verify`, the log's
//! tiles checked against its signed checkpoint by an independent RFC 9162 computation.

use base64::Engine as _;
use sha2::Digest as _;

use crate::{text, Dev};

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// RFC 9162 section 2.1.1: the Merkle tree hash of leaf hashes, split at the largest power of two below n.
fn tree_hash(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => sha256(&[]),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            sha256(&[&[1], &tree_hash(&leaves[..k]), &tree_hash(&leaves[k..])])
        }
    }
}

#[test]
fn anchored_files_get_receipts_that_verify_offline_and_the_tiles_match_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let home = &dev.home;
    std::fs::create_dir_all(home.join("docs/sub")).unwrap();
    std::fs::write(home.join("docs/deed.txt"), b"Deed of sale, parcel 12/7, signed before the notary.").unwrap();
    std::fs::write(home.join("docs/sub/will.txt"), b"Last will and testament of a demo citizen.").unwrap();
    std::fs::write(home.join("other.txt"), b"A document nobody anchored.").unwrap();
    let key = ["--key", "keys/notary.json", "--passphrase-file", "dev-passphrase"];
    let anchor = |extra: &[&str]| {
        let mut args = vec!["anchor"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&key);
        dev.cli(&args)
    };

    // Bad input is refused before anything is sent.
    let out = anchor(&["missing.txt"]);
    assert!(!out.status.success() && text(&out).contains("missing.txt"), "{}", text(&out));
    std::fs::create_dir_all(home.join("empty")).unwrap();
    let out = anchor(&["empty"]);
    assert!(!out.status.success() && text(&out).contains("no files"), "{}", text(&out));
    let long = "x".repeat(129);
    let out = anchor(&["docs", "--label", &long]);
    assert!(!out.status.success() && text(&out).contains("label"), "{}", text(&out));
    assert!(get_raw(&dev, "/v1/notary/checkpoint").0 == 404, "nothing may have been anchored yet");

    // A directory: both files, in name order, each a new entry; receipts written.
    let out = anchor(&["docs", "--label", "demo deeds", "--receipts", "receipts"]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert_eq!(report.matches("new entry at index").count(), 2, "{report}");
    assert!(report.find("deed.txt").unwrap() < report.find("will.txt").unwrap(), "{report}");
    // One file again: reported with its first entry's date.
    let out = anchor(&["docs/deed.txt"]);
    assert!(out.status.success() && text(&out).contains("already anchored on"), "{}", text(&out));
    assert!(text(&out).contains("at index 0"), "{}", text(&out));

    // The receipt verifies offline against the genesis, with and without the file.
    let verify = |args: &[&str]| {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--genesis", "genesis.json"]);
        dev.cli(&all)
    };
    let out = verify(&["receipts/deed.txt.tlog-proof", "docs/deed.txt"]);
    let shown = text(&out);
    assert!(out.status.success() && shown.contains("VALID receipt"), "{shown}");
    assert!(shown.contains("agency notary-office") && shown.contains("\"demo deeds\""), "{shown}");
    assert!(verify(&["receipts/will.txt.tlog-proof"]).status.success());
    // The log was extended since: checked against the node's newest checkpoint.
    let out = verify(&["receipts/will.txt.tlog-proof", "docs/sub/will.txt", "--api", &dev.api]);
    assert!(out.status.success() && text(&out).contains("extended"), "{}", text(&out));

    // Another file: the document check fails, and says so.
    let out = verify(&["receipts/deed.txt.tlog-proof", "other.txt"]);
    assert!(!out.status.success() && text(&out).contains("INVALID receipt: document check failed"), "{}", text(&out));
    // A tampered receipt: a byte of the entry, of the proof, of the checkpoint's signature.
    let receipt = std::fs::read(home.join("receipts/deed.txt.tlog-proof")).unwrap();
    let body = String::from_utf8(receipt.clone()).unwrap();
    let entry_at = body.find("extra ").unwrap() + 20;
    let signature_at = body.rfind("— ").unwrap() + 40;
    for (name, at) in [("entry", entry_at), ("signature", signature_at), ("end", receipt.len() - 3)] {
        let mut bad = receipt.clone();
        bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
        std::fs::write(home.join("bad.tlog-proof"), &bad).unwrap();
        let out = verify(&["bad.tlog-proof"]);
        assert!(!out.status.success() && text(&out).contains("INVALID receipt"), "{name}: {}", text(&out));
    }

    // Fetching by file: only the hash is sent.
    let out = dev.cli(&["notary", "receipt", "--file", "docs/sub/will.txt", "--out", "will.tlog-proof"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(verify(&["will.tlog-proof", "docs/sub/will.txt"]).status.success());
    let out = dev.cli(&["notary", "entry", "--file", "docs/sub/will.txt"]);
    assert!(out.status.success() && text(&out).contains("index      1"), "{}", text(&out));
    let out = dev.cli(&["notary", "vkeys"]);
    assert!(out.status.success() && text(&out).lines().count() == 2, "{}", text(&out));

    // An official without the notary role is refused with the stable code; the log does not grow.
    std::fs::write(home.join("clerk-doc.txt"), b"A clerk's document.").unwrap();
    let out =
        dev.cli(&["anchor", "clerk-doc.txt", "--key", "keys/civil-clerk.json", "--passphrase-file", "dev-passphrase"]);
    assert!(!out.status.success() && text(&out).contains("missing_role"), "{}", text(&out));

    // Tiles: the level-0 tile holds the leaf hashes, which reproduce the checkpoint's root.
    let (status, checkpoint) = get_raw(&dev, "/tlog/checkpoint");
    assert_eq!(status, 200);
    let checkpoint = String::from_utf8(checkpoint).unwrap();
    let lines: Vec<&str> = checkpoint.lines().collect();
    let chain_id = dev.get("/v1/status")["chain_id"].as_str().unwrap().to_owned();
    assert!(chain_id.starts_with("publica-dev-"), "a demo network's own chain id: {chain_id}");
    assert_eq!(lines[0], format!("publica/{chain_id}/notary"));
    let size: usize = lines[1].parse().unwrap();
    assert_eq!(size, 2, "two documents were anchored");
    let root = base64::engine::general_purpose::STANDARD.decode(lines[2]).unwrap();
    let (status, tile) = get_raw(&dev, &format!("/tlog/tile/0/000.p/{size}"));
    assert_eq!(status, 200);
    assert_eq!(tile.len(), 32 * size);
    let leaves: Vec<[u8; 32]> = tile.chunks(32).map(|c| c.try_into().unwrap()).collect();
    assert_eq!(tree_hash(&leaves).as_slice(), root.as_slice());
    // And leaf 0 is SHA-256(0x00 ‖ entry) of the deed's entry.
    let entry = dev.get(&format!("/v1/notary/entries/{}", hex_sha256(&home.join("docs/deed.txt"))));
    let bytes = base64::engine::general_purpose::STANDARD.decode(entry["entry"].as_str().unwrap()).unwrap();
    assert_eq!(leaves[0], sha256(&[&[0], &bytes]));
    assert_eq!(entry["index"], 0);
}

/// GET anything: the status and the body's bytes.
fn get_raw(dev: &Dev, path: &str) -> (u16, Vec<u8>) {
    let response = reqwest::blocking::get(format!("{}{path}", dev.api)).unwrap();
    (response.status().as_u16(), response.bytes().unwrap().to_vec())
}

fn hex_sha256(path: &std::path::Path) -> String {
    sha256(&[&std::fs::read(path).unwrap()]).iter().map(|b| format!("{b:02x}")).collect()
}
