//! Publication: a whole tender exported in the Open Contracting Data Standard 1.1 and checked by the standard's own
//! validator (libcoveocds, offline), exact amounts, and the red flags the data shows.

use std::path::PathBuf;
use std::process::Command;

use rand::Rng;
use serde_json::Value;

use super::*;
use publica_procurement::flags::{red_flags, Flag, FlagKind};
use publica_procurement::ocds::{self, OcdsOptions};
use publica_procurement::schema::ContractStatus;
use publica_registry::schema::RecordKind as Kind;

/// A currency with an ISO 4217 code: OCDS's currency codelist is closed, and the world's NVK is not in it.
const EUR: &str = "EUR";
/// The fiscal year of the euro budget (the world's 2026 budget is in NVK).
const EURO_YEAR: u16 = 2027;
/// A company registered shortly before a tender, and its director.
const FRESH: &str = "NV-100005";

const CONTRACT_DOCUMENT: [u8; 32] = [0xd0; 32];
const AMENDED_DOCUMENT: [u8; 32] = [0xd1; 32];

fn options() -> OcdsOptions {
    OcdsOptions {
        ocid_prefix: "ocds-pblc01".into(),
        publisher: "Nordvik public ledger".into(),
        uri_base: "https://ledger.nordvik.example/ocds".into(),
        published_ms: START_MS + 200 * DAY,
    }
}

impl World {
    /// A euro budget for the next fiscal year with an allocation to the roads agency, and the bidders' euro
    /// accounts; returns the allocation.
    fn euro_allocation(&mut self) -> u64 {
        self.finance(GOVERNOR, FinanceCall::DefineCurrency { code: EUR.into(), name: "Euro".into(), decimals: 2 });
        self.finance(
            GOVERNOR,
            FinanceCall::SetTier {
                currency: EUR.into(),
                tier: 2,
                balance_cap: u64::MAX / 4,
                daily_outflow_cap: u64::MAX / 4,
            },
        );
        let ministry = MINISTRY.parse().unwrap();
        self.finance(GOVERNOR, FinanceCall::Issue { currency: EUR.into(), to: ministry, amount: 10_000_000 });
        let line = BudgetLineSpec {
            code: "ROADS-EU".into(),
            cofog: "04.5".into(),
            economic: "31".into(),
            name: "Road maintenance (co-financed)".into(),
            appropriation: 5_000_000,
        };
        let call = FinanceCall::EnactBudget {
            year: EURO_YEAR,
            currency: EUR.into(),
            treasury: MINISTRY.parse().unwrap(),
            reference: "Budget Act 2027".into(),
            lines: vec![line],
        };
        self.finance(MP, call);
        let call = FinanceCall::Allocate {
            year: EURO_YEAR,
            line: "ROADS-EU".into(),
            agency: ROADS.parse().unwrap(),
            amount: 3_000_000,
            reference: "Allocation 2027:1".into(),
        };
        let TxOutcome::Allocation { id } = self.finance(BUDGET_OFFICER, call) else { panic!("an allocation") };
        for (number, director) in [(ASPHALT, ANNA), (BITUMEN, BERT), (COBBLE, CLEO)] {
            let call = FinanceCall::OpenAccount {
                currency: EUR.into(),
                holder: Holder::Company(number.into()),
                operator: Some(addr(director)),
                tier: 2,
                blinding: [8; 32],
            };
            self.finance(BANKER, call);
        }
        id
    }

    /// A finance commitment of `amount` against `allocation` to `payee`.
    fn commit_from(&mut self, allocation: u64, amount: u64, payee: &str) -> u64 {
        let call = FinanceCall::CommitFunds {
            allocation,
            amount,
            payee: Some(Holder::Company(payee.into())),
            reference: "PO 2027-3".into(),
        };
        match self.finance(SPENDER, call) {
            TxOutcome::Commitment { id } => id,
            other => panic!("a commitment: {other:?}"),
        }
    }

