//! End to end: `publica finance …` on the demo network's public money, budget and child benefit. The supply and its
//! invariant, a payment traced to the budget law and verified offline, the budget and a line by month, a citizen's
//! own wallet (and another citizen refused it), the child benefit claimed with citizens' nullifier proofs (a second
//! claim for the same month refused, whoever makes it), and transfers refused before sending (too many decimals) or
//! by the ledger (more than the wallet holds).

use std::time::{Duration, Instant};

use publica_crypto::keystore::KeyFile;
use serde_json::Value;

use super::{text, Dev, ADA};

/// The CLI signed with the demo key `name`.
fn signed(dev: &Dev, name: &str, args: &[&str]) -> std::process::Output {
    let key = format!("keys/{name}.json");
    let mut all = args.to_vec();
    all.extend_from_slice(&["--key", &key, "--passphrase-file", "dev-passphrase"]);
    dev.cli(&all)
}

/// The CLI, which must succeed; its output.
fn ok(dev: &Dev, args: &[&str]) -> String {
    let out = dev.cli(args);
    assert!(out.status.success(), "publica {}: {}", args.join(" "), text(&out));
    text(&out)
}

/// The output of a command that must end with exit code `code`.
fn exits(out: std::process::Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", text(&out));
    text(&out)
}

/// The demo citizen `name`'s address, from its key file.
fn address_of(dev: &Dev, name: &str) -> String {
    let key = KeyFile::load(dev.home.join(format!("keys/citizen-{name}.json"))).unwrap();
    key.public_key().address().to_string()
}

