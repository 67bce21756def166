//! End to end: `publica contract …` and the contract changes of `publica governance propose` on the demo network.
//! The three shipped example modules (already uploaded by the demo: uploading them again sends nothing) are
//! deployed again by the finance office's administrator and called: the customs clearance clears a declaration and
//! refuses one under a revoked permit, the fee schedule quotes what was set; the grant rule's own copy is refused
//! for want of a configuration, then of roles, while the demo's, which a vote granted `spending-officer`, commits a
//! grant from the budget as the contract's account. A module of our own is uploaded, deployed, upgraded and frozen by votes. Receipts, events,
//! state keys and code are read with proofs (one saved and verified offline); bad input is refused before anything
//! is sent, and a call without enough fuel is charged, recorded as out of fuel and changes nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{text, Dev};

/// The agency that runs the demo's contracts, and its administrator's key.
const AGENCY: &str = "nordvik-finance-office";
const ADMIN: &str = "admin-nordvik-finance-office";
/// The demo's contracts developer (`contract-developer`, `fee-setter` and `grant-officer`).
const DEVELOPER: &str = "contracts-developer";
/// Longest the whole file may run, once the node is up.
const MAX_RUN: Duration = Duration::from_secs(300);

/// A module of our own, valid and not one of the demo's: it exports `memory` and `call`, which returns 0.
const TINY_MODULE: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // preamble, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // types: () -> i32
    0x03, 0x02, 0x01, 0x00, // functions: one of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: one page
    0x07, 0x11, 0x02, // exports: two
    0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, // "memory", memory 0
    0x04, b'c', b'a', b'l', b'l', 0x00, 0x00, // "call", function 0
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b, // code: i32.const 0
];

/// The shipped example module `name`.
fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../contracts/examples/{name}/{name}.wasm"))
}

/// The CLI signed with the demo key `name`.
fn signed(dev: &Dev, name: &str, args: &[&str]) -> std::process::Output {
    let key = format!("keys/{name}.json");
    let mut all = args.to_vec();
    all.extend_from_slice(&["--key", &key, "--passphrase-file", "dev-passphrase"]);
    dev.cli(&all)
}

/// The output of a command that must succeed.
fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

/// The output of a command that must end with exit code `code`.
fn exits(out: std::process::Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", text(&out));
    text(&out)
}

/// The transaction id a `contract call` printed its receipt for.
fn receipt_tx(shown: &str) -> String {
    let line = shown.lines().find(|l| l.starts_with("receipt of call ")).unwrap_or_else(|| panic!("{shown}"));
    line.split(' ').nth(3).unwrap().to_owned()
}

/// The value of a labelled line of a receipt (`  status     0 (...)`).
fn field<'a>(shown: &'a str, label: &str) -> &'a str {
    shown
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label).filter(|_| l.starts_with("  ")))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label} in {shown}"))
}

/// A labelled line of an instance or a policy, as printed: the label in a column of 20.
fn labelled(label: &str, value: &str) -> String {
    format!("  {label:<20}{value}")
}

/// Propose a change as the office's administrator and approve it with the demo's one validator.
fn vote(dev: &Dev, change: &[&str]) -> String {
    let proposed = ok(signed(dev, ADMIN, &[&["governance", "propose"][..], change].concat()));
    let line = proposed.lines().find(|l| l.starts_with("recorded proposal ")).unwrap_or_else(|| panic!("{proposed}"));
    let proposal = line.trim_start_matches("recorded proposal ").trim().to_owned();
    ok(signed(
        dev,
        ADMIN,
        &["governance", "approve", "--proposal", &proposal, "--validator-key", "keys/validator.json"],
    ));
    proposed
}