    /// A finance payment of `amount` from `commitment` to `payee`.
    fn pay_from(&mut self, commitment: u64, amount: u64, payee: &str) -> u64 {
        let call =
            FinanceCall::Pay { commitment, to: Holder::Company(payee.into()), amount, reference: "Invoice 7".into() };
        match self.finance(TREASURER, call) {
            TxOutcome::Payment { id } => id,
            other => panic!("a payment: {other:?}"),
        }
    }

    /// A company in the business register, registered at `registered_ms`, with `director`.
    fn register_company_at(&mut self, number: &str, name: &str, director: &str, registered_ms: u64) {
        self.register_company(number, name, &[(director, OfficerRole::Director)], false);
        let mut version = publica_registry::query::company(&self.state, &company(number)).expect("registered");
        version.value.registered_ms = registered_ms;
        version.time_ms = registered_ms;
        self.state.put(publica_registry::schema::version_key(Kind::Company, number, 1), to_vec(&version).unwrap());
    }

    fn chain(&self) -> publica_types::ChainId {
        self.ctx(addr(CHIEF)).chain_id
    }

    /// Sign lot 0's contract after the standstill and have the supplier's director countersign it.
    fn sign_and_countersign(&mut self, tender: u64, value: u64, amounts: &[u64], funds: u64, director: &str) -> u64 {
        let until = publica_procurement::award::current_award(&self.state, &self.tender(tender), 0)
            .unwrap()
            .standstill_until_ms;
        self.at(self.time_ms.max(until));
        let call = ProcurementCall::SignContract {
            tender,
            lot: 0,
            document: CONTRACT_DOCUMENT,
            value,
            milestones: stages(amounts),
            commitment: Some(funds),
        };
        let TxOutcome::Contract { id } = self.ok(BUYER, call) else { panic!("a contract") };
        self.ok(director, ProcurementCall::CountersignContract { contract: id, document: CONTRACT_DOCUMENT });
        id
    }

    /// Amend a contract to `value` and have the supplier's director countersign it.
    fn amend_contract(&mut self, contract: u64, value: u64, amounts: &[u64], funds: Option<u64>, director: &str) {
        let call = ProcurementCall::AmendContract {
            contract,
            document: AMENDED_DOCUMENT,
            value,
            milestones: stages(amounts),
            reason: "Drainage under the whole road, found rotten".into(),
            commitment: funds,
        };
        self.ok(BUYER, call);
        self.ok(director, ProcurementCall::CountersignContract { contract, document: AMENDED_DOCUMENT });
    }

    /// The flags of one tender.
    fn flags_of(&self, tender: u64) -> Vec<Flag> {
        let (flags, next) = red_flags(&self.state, 1, 100);
        assert_eq!(next, publica_procurement::query::tender_count(&self.state) + 1);
        flags.into_iter().filter(|f| f.tender == tender).collect()
    }

    fn flagged(&self, tender: u64, kind: FlagKind) -> Vec<Flag> {
        self.flags_of(tender).into_iter().filter(|f| f.kind == kind).collect()
    }
}

fn stages(amounts: &[u64]) -> Vec<MilestoneSpec> {
    amounts
        .iter()
        .enumerate()
        .map(|(i, &amount)| MilestoneSpec { title: format!("Stage {}", i + 1), amount, due_ms: START_MS + 120 * DAY })
        .collect()
}