#[test]
fn the_demo_money_budget_and_benefit_are_read_proven_and_claimed_once_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Dev::start(&dir.path().join("net"));
    let started = Instant::now();

    // The supply: what was issued is what the accounts hold.
    let currency = ok(&dev, &["finance", "currency", "NVK"]);
    assert!(
        currency.contains("currency NVK: Nordvik krona (2 decimals), issued by nordvik-central-bank"),
        "{currency}"
    );
    assert!(currency.contains("issued            20000000.00 NVK"), "{currency}");
    assert!(currency.contains("invariant         holds"), "{currency}");
    assert!(
        currency.contains("tier 1            balance cap 7500.00 NVK, daily outflow cap 1500.00 NVK"),
        "{currency}"
    );

    // A payment back to the budget law, in a few lines, and its proofs checked offline.
    let trace = ok(&dev, &["finance", "payment", "0", "--out", "trace.json"]);
    assert!(trace.contains("payment 0               120000.00 NVK to company:"), "{trace}");
    for step in ["<- commitment 0", "<- allocation 0", "<- budget line RD-01", "<- budget law "] {
        assert!(trace.contains(step), "{step}: {trace}");
    }
    let verified = ok(&dev, &["verify", "trace.json", "--genesis", "genesis.json"]);
    assert!(verified.contains("VALID: 5 state proofs in trace.json"), "{verified}");
    let document: Value = serde_json::from_slice(&std::fs::read(dev.home.join("trace.json")).unwrap()).unwrap();
    let year = document["budget"]["year"].as_u64().unwrap().to_string();

    // The budget's lines, the harbour road's execution by month, and a year with no budget (exit code 3).
    let budget = ok(&dev, &["finance", "budget", "show", &year]);
    assert!(budget.contains("appropriated  18000000.00 NVK in 5 lines"), "{budget}");
    assert!(budget.contains("EC-01") && budget.contains("amendments    1"), "the start-up grants line: {budget}");
    assert!(budget.contains("RD-01") && budget.contains("120955.50  Harbour road and boardwalk renewal"), "{budget}");
    let line = ok(&dev, &["finance", "budget", "line", &year, "RD-01"]);
    assert!(line.contains("paid           120955.50 NVK"), "{line}");
    assert!(line.lines().any(|l| l.trim_start().starts_with(&year) && l.trim_end().ends_with("120955.50")), "{line}");
    let csv = ok(&dev, &["finance", "budget", "show", &year, "--csv"]);
    assert!(csv.starts_with("code,cofog,economic,name,appropriation,allocated,committed,paid"), "{csv}");
    exits(dev.cli(&["finance", "budget", "show", "1999"]), 3);

    // Ada reads her own wallet (the benefit in, 200.00 to Bruno out); Bruno may not read it.
    let wallet = exits(signed(&dev, "citizen-ada", &["finance", "account", "--currency", "NVK"]), 0);
    assert!(wallet.contains("balance     1050.00 NVK") && wallet.contains("sent today "), "{wallet}");
    assert!(wallet.contains("-200.00") && wallet.contains("\"Rent share\""), "{wallet}");
    let holder = format!("citizen:{ADA}");
    let refused =
        exits(signed(&dev, "citizen-bruno", &["finance", "account", "--currency", "NVK", "--holder", &holder]), 1);
    assert!(
        refused.contains("not_permitted") && refused.contains("may not read another citizen's wallet"),
        "{refused}"
    );
    assert!(!refused.contains("1050.00"), "{refused}");

    // The child benefit: the demo paid Ada this month, so a second claim with her proof is refused.
    let programme: Value = serde_json::from_str(&ok(&dev, &["finance", "programme", "show", "0", "--json"])).unwrap();
    let period = programme["programme"]["first_period"].as_u64().unwrap().to_string();
    let proof_of = |name: &str| {
        let out = signed(
            &dev,
            &format!("citizen-{name}"),
            &["finance", "nullifier-proof", "--scheme", "child-benefit", "--period", &period, "--json"],
        );
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let claim = |citizen: &str, proof: &str| {
        signed(
            &dev,
            "welfare-officer",
            &["finance", "claim", "--programme", "0", "--period", &period, "--citizen", citizen, "--proof", proof],
        )
    };
    let ada_proof = proof_of("ada");
    let refused = exits(claim(ADA, ada_proof["proof"].as_str().unwrap()), 1);
    assert!(refused.contains("duplicate_claim") && !refused.contains("committed at"), "{refused}");

    // Dmitri has a wallet and was not paid: his claim is accepted, his nullifier recorded, and a second refused.
    let dmitri = address_of(&dev, "dmitri");
    let dmitri_proof = proof_of("dmitri");
    assert_eq!(dmitri_proof["citizen"], dmitri.as_str());
    let nullifier = dmitri_proof["nullifier"].as_str().unwrap();
    let args = ["finance", "nullifier", "child-benefit", period.as_str(), nullifier];
    exits(dev.cli(&args), 3);
    let paid = exits(claim(&dmitri, dmitri_proof["proof"].as_str().unwrap()), 0);
    assert!(paid.contains("claiming 1250.00 NVK of programme 0") && paid.contains("made payment"), "{paid}");
    let recorded = ok(&dev, &args);
    assert!(
        recorded.contains("is recorded for scheme child-benefit") && recorded.contains("programme 0"),
        "{recorded}"
    );
    let refused = exits(claim(&dmitri, dmitri_proof["proof"].as_str().unwrap()), 1);
    assert!(refused.contains("duplicate_claim"), "{refused}");

    // Transfers from Ada's wallet: a third decimal is refused before anything is sent; more than she holds (and
    // more than her tier lets her send today) is refused by the ledger, in words that give the amounts.
    let bruno = format!("citizen:{}", address_of(&dev, "bruno"));
    let transfer = |amount: &str| {
        signed(
            &dev,
            "citizen-ada",
            &["finance", "transfer", "--currency", "NVK", "--to", &bruno, "--amount", amount, "--reference", "Rent"],
        )
    };
    let refused = exits(transfer("10.005"), 1);
    assert!(refused.contains("not an amount of NVK (2 decimals)"), "{refused}");
    assert!(!refused.contains("submitted"), "{refused}");
    let refused = exits(transfer("1400"), 1);
    assert!(refused.contains("insufficient_funds") || refused.contains("daily_limit_exceeded"), "{refused}");
    assert!(refused.contains("hint: ") && !refused.contains("committed at"), "{refused}");
    let wallet = exits(signed(&dev, "citizen-ada", &["finance", "account", "--currency", "NVK"]), 0);
    assert!(wallet.contains("balance     1050.00 NVK"), "nothing left the wallet: {wallet}");

    let took = started.elapsed();
    assert!(took < Duration::from_secs(180), "the finance commands took {took:?}");
}
