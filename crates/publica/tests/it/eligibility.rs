//! End to end: `publica election roll eligible` on the demo network. The civil registry's clerk issues residence
//! and age-over-18 credentials to citizens, each citizen presents them bound to the Nordvik harbour referendum
//! (election 0: its audience and its uuid as nonce), and the commission's roll holds exactly those who meet the
//! requirements; a presentation made for another election, a revoked credential and a file that is not a
//! presentation are each refused with the check named, and never stop the others.

use publica_crypto::keystore::KeyFile;

use super::{text, Dev};

const RESIDENCE: &str = "https://publica.example/vct/residence";
const AGE_OVER_18: &str = "https://publica.example/vct/age-over-18";

/// The demo citizen `name`'s address, from its key file.
fn address_of(dev: &Dev, name: &str) -> String {
    let key = KeyFile::load(dev.home.join(format!("keys/citizen-{name}.json"))).unwrap();
    key.public_key().address().to_string()
}

/// The CLI, which must succeed; its output.
fn ok(dev: &Dev, args: &[&str]) -> String {
    let out = dev.cli(args);
    assert!(out.status.success(), "publica {}: {}", args.join(" "), text(&out));
    text(&out)
}

/// The clerk issues a credential of `vct` to `citizen` with `claims`, at entry `index` of its status list 0, and
/// the citizen keeps it in their wallet.
fn issue(dev: &Dev, citizen: &str, vct: &str, claims: &[&str], index: u32) {
    let holder = address_of(dev, citizen);
    let out = format!("{citizen}-{index}.sdjwt");
    let index = index.to_string();
    let mut args = vec![
        "credential",
        "issue",
        "--key",
        "keys/civil-clerk.json",
        "--passphrase-file",
        "dev-passphrase",
        "--holder",
        &holder,
        "--type",
        vct,
        "--status-list",
        "0",
        "--status-index",
        &index,
        "--out",
        &out,
    ];
    for claim in claims {
        args.extend(["--claim", claim]);
    }
    ok(dev, &args);
    ok(dev, &["wallet", "store", &out, "--wallet", &format!("wallet-{citizen}")]);
}

/// `citizen` presents their credential of type `short` (the end of its `vct`), disclosing `disclose`, for `aud`
/// and `nonce`, into `dir`.
fn present(dev: &Dev, citizen: &str, short: &str, disclose: &str, aud: &str, nonce: &str, dir: &str) {
    let out = format!("{dir}/{citizen}-{short}.json");
    ok(
        dev,
        &[
            "wallet",
            "present",
            short,
            "--key",
            &format!("keys/citizen-{citizen}.json"),
            "--passphrase-file",
            "dev-passphrase",
            "--disclose",
            disclose,
            "--aud",
            aud,
            "--nonce",
            nonce,
            "--out",
            &out,
            "--wallet",
            &format!("wallet-{citizen}"),
        ],
    );
}

/// `roll eligible` on election 0 with the Nordvik requirements; its output and the roll it wrote.
fn eligible(dev: &Dev, dir: &str, roll: &str) -> (String, Vec<String>) {
    let report = ok(
        dev,
        &[
            "election",
            "roll",
            "eligible",
            "0",
            "--presentations",
            dir,
            "--genesis",
            "genesis.json",
            "--require",
            &format!("{AGE_OVER_18}:age_over_18=true"),
            "--require",
            &format!("{RESIDENCE}:municipality=Nordvik"),
            "--out",
            roll,
        ],
    );
    let written = std::fs::read_to_string(dev.home.join(roll)).unwrap();
    (report, written.lines().map(str::to_owned).collect())
}

/// The report's lines about `address` (its file lines and its verdict).
fn about<'a>(report: &'a str, address: &str) -> Vec<&'a str> {
    let mut lines = Vec::new();
    let mut in_verdict = false;
    for line in report.lines() {
        if line.contains(address) {
            lines.push(line);
            in_verdict = line.trim_start().starts_with(address);
        } else if in_verdict && line.trim_start().starts_with("unmet ") {
            lines.push(line);
        } else {
            in_verdict = false;
        }
    }
    lines
}