/// Run scripts/ocds-validate.py on `package`: whether it is valid, and what the validator said. Fails (never
/// skips) when the validator is not installed.
fn validate(package: &Value, name: &str) -> (bool, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let file = std::env::temp_dir().join(format!("publica-ocds-{}-{name}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec_pretty(package).unwrap()).unwrap();
    let out = Command::new("python3").arg(root.join("scripts/ocds-validate.py")).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let out = out.unwrap_or_else(|e| {
        panic!("python3 is needed to validate OCDS exports ({e}); ./scripts/test.sh installs what is needed")
    });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_ne!(
        out.status.code(),
        Some(2),
        "the OCDS validator is not installed or the schema zip is missing: {text}\n\
         run python3 -m pip install 'libcoveocds==0.17.0' (the zip is ../shared/standards/ocds-standard-1__1__5-schema.zip)"
    );
    (out.status.success(), text)
}

/// A tender in euros run from publication to a paid milestone: amended once, questions answered, three bids
/// opened and scored, an award cancelled on an upheld complaint, a second award, its contract signed, countersigned
/// and amended, and a delivered milestone paid through the finance module. Returns the tender and the contract.
fn full_tender(w: &mut World) -> (u64, u64) {
    let allocation = w.euro_allocation();
    let mut spec = w.spec();
    spec.currency = EUR.into();
    spec.allocation = Some(allocation);
    let tender = w.publish_spec(BUYER, spec);
    w.ok(OUTSIDER, ProcurementCall::AskQuestion { tender, text: "Is night work allowed?".into() });
    w.ok(BUYER, ProcurementCall::AnswerQuestion { tender, question: 1, text: "Yes, from 22:00 to 05:00.".into() });
    w.at(w.time_ms + DAY);
    let changes = TenderChanges {
        description: Some("Resurfacing 4 km of the harbour road, with drainage and lighting.".into()),
        ..TenderChanges::default()
    };
    w.ok(BUYER, ProcurementCall::AmendTender { tender, changes, rationale: "Lighting added on request.".into() });
    w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
    w.submit(BERT, BITUMEN, tender, &[(0, 800_050)]);
    w.submit(CLEO, COBBLE, tender, &[(0, 950_000)]);
    w.open_all(tender);
    w.score_both(tender, 1, [90, 80]);
    w.score_both(tender, 2, [40, 50]);
    w.score_both(tender, 3, [60, 60]);
    w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
    w.at(w.time_ms + HOUR);
    let complaint = ProcurementCall::FileComplaint {
        tender,
        lot: 0,
        company: company(BITUMEN),
        text: "The technical scores were given before our offer was read.".into(),
    };
    w.ok(BERT, complaint);
    w.at(w.time_ms + DAY);
    let decide = ProcurementCall::DecideComplaint {
        tender,
        complaint: 1,
        upheld: true,
        cancel_award: true,
        reasoning: "The committee scored bid 1 before its opening was recorded.".into(),
    };
    w.ok(REVIEWER, decide);
    w.at(w.time_ms + HOUR);
    for member in EVALUATORS {
        w.ok(member, ProcurementCall::ScoreBid { tender, lot: 0, bid: 1, scores: vec![10] });
    }
    w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 2, reason: None });
    let funds = w.commit_from(allocation, 800_050, BITUMEN);
    let contract = w.sign_and_countersign(tender, 800_050, &[300_025, 500_025], funds, BERT);
    w.at(w.time_ms + DAY);
    let more = w.commit_from(allocation, 50_000, BITUMEN);
    w.amend_contract(contract, 850_050, &[300_025, 550_025], Some(more), BERT);
    w.at(w.time_ms + DAY);
    w.ok(BUYER, ProcurementCall::AcceptDelivery { contract, milestone: 0, note: "Drainage laid".into() });
    let payment = w.pay_from(funds, 300_025, BITUMEN);
    w.ok(BUYER, ProcurementCall::RecordPayment { contract, milestone: 0, payment });
    (tender, contract)
}

