//! The demo's public procurement in the town of Nordvik, made by ordinary transactions and the procurement kit
//! (`publica_client::procurement`), as the people involved would run it on their own machines:
//!
//! - the Nordvik Procurement Agency's chief starts a key ceremony among three key holders of three bodies (the
//!   agency, the audit office, the integrity office; any 2 of 3 open bids); each holder's key file is written to
//!   `<home>/keys/bid-key-holder-<j>.json`, encrypted with the demo passphrase; they register, deal, check their
//!   shares, and the key is finished after its (short) complaint deadline;
//! - the Building Authority's buyer publishes the harbour road repair tender (one lot, price weighted 700 and the
//!   technical method 300), a bidder's question is answered, and three road builders submit sealed bids.
//!
//! A second tender, the library roof's, stays open for thirty days with one sealed bid.
//!
//! The road tender's bids open two minutes after seeding: the user opens them with two holders' key files, the committee
//! scores, the buyer awards, and after the one-minute standstill signs the contract, which the supplier countersigns
//! (the README's walkthrough). The tender is in euros, an ISO 4217 currency, so that its OCDS export validates.
//!
//! Seeding is resumable at the level of the whole: it runs only when no sealing key exists yet.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use publica_client::procurement::{seal_bid, KeyHolder};
use publica_node::NodeHandle;
use publica_procurement::call::{
    BidContent, Category, Criterion, CriterionKind, Document, Item, Lot, LotPrice, ProcurementCall, TenderSpec,
    Timeline,
};
use publica_procurement::schema::{self, SealingKey};
use publica_types::{AgencyId, TxId};

use super::{demo_key, DemoSigners, DEV_PASSPHRASE};
use crate::genesis::demo_kdf;
use crate::node::wait_committed;

/// The procurement agency: starts key ceremonies, and holds a share of the bid key.
pub const AGENCY: &str = "nordvik-procurement-agency";
/// The integrity office: holds a share of the bid key.
pub const INTEGRITY_OFFICE: &str = "nordvik-integrity-office";
/// The review board: decides complaints.
pub const REVIEW_BOARD: &str = "procurement-review-board";
/// The agency that buys the road repair.
pub const BUYER_AGENCY: &str = "building-authority";

/// The procurement agency's chief, who starts the key ceremony.
pub const CHIEF: &str = "procurement-chief";
/// The key holders, in order (holder 1 first): officials of three bodies.
pub const HOLDERS: [&str; 3] = ["bid-key-agency", "bid-key-audit", "bid-key-integrity"];
/// The building authority's buyer (`procuring-entity`).
pub const BUYER: &str = "roads-buyer";
/// The evaluation committee.
pub const EVALUATORS: [&str; 2] = ["road-evaluator-1", "road-evaluator-2"];
/// The review board's member.
pub const REVIEWER: &str = "review-member";

/// The bidders: company name, its director (a demo citizen's key name), its price in euros, its summary.
pub const BIDDERS: [(&str, &str, u64, &str); 3] = [
    ("Nordvik Asphalt AB", "citizen-fabian", 1_180_000, "Hot-mix asphalt, night work, 10-year warranty."),
    ("Fjord Roadworks AB", "citizen-greta", 1_090_000, "Cold recycling of the old surface, day work."),
    ("Kustvagen Construction AB", "citizen-hamid", 1_250_000, "Full reconstruction of the road base."),
];
/// How many holders open a bid.
const THRESHOLD: u16 = 2;
/// The key ceremony's deadlines after its start, seconds: registration, dealing, complaints.
const CEREMONY_SECS: (u64, u64, u64) = (8, 16, 20);
/// When the tender's bids open, after seeding.
pub const OPENING_AFTER_MS: u64 = 2 * 60_000;
/// The standstill after an award.
pub const STANDSTILL_MS: u64 = 60_000;
/// The first tender's title.
pub const TITLE: &str = "Harbour road repair";
/// The second tender's title: its bids open in thirty days.
pub const LIBRARY_TITLE: &str = "Library roof renewal";
/// A day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

/// The key file of holder `j` (from 1).
pub fn holder_key_path(keys: &Path, j: usize) -> std::path::PathBuf {
    keys.join(format!("bid-key-holder-{j}.json"))
}

fn agency(id: &str) -> AgencyId {
    id.parse().expect("a demo agency id")
}