#[test]
fn the_roll_is_the_citizens_whose_presentations_for_this_election_meet_every_requirement() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = Dev::start(&tmp.path().join("net"));
    let chain = dev.get("/v1/status")["chain_id"].as_str().unwrap().to_owned();
    let election = dev.get("/v1/elections/0");
    assert_eq!(election["election"]["name"], "Nordvik harbour referendum");
    let uuid = election["election"]["uuid"].as_str().unwrap().to_owned();
    let other_uuid = dev.get("/v1/elections/1")["election"]["uuid"].as_str().unwrap().to_owned();
    assert_ne!(uuid, other_uuid);
    let aud = format!("publica:election:{chain}:0");
    std::fs::create_dir(dev.home.join("presentations")).unwrap();
    let dir = "presentations";

    // Bruno and Chiara live in Nordvik and are over 18; Dmitri is over 18 but lives in Sørvik; Eun-ji lives in
    // Nordvik and is over 18, but presents for the library vote (election 1).
    let (bruno, chiara, dmitri, eun_ji) =
        (address_of(&dev, "bruno"), address_of(&dev, "chiara"), address_of(&dev, "dmitri"), address_of(&dev, "eun-ji"));
    let nordvik = ["municipality=Nordvik", "address=Harbour Road 1", "since=2019-04-01"];
    let sorvik = ["municipality=Sørvik", "address=Fjord Street 9", "since=2021-08-15"];
    issue(&dev, "bruno", RESIDENCE, &nordvik, 900_101);
    issue(&dev, "bruno", AGE_OVER_18, &["age_over_18=true"], 900_102);
    issue(&dev, "chiara", RESIDENCE, &nordvik, 900_103);
    issue(&dev, "chiara", AGE_OVER_18, &["age_over_18=true"], 900_104);
    issue(&dev, "dmitri", RESIDENCE, &sorvik, 900_105);
    issue(&dev, "dmitri", AGE_OVER_18, &["age_over_18=true"], 900_106);
    issue(&dev, "eun-ji", RESIDENCE, &nordvik, 900_107);
    issue(&dev, "eun-ji", AGE_OVER_18, &["age_over_18=true"], 900_108);
    for citizen in ["bruno", "chiara", "dmitri"] {
        present(&dev, citizen, "residence", "municipality", &aud, &uuid, dir);
        present(&dev, citizen, "age-over-18", "age_over_18", &aud, &uuid, dir);
    }
    present(&dev, "eun-ji", "residence", "municipality", &aud, &other_uuid, dir);
    present(&dev, "eun-ji", "age-over-18", "age_over_18", &aud, &other_uuid, dir);
    // A file that is not a presentation is reported and skipped.
    std::fs::write(dev.home.join(dir).join("junk.json"), "{not a presentation").unwrap();

    let (report, roll) = eligible(&dev, dir, "roll.txt");
    let mut expected = vec![bruno.clone(), chiara.clone()];
    expected.sort();
    assert_eq!(roll, expected, "{report}");
    assert!(
        report.contains(&format!("{bruno} eligible")) && report.contains(&format!("{chiara} eligible")),
        "{report}"
    );
    // Dmitri's residence is valid, but in another municipality: that requirement is the one he fails.
    let dmitri_lines = about(&report, &dmitri).join("\n");
    assert!(dmitri_lines.contains(&format!("{dmitri} not eligible")), "{report}");
    assert!(
        dmitri_lines.contains(&format!("unmet {RESIDENCE}:municipality=Nordvik: it discloses municipality=\"Sørvik\"")),
        "{report}"
    );
    assert!(!dmitri_lines.contains("unmet https://publica.example/vct/age-over-18"), "{report}");
    // Eun-ji's presentations were made for election 1: refused by the nonce check, both requirements unmet.
    let eun_ji_lines = about(&report, &eun_ji).join("\n");
    assert!(eun_ji_lines.contains(&format!("{eun_ji} not eligible")), "{report}");
    let refused_by_nonce =
        eun_ji_lines.lines().filter(|l| l.trim_start().starts_with("unmet") && l.contains("key_binding_nonce"));
    assert_eq!(refused_by_nonce.count(), 2, "{report}");
    assert!(report.contains("junk.json: refused"), "{report}");
    assert!(report.contains("2 of 4 citizens eligible"), "{report}");

    // The same presentations, made for another verifier: refused by the audience check.
    std::fs::create_dir(dev.home.join("elsewhere")).unwrap();
    present(&dev, "bruno", "residence", "municipality", "https://bank.example", &uuid, "elsewhere");
    present(&dev, "bruno", "age-over-18", "age_over_18", "https://bank.example", &uuid, "elsewhere");
    let (report, roll) = eligible(&dev, "elsewhere", "elsewhere.txt");
    assert!(roll.is_empty(), "{report}");
    assert!(report.contains("key_binding_audience") && report.contains(&format!("{bruno} not eligible")), "{report}");

    // The clerk revokes Chiara's age-over-18 credential: she is no longer eligible, and the report says why.
    ok(
        &dev,
        &[
            "identity",
            "set-status",
            "--key",
            "keys/civil-clerk.json",
            "--passphrase-file",
            "dev-passphrase",
            "--list",
            "0",
            "--status",
            "revoked",
            "--index",
            "900104",
        ],
    );
    let (report, roll) = eligible(&dev, dir, "roll-after.txt");
    assert_eq!(roll, vec![bruno.clone()], "{report}");
    let chiara_lines = about(&report, &chiara).join("\n");
    assert!(chiara_lines.contains(&format!("{chiara} not eligible")), "{report}");
    assert!(chiara_lines.contains(&format!("unmet {AGE_OVER_18}:age_over_18=true: ")), "{report}");
    assert!(chiara_lines.contains("revoked"), "{report}");
}