#[test]
fn a_whole_tender_exports_as_ocds_packages_that_the_standards_validator_accepts() {
    let mut w = World::new();
    let (tender, contract) = full_tender(&mut w);
    assert_eq!(
        schema::get::<publica_procurement::schema::Contract>(&w.state, &schema::contract_key(contract)).unwrap().status,
        ContractStatus::Active
    );
    let chain = w.chain();
    let package = ocds::release_package(&w.state, &chain, tender, &options()).expect("the tender exists");
    assert!(ocds::release_package(&w.state, &chain, tender + 1, &options()).is_none());
    let ocid = format!("ocds-pblc01-{chain}-{tender}");

    let releases = package["releases"].as_array().unwrap();
    let tags: Vec<&str> = releases.iter().map(|r| r["tag"][0].as_str().unwrap()).collect();
    assert_eq!(
        tags,
        [
            "tender",
            "tenderAmendment",
            "award",
            "awardCancellation",
            "award",
            "contract",
            "contractUpdate",
            "contractAmendment",
            "implementation",
            "implementation"
        ]
    );
    let mut ids: Vec<&str> = releases.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(releases.iter().all(|r| r["ocid"] == ocid.as_str()));
    assert_eq!(ids[0], format!("{ocid}-tender"));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), releases.len(), "release ids are unique");
    // The same ledger exports the same package.
    assert_eq!(ocds::release_package(&w.state, &chain, tender, &options()).unwrap(), package);

    // Amounts in major units, exactly: 800,050 cents are 8000.5 euros.
    let last = releases.last().unwrap();
    let c = &last["contracts"][0];
    assert_eq!(serde_json::to_string(&c["value"]).unwrap(), r#"{"amount":8500.5,"currency":"EUR"}"#);
    assert_eq!(c["implementation"]["transactions"][0]["value"]["amount"].to_string(), "3000.25");
    assert_eq!(c["implementation"]["milestones"][0]["status"], "met");
    assert_eq!(c["awardID"], "lot-0-round-2");
    assert_eq!(last["tender"]["value"].to_string(), r#"{"amount":10000,"currency":"EUR"}"#);
    assert_eq!(last["tender"]["items"][0]["classification"]["scheme"], "CPV");
    assert_eq!(last["tender"]["numberOfTenderers"], 3);
    assert_eq!(last["tender"]["documents"][0]["description"], format!("SHA-256 {}", "03".repeat(32)));
    // The first award is active in its own release and cancelled in the next.
    assert_eq!(releases[2]["awards"][0]["status"], "active");
    assert_eq!(releases[3]["awards"][0]["status"], "cancelled");
    assert_eq!(releases[3]["awards"][0]["value"]["amount"].to_string(), "9000");
    let roles = |release: &Value, party: &str| -> Vec<String> {
        let party = release["parties"].as_array().unwrap().iter().find(|p| p["id"] == party).unwrap().clone();
        serde_json::from_value(party["roles"].clone()).unwrap()
    };
    assert_eq!(roles(&releases[2], "company-NV-100001"), ["tenderer", "supplier"]);
    assert_eq!(roles(&releases[3], "company-NV-100001"), ["tenderer"]);
    assert_eq!(roles(last, "company-NV-100002"), ["tenderer", "supplier", "payee"]);

    let (valid, report) = validate(&package, "releases");
    assert!(valid, "the release package is not valid OCDS 1.1:\n{report}");
    println!("release package:\n{report}");

    let records = ocds::record_package(&w.state, &chain, tender, &options()).unwrap();
    let record = &records["records"][0];
    assert_eq!(record["releases"].as_array().unwrap().len(), releases.len());
    let compiled = &record["compiledRelease"];
    assert_eq!(compiled["tag"][0], "compiled");
    assert_eq!(compiled["tender"]["status"], "complete");
    let statuses: Vec<&str> =
        compiled["awards"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "active"], "awards merged by id, later values winning");
    assert_eq!(compiled["contracts"].as_array().unwrap().len(), 1);
    assert_eq!(compiled["contracts"][0]["status"], "active");
    assert_eq!(compiled["contracts"][0]["amendments"].as_array().unwrap().len(), 1);
    assert_eq!(compiled["tender"]["amendments"].as_array().unwrap().len(), 1);
    let (valid, report) = validate(&records, "records");
    assert!(valid, "the record package is not valid OCDS 1.1:\n{report}");
    println!("record package:\n{report}");

    // Broken copies are caught: a release without its ocid, an amount as a string, a currency outside ISO 4217.
    let mut broken = package.clone();
    broken["releases"][0].as_object_mut().unwrap().remove("ocid");
    let (valid, report) = validate(&broken, "no-ocid");
    assert!(!valid && report.contains("ocid"), "a release without an ocid passed:\n{report}");
    let mut broken = package.clone();
    broken["releases"][4]["awards"][1]["value"]["amount"] = Value::from("8000.50");
    let (valid, report) = validate(&broken, "string-amount");
    assert!(!valid && report.contains("amount"), "an amount as a string passed:\n{report}");
    let mut broken = records.clone();
    broken["records"][0]["compiledRelease"]["tender"]["value"]["currency"] = Value::from("NVK");
    let (valid, report) = validate(&broken, "currency");
    assert!(!valid && report.contains("NVK"), "a currency outside ISO 4217 passed:\n{report}");
}

