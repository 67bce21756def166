//! End to end: the land registry and permits on a dev network, through `publica land`, `publica permit` and the
//! REST API, with "who owned it at time D" answers checked offline by `publica verify`.

use publica_crypto::keystore::KeyFile;
use serde_json::Value;

use crate::{text, Dev, ADA};

/// A square of `side` 1e-7 degrees at (`x`, `y`) 1e-7 degrees, as an RFC 7946 Polygon, away from the demo town.
fn square(x: i64, y: i64, side: i64) -> String {
    let p =
        |x: i64, y: i64| format!("[{}.{:07},{}.{:07}]", x / 10_000_000, x % 10_000_000, y / 10_000_000, y % 10_000_000);
    format!(
        r#"{{"type":"Polygon","coordinates":[[{},{},{},{},{}]]}}"#,
        p(x, y),
        p(x + side, y),
        p(x + side, y + side),
        p(x, y + side),
        p(x, y)
    )
}

fn address_of(dev: &Dev, name: &str) -> String {
    KeyFile::load(dev.home.join(format!("keys/{name}.json"))).unwrap().public_key().address().to_string()
}

/// `publica land|permit ...` signed with a demo key.
fn signed(dev: &Dev, key: &str, args: &[&str]) -> std::process::Output {
    let key = format!("keys/{key}.json");
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--key", &key, "--passphrase-file", "dev-passphrase"]);
    dev.cli(&all)
}

fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