#[test]
fn the_example_contracts_run_end_to_end_through_the_cli_and_bad_input_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let started = Instant::now();

    // The office's policy lets its administrators deploy the three examples.
    let policy = ok(dev.cli(&["contract", "policy", AGENCY]));
    assert!(policy.contains(&labelled("admin deploy", "yes")) && policy.contains("code hashes (3)"), "{policy}");

    // The shipped modules are on the ledger already: uploading them again sends nothing.
    let mut hashes = Vec::new();
    for name in ["customs-clearance", "grant-rule", "fee-schedule"] {
        let path = example(name);
        let shown = ok(signed(&dev, DEVELOPER, &["contract", "upload", path.to_str().unwrap()]));
        assert!(shown.contains("is already on the ledger") && shown.contains("nothing was sent"), "{shown}");
        let hash = shown.split(' ').nth(1).unwrap().to_owned();
        assert!(policy.contains(&hash), "{hash} not in the policy: {policy}");
        hashes.push(hash);
    }
    // Each deployed again, under a name of the test's, by the office's administrator within its policy.
    let names = ["customs-cli", "grants-cli", "fees-cli"];
    for (name, hash) in names.iter().zip(&hashes) {
        let shown = ok(signed(
            &dev,
            ADMIN,
            &[
                "contract",
                "deploy",
                name,
                "--code",
                hash,
                "--fuel-per-call",
                "2000000",
                "--fuel-per-sender-day",
                "100000000",
            ],
        ));
        assert!(shown.contains(&format!("named {name} for {AGENCY}")), "{shown}");
    }
    let instance = ok(dev.cli(&["contract", "query", "customs-cli"]));
    assert!(instance.contains(&hashes[0]) && instance.contains(&labelled("frozen", "no")), "{instance}");

    // Customs: a declaration under the demo's valid permit is cleared, one under its revoked permit refused.
    let held = ok(dev.cli(&["business", "name", "Nordvik Sawmill AB"]));
    let company = held.trim().rsplit(' ').next().unwrap().to_owned();
    let declare = |id: &str, permit: &str, fuel: &str| {
        let (id, company, permit) = (format!("str8:{id}"), format!("str8:{company}"), format!("str8:{permit}"));
        let args = ["contract", "call", "customs-cli", "--arg", &id, "--arg", &company, "--arg", &permit];
        let args = [&args[..], &["--arg", "str8:4407", "--arg", "u64:1250000", "--fuel", fuel]].concat();
        ok(signed(&dev, DEVELOPER, &args))
    };
    let cleared = declare("NV-CLI-1", "BP-2026-0001", "1000000");
    assert!(field(&cleared, "status").starts_with("0 (succeeded"), "{cleared}");
    assert_eq!(field(&cleared, "output"), "\"cleared\"", "{cleared}");
    assert_eq!(field(&cleared, "events"), "1", "{cleared}");
    assert!(cleared.contains("\"cleared\" \"NV-CLI-1\""), "the call's event is printed: {cleared}");
    let refused = declare("NV-CLI-2", "RL-2026-0002", "1000000");
    assert!(field(&refused, "status").starts_with("6 (refused by the contract"), "{refused}");
    assert_eq!(field(&refused, "output"), "\"permit_revoked\"", "{refused}");
    assert!(field(&refused, "failure").starts_with("status"), "{refused}");

    // The receipt again, by its transaction, saved with its proofs and verified offline.
    let tx = receipt_tx(&cleared);
    let receipt = ok(dev.cli(&["contract", "receipt", &tx, "--out", "receipt.json"]));
    assert_eq!(field(&receipt, "output"), "\"cleared\"", "{receipt}");
    assert!(receipt.contains("proven under the certified header of height"), "{receipt}");
    let verified = ok(dev.cli(&["verify", "receipt.json", "--genesis", "genesis.json"]));
    assert!(verified.contains("VALID"), "{verified}");
    // Its events and its state: the cleared declaration is recorded, the refused one is not.
    let events = ok(dev.cli(&["contract", "events", "customs-cli"]));
    assert!(events.contains("1 event") && events.contains(&tx), "{events}");
    let kept = ok(dev.cli(&["contract", "query", "customs-cli", "--key", "declaration/NV-CLI-1"]));
    assert!(kept.contains("  value  "), "{kept}");
    let absent = ok(dev.cli(&["contract", "query", "customs-cli", "--key", "declaration/NV-CLI-2"]));
    assert!(absent.contains("absent"), "{absent}");

    // Fees: the developer sets a service's fee, a citizen asks for a quote: base + unit × quantity.
    let set = ok(signed(
        &dev,
        DEVELOPER,
        &["contract", "call", "fees-cli", "--arg", "u8:2", "--arg", "u32:7", "--arg", "u64:1000", "--arg", "u64:25"],
    ));
    assert!(field(&set, "status").starts_with("0 "), "{set}");
    let quote = ok(signed(
        &dev,
        "citizen-ada",
        &["contract", "call", "fees-cli", "--arg", "u8:1", "--arg", "u32:7", "--arg", "u32:4", "--fuel", "100000"],
    ));
    assert!(field(&quote, "status").starts_with("0 "), "{quote}");
    assert!(field(&quote, "output").ends_with("as a little-endian u64: 1100)"), "{quote}");
    // The table entry as the contract wrote it: `fee/` then the service's 4 bytes, in hex.
    let entry = ok(dev.cli(&["contract", "query", "fees-cli", "--key-hex", "6665652f07000000"]));
    assert!(entry.contains("e803000000000000190000000000000"), "{entry}");

    // The grant rule. Only a grant officer enters applications: a citizen's is refused. The test's instance,
    // deployed by an administrator, holds no roles and is not configured: an application is refused for that; once
    // the developer points it at the demo's grants allocation, its native call is answered 4225 (the instance holds
    // no roles) and nothing is committed.
    let bakery = ok(dev.cli(&["business", "name", "Fjord Bakery HB"])).trim().rsplit(' ').next().unwrap().to_owned();
    let apply_as = |sender: &str, instance: &str| {
        let number = format!("str:{bakery}");
        ok(signed(
            &dev,
            sender,
            &["contract", "call", instance, "--arg", "u8:1", "--arg", "u64:250000", "--arg", &number],
        ))
    };
    let apply = |instance: &str| apply_as(DEVELOPER, instance);
    let refused = apply_as("citizen-ada", "grant-rule");
    assert!(field(&refused, "status").starts_with("9 "), "{refused}");
    assert_eq!(field(&refused, "output").trim_matches('"'), "not_permitted", "{refused}");
    let refused = apply("grants-cli");
    assert!(field(&refused, "status").starts_with("7 "), "{refused}");
    assert_eq!(field(&refused, "output").trim_matches('"'), "not_configured", "{refused}");
    let allocations = dev.get("/v1/finance/allocations?limit=100");
    let allocation = allocations["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["line"] == "EC-01" && a["agency"] == AGENCY)
        .unwrap_or_else(|| panic!("the demo's grants allocation: {allocations}"))["id"]
        .as_u64()
        .unwrap();
    let allocation = format!("u64:{allocation}");
    let configured =
        ok(signed(&dev, DEVELOPER, &["contract", "call", "grants-cli", "--arg", "u8:2", "--arg", &allocation]));
    assert_eq!(field(&configured, "output").trim_matches('"'), "configured", "{configured}");
    let refused = apply("grants-cli");
    assert!(field(&refused, "status").starts_with("8 "), "{refused}");
    assert_eq!(field(&refused, "output").trim_matches('"'), "funds_refused 4225", "{refused}");

    // The demo's instance, deployed by the vote that granted it `spending-officer`, commits the grant from the
    // budget as its own account; a second application is refused.
    let granted = apply("grant-rule");
    assert!(field(&granted, "status").starts_with("0 "), "{granted}");
    assert_eq!(field(&granted, "output").trim_matches('"'), "granted", "{granted}");
    let id = dev.get("/v1/contracts/instances/grant-rule")["instance"]["id"].as_u64().unwrap();
    let commitments = dev.get("/v1/finance/commitments?limit=100");
    let reference = format!("Start-up grant to company {bakery}");
    let commitment = commitments["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == reference.as_str())
        .unwrap_or_else(|| panic!("no commitment {reference:?}: {commitments}"));
    assert_eq!(commitment["amount"], 250_000, "{commitment}");
    assert_eq!(commitment["payee"]["company"], bakery.as_str(), "{commitment}");
    assert_eq!(commitment["by"], publica_contracts::contract_address(id).to_string(), "made as the contract's account");
    let recorded = ok(dev.cli(&["contract", "query", "grant-rule", "--key", &format!("grant/{bakery}")]));
    assert!(!recorded.contains("absent"), "{recorded}");
    let again = apply("grant-rule");
    assert_eq!(field(&again, "output").trim_matches('"'), "already_granted", "{again}");

    // Too little fuel: the transaction is committed, its fuel charged, the receipt says out of fuel and the
    // declaration is not recorded.
    let starved = declare("NV-CLI-3", "BP-2026-0001", "50");
    assert!(field(&starved, "status").starts_with("none"), "{starved}");
    assert!(field(&starved, "failure").starts_with("out_of_fuel"), "{starved}");
    assert_eq!(field(&starved, "fuel used"), "50", "{starved}");
    let absent = ok(dev.cli(&["contract", "query", "customs-cli", "--key", "declaration/NV-CLI-3"]));
    assert!(absent.contains("absent"), "{absent}");
    let events = ok(dev.cli(&["contract", "events", "customs-cli"]));
    assert!(events.contains("1 event"), "a failed call records no event: {events}");

    // Bad input, refused before anything is sent: an unknown instance, fields that do not fit, two forms at once,
    // a file that is not WebAssembly.
    let unknown = exits(signed(&dev, DEVELOPER, &["contract", "call", "no-such-contract", "--arg", "u8:1"]), 1);
    assert!(unknown.contains("no contract instance"), "{unknown}");
    exits(dev.cli(&["contract", "query", "no-such-contract"]), 3);
    let bad = exits(signed(&dev, DEVELOPER, &["contract", "call", "fees-cli", "--arg", "u8:256"]), 2);
    assert!(bad.contains("0 to 255"), "{bad}");
    let bad = exits(signed(&dev, DEVELOPER, &["contract", "call", "fees-cli", "--arg", "hex:abc"]), 2);
    assert!(bad.contains("not hex"), "{bad}");
    let long = format!("str8:{}", "x".repeat(300));
    let bad = exits(signed(&dev, DEVELOPER, &["contract", "call", "fees-cli", "--arg", &long]), 2);
    assert!(bad.contains("255"), "{bad}");
    let bad =
        exits(signed(&dev, DEVELOPER, &["contract", "call", "fees-cli", "--arg", "u8:1", "--input-hex", "01"]), 2);
    assert!(bad.contains("cannot be used with"), "{bad}");
    std::fs::write(dev.home.join("not-a-module.wasm"), "(module)").unwrap();
    let bad = exits(signed(&dev, DEVELOPER, &["contract", "upload", "not-a-module.wasm"]), 1);
    assert!(bad.contains("is not a WebAssembly module"), "{bad}");

    // A module of our own: uploaded (once), read back with its hash checked; not in the office's policy, so its
    // administrator may not deploy it, but a vote may.
    std::fs::write(dev.home.join("tiny.wasm"), TINY_MODULE).unwrap();
    let uploaded = ok(signed(&dev, DEVELOPER, &["contract", "upload", "tiny.wasm"]));
    let tiny = uploaded.split(' ').nth(1).unwrap().to_owned();
    assert!(uploaded.contains("committed upload"), "{uploaded}");
    let again = ok(signed(&dev, DEVELOPER, &["contract", "upload", "tiny.wasm"]));
    assert!(again.contains("is already on the ledger"), "{again}");
    let code = ok(dev.cli(&["contract", "code", &tiny, "--out", "tiny-back.wasm"]));
    assert!(code.contains(&format!("code {tiny} ({} bytes)", TINY_MODULE.len())), "{code}");
    assert_eq!(std::fs::read(dev.home.join("tiny-back.wasm")).unwrap(), TINY_MODULE);
    let refused = exits(
        signed(
            &dev,
            ADMIN,
            &[
                "contract",
                "deploy",
                "tiny",
                "--code",
                &tiny,
                "--fuel-per-call",
                "10000",
                "--fuel-per-sender-day",
                "100000",
            ],
        ),
        1,
    );
    assert!(refused.contains("contract_code_not_allowed"), "{refused}");
    vote(
        &dev,
        &[
            "--deploy-contract",
            "tiny",
            "--agency",
            AGENCY,
            "--code-hash",
            &tiny,
            "--fuel-per-call",
            "10000",
            "--fuel-per-sender-day",
            "100000",
        ],
    );
    let called = ok(signed(&dev, "citizen-ada", &["contract", "call", "tiny"]));
    assert!(field(&called, "status").starts_with("0 ") && field(&called, "output") == "(empty)", "{called}");
    // Upgraded by a vote to the fee schedule's code: the history keeps both versions.
    vote(&dev, &["--upgrade-contract", "tiny", "--code-hash", &hashes[2]]);
    let upgraded = ok(dev.cli(&["contract", "query", "tiny"]));
    assert!(upgraded.contains(&labelled("code", &hashes[2])), "{upgraded}");
    assert!(upgraded.contains(&tiny) && upgraded.contains("(governance proposal "), "{upgraded}");
    // Frozen by its agency's administrator alone; unfrozen only by a vote.
    ok(signed(&dev, ADMIN, &["contract", "freeze", "tiny"]));
    let frozen = ok(dev.cli(&["contract", "query", "tiny"]));
    assert!(frozen.contains(&labelled("frozen", "yes")), "{frozen}");
    let refused = exits(signed(&dev, "citizen-ada", &["contract", "call", "tiny", "--arg", "u8:1"]), 1);
    assert!(refused.contains("is frozen"), "{refused}");
    vote(&dev, &["--unfreeze-contract", "tiny"]);
    assert!(ok(dev.cli(&["contract", "query", "tiny"])).contains(&labelled("frozen", "no")));
    // The policy replaced by a vote: the module of our own may now be deployed by the administrator.
    let mut policy_change = vec!["--contract-policy", AGENCY, "--admin-deploy"];
    for hash in hashes.iter().chain([&tiny]) {
        policy_change.extend_from_slice(&["--code-hash", hash]);
    }
    policy_change.extend_from_slice(&["--max-fuel-per-call", "2000000", "--fuel-per-day", "10000000000"]);
    policy_change.extend_from_slice(&["--max-instances", "16"]);
    vote(&dev, &policy_change);
    assert!(ok(dev.cli(&["contract", "policy", AGENCY])).contains("code hashes (4)"));
    ok(signed(
        &dev,
        ADMIN,
        &[
            "contract",
            "deploy",
            "tiny-2",
            "--code",
            &tiny,
            "--fuel-per-call",
            "10000",
            "--fuel-per-sender-day",
            "100000",
        ],
    ));
    let proposals = ok(dev.cli(&["governance", "proposals"]));
    assert!(proposals.contains("deploy contract tiny for nordvik-finance-office"), "{proposals}");

    assert!(started.elapsed() < MAX_RUN, "the contracts' run took {:?}", started.elapsed());
}