/// A decimal text (as serde_json writes a number, possibly with an exponent) in canonical form: no exponent, no
/// leading zeros before the point, no trailing zeros after it, no point without a fraction.
fn canonical(text: &str) -> String {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let point = whole.len() as i32 + exponent;
    let (whole, fraction) = if point <= 0 {
        ("0".to_owned(), format!("{}{digits}", "0".repeat((-point) as usize)))
    } else if point as usize >= digits.len() {
        (format!("{digits}{}", "0".repeat(point as usize - digits.len())), String::new())
    } else {
        (digits[..point as usize].to_owned(), digits[point as usize..].to_owned())
    };
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// `minor` smallest units with `decimals` as an exact canonical decimal.
fn exact(minor: u128, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let fraction = format!("{:0>width$}", minor % scale, width = usize::from(decimals));
    canonical(&format!("{}.{fraction}", minor / scale))
}

#[test]
fn amounts_are_written_in_major_units_exactly() {
    let text = |minor: u128, decimals: u8| ocds::value(minor, EUR, decimals)["amount"].to_string();
    assert_eq!(text(900_000, 2), "9000");
    assert_eq!(text(800_050, 2), "8000.5");
    assert_eq!(text(1, 2), "0.01");
    assert_eq!(text(999_999_999_999_999, 2), "9999999999999.99");
    assert_eq!(text(u128::from(u64::MAX), 0), "18446744073709551615");
    assert_eq!(text(u128::from(u64::MAX) * 100, 2), "18446744073709551615");
    // Exact for every amount below 10^15 smallest units, with any number of decimals a currency has.
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..20_000 {
        let minor = u128::from(rng.gen_range(0..1_000_000_000_000_000u64) >> rng.gen_range(0..50));
        let decimals = rng.gen_range(0..=8u8);
        let value = ocds::value(minor, EUR, decimals);
        assert_eq!(canonical(&value["amount"].to_string()), exact(minor, decimals), "{minor} with {decimals} decimals");
        assert!(value.get("exactAmount").is_none());
    }
    // Beyond, the nearest number and the exact decimal beside it.
    let big = ocds::value(1_234_567_890_123_456_789, EUR, 2);
    assert_eq!(big["exactAmount"], "12345678901234567.89");
    assert_eq!(big["amount"].as_f64(), Some(12_345_678_901_234_567.89));
}

#[test]
fn a_lot_with_one_valid_bid_is_flagged_and_one_with_three_is_not() {
    let mut w = World::new();
    let single = w.publish();
    w.submit(ANNA, ASPHALT, single, &[(0, 900_000)]);
    w.open_all(single);
    let flags = w.flagged(single, FlagKind::SingleBidder);
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].lot, Some(0));
    let three = w.scored_tender();
    assert!(w.flagged(three, FlagKind::SingleBidder).is_empty());
    // Flags serialize with snake_case kinds.
    let json = serde_json::to_value(&flags[0]).unwrap();
    assert_eq!(json["kind"], "single_bidder");
    // Paging: nothing from an empty page, and the next tender to read.
    assert_eq!(red_flags(&w.state, 1, 0), (Vec::new(), 1));
    assert_eq!(red_flags(&w.state, 2, 1).1, 3);
}