#[test]
fn a_parcel_changes_hands_through_four_parties_and_who_owned_it_when_is_proven_offline() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    assert!(dev.startup.iter().any(|l| l.contains("298 land parcels")), "{:#?}", dev.startup);
    let bruno = address_of(&dev, "citizen-bruno");

    // The demo: the first lot of Nordvik was sold to bruno through the workflow; a shared lot has two owners.
    let shown: Value = serde_json::from_str(&ok(dev.cli(&["land", "show", "NV-A1-101", "--json"]))).unwrap();
    assert_eq!(shown["title"]["version"], 2, "{shown}");
    assert_eq!(shown["title"]["value"]["owners"][0]["account"], bruno.as_str());
    assert_eq!(shown["geometry"]["type"], "Polygon");
    let search = ok(dev.cli(&["land", "search", "--bbox", "15.58,58.41,15.5802,58.4101"]));
    assert!(search.contains("NV-A1-101"), "{search}");

    // A new parcel for ada; one overlapping it is refused and changes nothing.
    std::fs::write(dev.home.join("p1.geojson"), square(150_000_000, 580_000_000, 2_000)).unwrap();
    std::fs::write(dev.home.join("p2.geojson"), square(150_001_000, 580_001_000, 2_000)).unwrap();
    ok(signed(
        &dev,
        "land-registrar",
        &["land", "register", "--parcel", "T-1", "--geojson", "p1.geojson", "--owner", ADA],
    ));
    let refused = signed(
        &dev,
        "land-registrar",
        &["land", "register", "--parcel", "T-2", "--geojson", "p2.geojson", "--owner", ADA],
    );
    assert!(!refused.status.success() && text(&refused).contains("overlaps"), "{}", text(&refused));
    assert!(!dev.cli(&["land", "show", "T-2"]).status.success());
    let registered: Value = dev.get("/v1/land/parcels/T-1");
    let registered_at = registered["title"]["time_ms"].as_u64().unwrap();

    // A transfer: opened by the seller; the registrar may not approve before the parties and the notary.
    let opened = ok(signed(&dev, "citizen-ada", &["land", "transfer", "--parcel", "T-1", "--to", &bruno]));
    let number: String = opened
        .split("application ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no application number in {opened}"))
        .to_owned();
    let early =
        signed(&dev, "land-registrar", &["land", "approve", "--application", &number, "--as-role", "registrar"]);
    assert!(!early.status.success(), "the registrar approved first: {}", text(&early));
    ok(signed(&dev, "citizen-ada", &["land", "approve", "--application", &number]));
    ok(signed(&dev, "citizen-bruno", &["land", "approve", "--application", &number]));
    // The notary approves for its role: without --as-role it is refused, and told the way out.
    let no_role = signed(&dev, "notary", &["land", "approve", "--application", &number]);
    assert!(!no_role.status.success() && text(&no_role).contains("add --as-role ROLE"), "{}", text(&no_role));
    ok(signed(&dev, "notary", &["land", "approve", "--application", &number, "--as-role", "notary"]));
    let stage = ok(dev.cli(&["land", "application", &number]));
    assert!(stage.contains("transfer"), "{stage}");
    // Parties and approvals in words, not JSON.
    assert!(stage.contains("role notary") && stage.contains(&format!("approved by {bruno} at height")), "{stage}");
    assert!(!stage.contains('{') && !stage.contains("time_ms"), "{stage}");
    ok(signed(&dev, "land-registrar", &["land", "approve", "--application", &number, "--as-role", "registrar"]));
    let history = ok(dev.cli(&["land", "history", "T-1"]));
    assert!(history.contains("title v2") && history.contains(&bruno), "{history}");

    // Who owned it when: ada at registration time, bruno now; both answers verify offline with the genesis alone.
    let at = registered_at.to_string();
    ok(dev.cli(&["land", "owners", "T-1", "--at", &at, "--out", "then.json"]));
    ok(dev.cli(&["land", "owners", "T-1", "--out", "now.json"]));
    let verify = |file: &str| dev.cli(&["verify", file, "--genesis", "genesis.json"]);
    // The past answer is proven under the header of the registration's block, the block in force then.
    let then = ok(verify("then.json"));
    assert!(then.contains("VALID answer") && then.contains(ADA) && !then.contains(&bruno), "{then}");
    assert!(then.contains("was in force at the time asked about"), "{then}");
    let now = ok(verify("now.json"));
    assert!(now.contains("VALID answer") && now.contains(&bruno), "{now}");
    // Not registered yet at that time: said, saved with its proofs, and "not found" to a script (exit code 3).
    let before = dev.cli(&["land", "owners", "T-1", "--at", "1970-01-02", "--out", "before.json"]);
    assert_eq!(before.status.code(), Some(3), "{}", text(&before));
    assert!(text(&before).contains("not registered yet"), "{}", text(&before));
    assert!(ok(verify("before.json")).contains("not registered"));
    // A mistyped id (a lower-case L for the digit 1) is no parcel at all: exit code 3, and the parcel meant.
    for question in [&["land", "show", "T-l"][..], &["land", "owners", "T-l"][..]] {
        let typo = dev.cli(question);
        assert_eq!(typo.status.code(), Some(3), "{}", text(&typo));
        assert!(text(&typo).contains("there is no parcel T-l; did you mean T-1?"), "{}", text(&typo));
    }
    // Unix seconds given where milliseconds are read would ask about 1970: refused, with the way to write it.
    let seconds = dev.cli(&["land", "owners", "T-1", "--at", "1796245084"]);
    assert!(!seconds.status.success() && text(&seconds).contains("1796245084000"), "{}", text(&seconds));

    // Tampering is caught: a changed owner, a dropped proof (hiding the later version), a changed date.
    let answer: Value = serde_json::from_slice(&std::fs::read(dev.home.join("then.json")).unwrap()).unwrap();
    let mut forged = answer.clone();
    forged["decision"]["owners"][0]["account"] = Value::String(bruno.clone());
    let mut hidden = answer.clone();
    hidden["proofs"].as_array_mut().unwrap().truncate(1);
    let mut moved = answer.clone();
    moved["at_ms"] = Value::from(registered_at + 3_600_000_000);
    // A following header that is not the next block: the latest one, certified but no child of the proofs' header.
    let latest: Value = serde_json::from_slice(&std::fs::read(dev.home.join("now.json")).unwrap()).unwrap();
    let mut unlinked = answer.clone();
    unlinked["following"] = latest["certified"].clone();
    assert_eq!(answer["certified"]["header"]["height"], answer["following"]["header"]["height"].as_u64().unwrap() - 1);
    for (name, doc) in [("forged", forged), ("hidden", hidden), ("moved", moved), ("unlinked", unlinked)] {
        let file = format!("{name}.json");
        std::fs::write(dev.home.join(&file), doc.to_string()).unwrap();
        let out = verify(&file);
        assert!(!out.status.success() && text(&out).contains("INVALID"), "{name}: {}", text(&out));
    }

    // The forged "as of" answer: the genuine answer for the registration time, its following header deleted and
    // its date moved to after the sale. Its proofs show ada's title under the registration's block and nothing
    // after it, so the verifier refuses the date asked, says up to when the answer is proven, and what held then.
    let mut stale = answer.clone();
    stale.as_object_mut().unwrap().remove("following");
    stale["at_ms"] = latest["at_ms"].clone();
    std::fs::write(dev.home.join("stale.json"), stale.to_string()).unwrap();
    let out = verify("stale.json");
    let said = text(&out);
    assert!(!out.status.success(), "a state before the sale verified as proof of ownership after it: {said}");
    assert!(said.contains("NOT PROVEN for the time asked") && !said.contains("VALID answer"), "{said}");
    assert!(said.contains("PROVEN only up to") && said.contains(ADA), "{said}");

    // Any response with proofs verifies as a whole: one certified header, every read under it.
    std::fs::write(dev.home.join("history.json"), dev.get("/v1/land/parcels/T-1/history").to_string()).unwrap();
    let whole = ok(verify("history.json"));
    assert!(whole.contains("VALID: ") && whole.contains("state proofs"), "{whole}");

    // Permits: the demo's suspended building permit, proven; a new one is not valid before its start.
    ok(dev.cli(&["permit", "status", "BP-2026-0002", "--out", "permit.json"]));
    let checked = ok(verify("permit.json"));
    assert!(checked.contains("VALID answer") && checked.contains("suspended"), "{checked}");
    ok(signed(
        &dev,
        "permit-officer",
        &[
            "permit",
            "issue",
            "--permit",
            "TL-2030-0001",
            "--kind",
            "taxi-licence",
            "--holder",
            ADA,
            "--from",
            "2030-01-01",
            "--until",
            "2031-01-01",
        ],
    ));
    let early = ok(dev.cli(&["permit", "status", "TL-2030-0001"]));
    assert!(early.contains("not yet valid"), "{early}");
    // A date after the last block is a question no proof can answer yet: refused, with what to do.
    let future = dev.cli(&["permit", "status", "TL-2030-0001", "--at", "2030-06-01"]);
    let said = text(&future);
    assert!(!future.status.success() && said.contains("after the last committed block"), "{said}");
    // Only a permit officer of the issuing agency may revoke it.
    let stranger = signed(&dev, "notary", &["permit", "revoke", "--permit", "TL-2030-0001", "--reason", "no"]);
    assert!(!stranger.status.success(), "{}", text(&stranger));
}