/// Seed the demo's procurement; returns how many transactions it committed (0 when it was seeded before, or when
/// the home's genesis predates the procurement roles).
pub(crate) fn seed(node: &NodeHandle, home: &Path, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    let ready = publica_accounts::agency(&view, &agency(INTEGRITY_OFFICE)).is_some()
        && publica_accounts::account(&view, &demo_key(CHIEF).public_key().address()).is_some();
    if !ready || publica_procurement::query::sealing_key_count(&view) > 0 {
        return Ok(0);
    }
    let mut companies = Vec::new();
    for (name, ..) in BIDDERS {
        let number = publica_registry::query::company_by_name(&view, name)
            .map_err(anyhow::Error::msg)?
            .with_context(|| format!("the demo company {name} is not registered"))?;
        companies.push(number);
    }
    let mut count = 0;
    let mut phase = |signers: &mut DemoSigners<'_>, calls: Vec<(&str, ProcurementCall)>| -> Result<Vec<TxId>> {
        let ids = calls.into_iter().map(|(sender, call)| signers.send(sender, call)).collect::<Result<Vec<_>>>()?;
        wait_committed(node, &ids, Duration::from_secs(60))?;
        count += ids.len();
        Ok(ids)
    };

    // The key ceremony.
    let start = publica_client::now_ms();
    let holders: Vec<_> = HOLDERS.iter().map(|h| demo_key(h).public_key().address()).collect();
    phase(
        signers,
        vec![(
            CHIEF,
            ProcurementCall::CreateSealingKey {
                name: "Nordvik bid key".into(),
                holders: holders.clone(),
                threshold: THRESHOLD,
                register_by_ms: start + CEREMONY_SECS.0 * 1000,
                deal_by_ms: start + CEREMONY_SECS.1 * 1000,
                complaints_by_ms: start + CEREMONY_SECS.2 * 1000,
            },
        )],
    )?;
    let key_id = 1;
    let chain = node.chain_id().clone();
    let keys = home.join("keys");
    let mut kits = Vec::new();
    for (j, account) in holders.iter().enumerate() {
        let kit = KeyHolder::generate(&chain, key_id, j as u16 + 1, *account, DEV_PASSPHRASE.as_bytes(), demo_kdf())?;
        kit.key_file()?.save(&holder_key_path(&keys, j + 1))?;
        kits.push(kit);
    }
    phase(signers, kits.iter().zip(HOLDERS).map(|(kit, h)| Ok((h, kit.registration()?))).collect::<Result<_>>()?)?;
    let record = sealing_key(node, key_id)?;
    phase(signers, kits.iter().zip(HOLDERS).map(|(kit, h)| Ok((h, kit.deal(&record)?))).collect::<Result<_>>()?)?;
    let record = sealing_key(node, key_id)?;
    let deals = deals(node, &record);
    for kit in &kits {
        if !kit.check_deals(&deals)?.is_empty() {
            bail!("a demo key holder's share from another holder is bad");
        }
    }
    // Past the complaint deadline, anyone finishes the key; each holder takes its share into its key file.
    let now = publica_client::now_ms();
    if record.complaints_by_ms >= now {
        std::thread::sleep(Duration::from_millis(record.complaints_by_ms - now + 1_500));
    }
    phase(signers, vec![(CHIEF, ProcurementCall::FinishSealingKey { key: key_id })])?;
    let record = sealing_key(node, key_id)?;
    for (j, kit) in kits.iter_mut().enumerate() {
        kit.take_share(&record, &deals)?;
        kit.key_file()?.save(&holder_key_path(&keys, j + 1))?;
    }

    // The tender, a question answered, and three sealed bids.
    let now = publica_client::now_ms();
    let spec = TenderSpec {
        title: TITLE.into(),
        description: "Resurfacing of the harbour road (4 km) with its drainage, between the ferry terminal and the \
                      boardwalk, in one lot."
            .into(),
        category: Category::Works,
        currency: "EUR".into(),
        items: vec![
            Item {
                description: "Road resurfacing".into(),
                cpv: "45233141-9".into(),
                quantity: 4,
                unit: "km".into(),
                lot: 0,
            },
            Item {
                description: "Drainage works".into(),
                cpv: "45232452-5".into(),
                quantity: 4,
                unit: "km".into(),
                lot: 0,
            },
        ],
        lots: vec![Lot { title: "Harbour road, km 0-4".into(), value: 1_200_000 }],
        criteria: vec![
            Criterion { name: "Price".into(), weight: 700, kind: CriterionKind::Price },
            Criterion { name: "Technical method and schedule".into(), weight: 300, kind: CriterionKind::Quality },
        ],
        documents: vec![Document {
            title: "Tender specification".into(),
            sha256: publica_crypto::sha256(b"Nordvik harbour road repair: tender specification, version 1"),
            url: "https://building.nordvik.example/tenders/harbour-road.pdf".into(),
        }],
        timeline: Timeline {
            clarifications_until_ms: now + OPENING_AFTER_MS - 30_000,
            bid_deadline_ms: now + OPENING_AFTER_MS - 10_000,
            opening_ms: now + OPENING_AFTER_MS,
            standstill_ms: STANDSTILL_MS,
        },
        sealing_key: key_id,
        evaluators: EVALUATORS.iter().map(|e| demo_key(e).public_key().address()).collect(),
        allocation: None,
    };
    phase(signers, vec![(BUYER, ProcurementCall::PublishTender { tender: spec })])?;
    let tender = 1;
    phase(
        signers,
        vec![(
            BIDDERS[0].1,
            ProcurementCall::AskQuestion {
                tender,
                text: "May the work be done at night to keep the ferry traffic?".into(),
            },
        )],
    )?;
    let mut calls = vec![(
        BUYER,
        ProcurementCall::AnswerQuestion {
            tender,
            question: 1,
            text: "Yes, from 22:00 to 06:00; the ferry terminal's access must stay open.".into(),
        },
    )];
    for ((name, director, price, summary), company) in BIDDERS.iter().zip(&companies) {
        let content = BidContent {
            prices: vec![LotPrice { lot: 0, price: *price }],
            documents: vec![Document {
                title: "Technical offer".into(),
                sha256: publica_crypto::sha256(format!("{name}: technical offer").as_bytes()),
                url: String::new(),
            }],
            summary: (*summary).into(),
        };
        let sealed = seal_bid(&chain, &record, tender, company, &content)?;
        calls.push((*director, ProcurementCall::SubmitBid { tender, company: company.clone(), sealed }));
    }
    phase(signers, calls)?;

    // A second tender, open for thirty days, with one sealed bid: its bids cannot be opened for a month.
    let now = publica_client::now_ms();
    let library = TenderSpec {
        title: LIBRARY_TITLE.into(),
        description: "Renewal of the town library's roof (1,200 square metres), with insulation.".into(),
        category: Category::Works,
        currency: "EUR".into(),
        items: vec![Item {
            description: "Roof renewal".into(),
            cpv: "45261900-3".into(),
            quantity: 1_200,
            unit: "m2".into(),
            lot: 0,
        }],
        lots: vec![Lot { title: "Library roof".into(), value: 450_000 }],
        criteria: vec![Criterion { name: "Price".into(), weight: 1_000, kind: CriterionKind::Price }],
        documents: Vec::new(),
        timeline: Timeline {
            clarifications_until_ms: now + 20 * DAY_MS,
            bid_deadline_ms: now + 30 * DAY_MS,
            opening_ms: now + 30 * DAY_MS + 3_600_000,
            standstill_ms: 10 * DAY_MS,
        },
        sealing_key: key_id,
        evaluators: EVALUATORS.iter().map(|e| demo_key(e).public_key().address()).collect(),
        allocation: None,
    };
    phase(signers, vec![(BUYER, ProcurementCall::PublishTender { tender: library })])?;
    let content = BidContent {
        prices: vec![LotPrice { lot: 0, price: 430_000 }],
        documents: Vec::new(),
        summary: "Standing-seam steel roof on new insulation.".into(),
    };
    let sealed = seal_bid(&chain, &record, 2, &companies[0], &content)?;
    phase(
        signers,
        vec![(BIDDERS[0].1, ProcurementCall::SubmitBid { tender: 2, company: companies[0].clone(), sealed })],
    )?;
    Ok(count)
}