#[test]
fn a_bid_window_under_fifteen_days_is_flagged() {
    let mut w = World::new();
    let short = w.publish();
    assert_eq!(w.flagged(short, FlagKind::ShortBidWindow).len(), 1, "the standard tender gives 10 days");
    let mut spec = w.spec();
    spec.timeline.bid_deadline_ms = w.time_ms + 15 * DAY;
    spec.timeline.opening_ms = w.time_ms + 15 * DAY + HOUR;
    let long = w.publish_spec(BUYER, spec);
    assert!(w.flagged(long, FlagKind::ShortBidWindow).is_empty());
}

#[test]
fn an_award_to_a_company_registered_late_is_flagged() {
    for registered_late in [true, false] {
        let mut w = World::new();
        let tender = w.publish();
        // After the publication, or 30 days before it (40 before the deadline).
        let registered_ms = if registered_late { w.time_ms + HOUR } else { w.time_ms - 30 * DAY };
        w.register_company_at(FRESH, "Quick Roads AB", OUTSIDER, registered_ms);
        w.submit(OUTSIDER, FRESH, tender, &[(0, 700_000)]);
        w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
        w.open_all(tender);
        w.score_both(tender, 1, [90, 90]);
        w.score_both(tender, 2, [50, 50]);
        w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
        let flags = w.flagged(tender, FlagKind::LateRegisteredWinner);
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert!(flags[0].detail.contains(FRESH), "{}", flags[0].detail);
    }
    // A winner registered 400 days before the tender is not flagged.
    let mut w = World::new();
    let tender = w.scored_tender();
    w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
    assert!(w.flagged(tender, FlagKind::LateRegisteredWinner).is_empty());
}

#[test]
fn a_contract_above_120_percent_of_the_estimate_is_flagged() {
    for (value, flagged) in [(1_300_000, true), (1_100_000, false)] {
        let mut w = World::new();
        let tender = w.scored_tender();
        w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
        let allocation = w.allocation;
        let funds = w.commit_from(allocation, 900_000, ASPHALT);
        let contract = w.sign_and_countersign(tender, 900_000, &[400_000, 500_000], funds, ANNA);
        assert!(w.flagged(tender, FlagKind::ContractAboveEstimate).is_empty());
        let more = w.commit_from(allocation, value - 900_000, ASPHALT);
        w.amend_contract(contract, value, &[400_000, value - 400_000], Some(more), ANNA);
        let flags = w.flagged(tender, FlagKind::ContractAboveEstimate);
        assert_eq!(flags.len(), usize::from(flagged), "{value}: {flags:?}");
        // One amendment is not many.
        assert!(w.flagged(tender, FlagKind::ManyAmendments).is_empty());
    }
}

#[test]
fn three_amendments_are_flagged_and_two_are_not() {
    let mut w = World::new();
    let tender = w.publish();
    for n in 1..=3 {
        let changes =
            TenderChanges { description: Some(format!("Version {n} of the description.")), ..TenderChanges::default() };
        w.ok(BUYER, ProcurementCall::AmendTender { tender, changes, rationale: format!("Clarification {n}.") });
        let flags = w.flagged(tender, FlagKind::ManyAmendments);
        assert_eq!(flags.len(), usize::from(n == 3), "after {n} amendments: {flags:?}");
    }
}

#[test]
fn an_award_departing_from_the_ranking_is_flagged_with_its_reason() {
    let mut w = World::new();
    let departs = w.scored_tender();
    let reason = "Asphalt's plant is under a court's closure order since the opening (case 2026:12).";
    w.ok(BUYER, ProcurementCall::AwardLot { tender: departs, lot: 0, bid: 2, reason: Some(reason.into()) });
    let flags = w.flagged(departs, FlagKind::AwardDepartsFromRanking);
    assert_eq!(flags.len(), 1);
    assert!(flags[0].detail.contains(reason));
    let follows = w.scored_tender();
    w.ok(BUYER, ProcurementCall::AwardLot { tender: follows, lot: 0, bid: 1, reason: None });
    assert!(w.flagged(follows, FlagKind::AwardDepartsFromRanking).is_empty());
}