#[test]
fn the_demo_companies_are_found_by_name_file_returns_and_export_their_owners() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let held = ok(dev.cli(&["business", "name", "  nordvik TIMBER ab"]));
    let number = held.rsplit(' ').next().unwrap().trim().to_owned();
    assert!(held.contains("is held by company"), "{held}");
    let free = ok(dev.cli(&["business", "name", "Nordvik Shipyard AB"]));
    assert!(free.contains("is free"), "{free}");
    // A mistyped number is refused before anything is asked.
    let mut typo = number.clone().into_bytes();
    typo.swap(2, 3);
    let typo = String::from_utf8(typo).unwrap();
    if typo != number {
        let out = dev.cli(&["business", "show", &typo]);
        assert!(!out.status.success() && text(&out).contains("check digit"), "{}", text(&out));
    }
    let shown = ok(dev.cli(&["business", "show", &number]));
    assert!(shown.contains("Nordvik Timber AB") && shown.contains(ADA), "{shown}");

    // Ada directs it: she files the annual return; chiara, who holds no office there, may not.
    let year = &publica_types::time::format_time_ms(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64,
    )[..4];
    std::fs::write(dev.home.join("return.json"), format!(r#"{{"type": "annual_return", "year": {year}}}"#)).unwrap();
    ok(signed(&dev, "citizen-ada", &["business", "file", "--company", &number, "--filing", "return.json"]));
    let refused =
        signed(&dev, "citizen-chiara", &["business", "file", "--company", &number, "--filing", "return.json"]);
    assert!(!refused.status.success() && text(&refused).contains("not an officer"), "{}", text(&refused));
    let history = ok(dev.cli(&["business", "history", &number]));
    assert!(history.contains("annual_return") && history.contains(ADA), "{history}");
    // The company routes' answers are exactly their client types (decoded, then encoded back to what was served).
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(served: Value) {
        let typed: T = serde_json::from_value(served.clone()).expect("the answer decodes into its client type");
        assert_eq!(serde_json::to_value(&typed).unwrap(), served, "the type drifted from what is served");
    }
    round_trip::<publica_client::api::CompanyResponse>(dev.get(&format!("/v1/business/companies/{number}")));
    round_trip::<publica_client::api::CompanyHistoryResponse>(
        dev.get(&format!("/v1/business/companies/{number}/history")),
    );

    // The ownership export: BODS statements for the company, its owners and their relationships.
    ok(dev.cli(&["business", "bods", &number, "--out", "bods.json"]));
    let statements: Value = serde_json::from_slice(&std::fs::read(dev.home.join("bods.json")).unwrap()).unwrap();
    let types: Vec<&str> = statements.as_array().unwrap().iter().map(|s| s["recordType"].as_str().unwrap()).collect();
    assert_eq!(types.iter().filter(|t| **t == "relationship").count(), 2, "{types:?}");
    assert!(statements.to_string().contains(&format!("company/{number}")));
}