fn sealing_key(node: &NodeHandle, id: u64) -> Result<SealingKey> {
    schema::get(&node.live_state(), &schema::sealing_key_key(id)).with_context(|| format!("sealing key {id}"))
}

fn deals(node: &NodeHandle, record: &SealingKey) -> Vec<(u16, publica_crypto::threshold::Deal)> {
    let view = node.live_state();
    (1..=record.holders.len() as u16)
        .filter_map(|i| schema::get(&view, &schema::deal_key(record.id, i)).map(|d| (i, d)))
        .collect()
}

/// The guide's procurement lines.
pub(crate) fn print_guide(home: &Path, keys: &Path, api: std::net::SocketAddr) {
    let pass = format!("--passphrase-file {}/dev-passphrase", home.display());
    println!();
    println!("Public procurement (the harbour road repair: three sealed bids, which open two minutes after start):");
    println!("  publica procurement show 1 --api http://{api}");
    println!("  publica procurement bids 1 --api http://{api}   (sealed: nobody can read them before the opening)");
    println!(
        "  publica procurement open 1 --wait --key {}/{}.json --holder-key {} {pass} --api http://{api}",
        keys.display(),
        HOLDERS[0],
        holder_key_path(keys, 1).display()
    );
    println!("  publica procurement ocds 1 --out harbour-road.ocds.json --api http://{api}");
}
