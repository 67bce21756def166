//! The procurement routes (`/v1/procurement/…`): a sealing key made by its two holders' ceremony, two companies
//! registered in the business register, a tender of two lots with a question, two sealed bids opened by the
//! holders' decryption shares, scores, awards, a complaint, and a contract countersigned and amended, all made by
//! signed transactions on the test node; each route's answer decoded, verified offline, checked against the OpenAPI
//! document and against what was sent; and every bad input refused with its code.
//!
//! Block times are the wall clock's, so the test waits for the ceremony's and the tender's deadlines (a few seconds)
//! and for the award's standstill, which the module keeps at least a minute, before the contract is signed.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use publica_client::api::{
    BidsResponse, ComplaintsResponse, ContractResponse, LotResponse, QuestionsResponse, SealingKeyResponse,
    TenderResponse, TendersResponse, MAX_PROCUREMENT_PAGE,
};
use publica_crypto::threshold::{self, DecryptionShare, EncryptionSecret, Point, SecretScalar};
use publica_node::shared::now_ms;
use publica_node::TxStatus;
use publica_procurement::call::{
    bid_aad, key_context, BidContent, BidShare, Category, Criterion, CriterionKind, Document, Item, Lot, LotPrice,
    MilestoneSpec, ProcurementCall, TenderSpec, Timeline, MIN_STANDSTILL_MS,
};
use publica_procurement::query::TenderStatus;
use publica_procurement::schema::{self, ContractStatus, KeyStage, Opening};
use publica_registry::call::{ApplicationAction, CompanyDetails, LegalForm, Officer, OfficerRole, Party, RegistryCall};
use publica_tx::{AccountsCall, Call};
use publica_types::{Address, Keypair, RecordId, Role, TxId};
use publica_verify::{verify_document, VerifiedSets};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::document::assert_documented;
use crate::{agency, key, TestNet};

// --- Answers checked against the document -----------------------------------------------------------------------

/// A 200 answer, verified offline, checked against the document, decoded into `T` and encoded again to the very
/// JSON served.
async fn get<T: DeserializeOwned + Serialize>(net: &TestNet, uri: &str, template: &str) -> T {
    let reply = net.get(uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    verify_document(&reply.bytes, &VerifiedSets::genesis_only(net.node.genesis()))
        .unwrap_or_else(|e| panic!("{uri}: the answer does not verify offline: {e}"));
    assert_documented("get", template, &reply);
    let decoded: T = serde_json::from_slice(&reply.bytes).unwrap_or_else(|e| panic!("{uri}: {e}"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), reply.json(), "{uri}: the client type loses nothing");
    decoded
}

/// Assert a refusal of `uri` with `status` and `code`, documented for the route; its message.
async fn refused(net: &TestNet, uri: &str, template: &str, status: StatusCode, code: &str) -> String {
    let reply = net.get(uri).await;
    let json = reply.json();
    assert_eq!((reply.status, json["error"]["code"].as_str()), (status, Some(code)), "{uri}: {json}");
    let number = publica_execution::error_codes().into_iter().find(|c| c.as_str() == code).unwrap().number();
    assert_eq!(json["error"]["number"], number, "{json}");
    assert_documented("get", template, &reply);
    json["error"]["message"].as_str().unwrap().to_owned()
}

// --- The world ---------------------------------------------------------------------------------------------------

/// Signs and sends transactions, each sender's nonces in order, and commits blocks.
struct Ledger {
    net: TestNet,
    nonces: HashMap<Address, u64>,
    sent: Vec<TxId>,
}

impl Ledger {
    fn send(&mut self, sender: &Keypair, call: Call) {
        let nonce = self.nonces.entry(sender.address()).or_insert(0);
        let tx = self.net.body(sender, *nonce, call).sign(sender);
        *nonce += 1;
        let id = self.net.node.submit(&tx.encode()).unwrap_or_else(|e| {
            panic!("refused at admission: {} {}", e.code.as_str(), e.message);
        });
        self.sent.push(id);
    }

    fn procurement(&mut self, sender: &Keypair, call: ProcurementCall) {
        self.send(sender, Call::Procurement(call));
    }

    /// Commit a block and check that every transaction sent went into it; the block's time.
    fn commit(&mut self) -> u64 {
        let block = self.net.commit_block();
        for id in self.sent.drain(..) {
            let status = self.net.node.tx_status(&id);
            assert!(matches!(status, TxStatus::Committed { .. }), "{id}: {status:?}");
        }
        block.header.time_ms
    }
}

/// Wait until the wall clock passes `time_ms`.
async fn wait_until(time_ms: u64) {
    let now = now_ms();
    if now <= time_ms {
        tokio::time::sleep(Duration::from_millis(time_ms - now + 20)).await;
    }
}

fn official(k: &Keypair, roles: &[&str]) -> Call {
    Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: k.public_key().clone(),
        agency: agency(),
        roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
    })
}

fn company_details(name: &str, director: &Keypair) -> CompanyDetails {
    CompanyDetails {
        name: name.into(),
        legal_form: LegalForm::GeneralPartnership,
        registered_address: "Harbour Street 1, Nordvik".into(),
        officers: vec![Officer { account: director.address(), role: OfficerRole::Director }],
        shareholders: Vec::new(),
        beneficial_owners: Vec::new(),
    }
}

fn content(prices: [u64; 2]) -> BidContent {
    BidContent {
        prices: prices.iter().enumerate().map(|(lot, &price)| LotPrice { lot: lot as u16, price }).collect(),
        documents: vec![Document { title: "Technical offer".into(), sha256: [5; 32], url: String::new() }],
        summary: "Resurfacing with recycled asphalt.".into(),
    }
}

/// Who is who, and what was made.
struct World {
    ledger: Ledger,
    /// The procuring entity's official.
    entity: Keypair,
    /// The two companies' directors.
    directors: [Keypair; 2],
    /// The two companies' numbers.
    companies: [RecordId; 2],
    /// Each lot's winning bid.
    winners: [u32; 2],
    /// The company (its index in `companies`) of bids 1 and 2.
    bidders: [usize; 2],
    /// When the awards were made: the contract waits for the end of the standstill.
    award_ms: u64,
}

/// The key ceremony and the companies, then the tender: published, a question asked and answered, two bids sealed
/// and opened, scored, both lots awarded, a complaint filed about lot 1.
async fn world() -> World {
    let net = TestNet::new();
    let mut l = Ledger { net, nonces: HashMap::new(), sent: Vec::new() };
    let mut rng = StdRng::seed_from_u64(11);
    let (authority, holder, entity, evaluator, clerk) = (key(80), key(81), key(82), key(83), key(84));
    let directors = [key(85), key(86)];
    let admin = key(1);

    l.send(&admin, official(&authority, &["procurement-authority", "key-holder"]));
    l.send(&admin, official(&holder, &["key-holder"]));
    l.send(&admin, official(&entity, &["procuring-entity"]));
    l.send(&admin, official(&evaluator, &["evaluator"]));
    l.send(&admin, official(&clerk, &["citizen-registrar", "company-registrar"]));
    l.commit();

    // The ceremony among the two holders, each opening with both; the directors become citizens.
    for (n, d) in directors.iter().enumerate() {
        let call = AccountsCall::RegisterCitizen { public_key: d.public_key().clone(), id_commitment: [n as u8; 32] };
        l.send(&clerk, Call::Accounts(call));
    }
    let now = now_ms();
    let holders = [&authority, &holder];
    let ceremony = ProcurementCall::CreateSealingKey {
        name: "Nordvik bids".into(),
        holders: holders.iter().map(|k| k.address()).collect(),
        threshold: 2,
        register_by_ms: now + 2_000,
        deal_by_ms: now + 4_000,
        complaints_by_ms: now + 4_500,
    };
    l.procurement(&authority, ceremony);
    l.commit();
    let context = key_context(&l.net.chain_id, 1);
    let secrets: Vec<EncryptionSecret> = holders.iter().map(|_| EncryptionSecret::generate(&mut rng)).collect();
    for (j, (k, secret)) in holders.iter().zip(&secrets).enumerate() {
        let proof = threshold::prove_encryption_key(secret, &context, j as u16 + 1, &mut rng).unwrap();
        l.procurement(k, ProcurementCall::RegisterHolderKey { key: 1, encryption_key: secret.public(), proof });
    }
    let names = ["Nordvik Asphalt", "Bitumen Works"];
    for (d, name) in directors.iter().zip(names) {
        let action = ApplicationAction::RegisterCompany { company: company_details(name, d) };
        l.send(d, Call::Registry(RegistryCall::OpenApplication { action, deadline_ms: now + 3_600_000 }));
    }
    l.commit();
    let recipients: Vec<Point> = secrets.iter().map(EncryptionSecret::public).collect();
    for (j, k) in holders.iter().enumerate() {
        let deal = threshold::Deal::make(&mut rng, &context, j as u16 + 1, 2, &recipients).unwrap();
        l.procurement(k, ProcurementCall::DealShares { key: 1, deal });
    }
    for (n, d) in directors.iter().enumerate() {
        let call = RegistryCall::Approve { application: n as u64 + 1, party: Party::Account(d.address()) };
        l.send(d, Call::Registry(call));
    }
    l.commit();
    for application in [1, 2] {
        let party = Party::Role(Role::new("company-registrar").unwrap());
        l.send(&clerk, Call::Registry(RegistryCall::Approve { application, party }));
    }
    l.commit();
    let companies = names.map(|name| {
        l.net.node.view(|s| publica_registry::query::company_by_name(s, name)).unwrap().expect("registered")
    });
    wait_until(now + 4_500).await;
    l.procurement(&entity, ProcurementCall::FinishSealingKey { key: 1 });
    l.commit();
    let (public_key, verification_keys, shares) = l.net.node.view(|s| {
        let key: schema::SealingKey = schema::get(s, &schema::sealing_key_key(1)).unwrap();
        let KeyStage::Ready { public_key, verification_keys, qualified } = key.stage else { panic!("ready") };
        let deals: Vec<(u16, threshold::Deal)> =
            qualified.iter().map(|&i| (i, schema::get(s, &schema::deal_key(1, i)).unwrap())).collect();
        let refs: Vec<(u16, &threshold::Deal)> = deals.iter().map(|(i, d)| (*i, d)).collect();
        let shares: Vec<SecretScalar> =
            (0..2).map(|j| threshold::secret_share(&refs, &context, j as u16 + 1, &secrets[j]).unwrap()).collect();
        (public_key, verification_keys, shares)
    });

    // The tender: two lots, price and quality, questions for 2 s, bids for 4 s.
    let now = now_ms();
    let spec = TenderSpec {
        title: "Repair of the harbour road".into(),
        description: "Resurfacing 4 km of the harbour road, with drainage.".into(),
        category: Category::Works,
        currency: "EUR".into(),
        items: vec![
            Item {
                description: "Resurfacing".into(),
                cpv: "45233141-9".into(),
                quantity: 4,
                unit: "km".into(),
                lot: 0,
            },
            Item { description: "Drainage".into(), cpv: "45232452-5".into(), quantity: 2, unit: "km".into(), lot: 1 },
        ],
        lots: vec![Lot { title: "Surface".into(), value: 1_000_000 }, Lot { title: "Drainage".into(), value: 500_000 }],
        criteria: vec![
            Criterion { name: "Price".into(), weight: 600, kind: CriterionKind::Price },
            Criterion { name: "Technical merit".into(), weight: 400, kind: CriterionKind::Quality },
        ],
        documents: vec![Document { title: "Specification".into(), sha256: [3; 32], url: String::new() }],
        timeline: Timeline {
            clarifications_until_ms: now + 2_000,
            bid_deadline_ms: now + 4_000,
            opening_ms: now + 4_000,
            standstill_ms: MIN_STANDSTILL_MS,
        },
        sealing_key: 1,
        evaluators: vec![evaluator.address()],
        allocation: None,
    };
    l.procurement(&entity, ProcurementCall::PublishTender { tender: spec });
    l.commit();
    l.procurement(&directors[0], ProcurementCall::AskQuestion { tender: 1, text: "Is night work allowed?".into() });
    for ((d, company), prices) in directors.iter().zip(&companies).zip([[900_000, 480_000], [800_000, 450_000]]) {
        let plaintext = publica_types::encode(&content(prices));
        let sealed =
            threshold::seal(&mut rng, &public_key, &context, &bid_aad(1, company), &plaintext).expect("sealed");
        l.procurement(d, ProcurementCall::SubmitBid { tender: 1, company: company.clone(), sealed });
    }
    l.commit();
    let answer = ProcurementCall::AnswerQuestion { tender: 1, question: 1, text: "Yes, from 22:00.".into() };
    l.procurement(&entity, answer);
    l.commit();

    // The opening: both holders' shares open both bids.
    wait_until(now + 4_000).await;
    let ephemerals: Vec<Point> = (1..=2)
        .map(|n| l.net.node.view(|s| schema::get::<schema::Bid>(s, &schema::bid_key(1, n)).unwrap().ephemeral))
        .collect();
    for (j, k) in holders.iter().enumerate() {
        let shares: Vec<BidShare> = ephemerals
            .iter()
            .enumerate()
            .map(|(i, ephemeral)| BidShare {
                bid: i as u32 + 1,
                share: DecryptionShare::make(&shares[j], &verification_keys[j], ephemeral, &context, &mut rng).unwrap(),
            })
            .collect();
        l.procurement(k, ProcurementCall::PublishShares { tender: 1, shares });
    }
    l.commit();
    for lot in 0..2 {
        for (bid, score) in [(1, 90), (2, 40)] {
            l.procurement(&evaluator, ProcurementCall::ScoreBid { tender: 1, lot, bid, scores: vec![score] });
        }
    }
    l.commit();

    // Each lot goes to its best-ranked bid, as the lot's answer shows it.
    let mut winners = [0; 2];
    for lot in 0..2u16 {
        let uri = format!("/v1/procurement/tenders/1/lots/{lot}");
        let answer: LotResponse = get(&l.net, &uri, "/v1/procurement/tenders/{id}/lots/{index}").await;
        let ranking = answer.ranking.unwrap_or_else(|| panic!("a ranking: {:?}", answer.ranking_missing));
        assert_eq!(ranking.len(), 2);
        winners[usize::from(lot)] = ranking[0].bid;
        l.procurement(&entity, ProcurementCall::AwardLot { tender: 1, lot, bid: ranking[0].bid, reason: None });
    }
    let award_ms = l.commit();
    // Bids are numbered in the order the block took them: find each bid's company.
    let bidders: [usize; 2] = [1, 2].map(|n| {
        let bid = l.net.node.view(|s| schema::get::<schema::Bid>(s, &schema::bid_key(1, n)).unwrap());
        companies.iter().position(|c| *c == bid.company).expect("a bidder")
    });
    let loser = bidders[if winners[1] == 1 { 1 } else { 0 }];
    let complaint = ProcurementCall::FileComplaint {
        tender: 1,
        lot: 1,
        company: companies[loser].clone(),
        text: "The technical scores ignore our drainage warranty.".into(),
    };
    l.procurement(&directors[loser], complaint);
    l.commit();
    World { ledger: l, entity, directors, companies, winners, bidders, award_ms }
}

// --- The routes --------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_tender_through_the_ledger_is_served_with_proofs_that_verify() {
    let mut w = world().await;
    let net = &w.ledger.net;

    // The sealing key, ready, with its two holders' verification keys.
    let k: SealingKeyResponse = get(net, "/v1/procurement/keys/1", "/v1/procurement/keys/{id}").await;
    assert_eq!((k.key.id, k.key.threshold, k.key.holders.len()), (1, 2, 2));
    let KeyStage::Ready { verification_keys, qualified, .. } = &k.key.stage else { panic!("{:?}", k.key.stage) };
    assert_eq!((verification_keys.len(), qualified.as_slice()), (2, &[1, 2][..]));
    assert_eq!(k.proofs.len(), 1);
    assert_eq!(k.proofs[0].key, schema::sealing_key_key(1));

    // The tenders, with the status at the certified block's time.
    let list: TendersResponse = get(net, "/v1/procurement/tenders", "/v1/procurement/tenders").await;
    assert_eq!((list.count, list.next, list.tenders.len()), (1, None, 1));
    assert_eq!(list.at_ms, list.certified.header.time_ms);
    let summary = &list.tenders[0];
    assert_eq!((summary.id, summary.status, summary.value), (1, TenderStatus::Awarded, Some(1_500_000)));
    assert_eq!((summary.bids, summary.opened, summary.questions, summary.complaints), (2, 2, 1, 1));
    assert_eq!((summary.entity.clone(), summary.lots), (agency(), 2));
    assert_eq!(list.proofs[0].key, schema::next_key("t"));
    assert_eq!(list.proofs[1].key, schema::tender_key(1));
    let past: TendersResponse = get(net, "/v1/procurement/tenders?from=2&limit=5", "/v1/procurement/tenders").await;
    assert!(past.tenders.is_empty() && past.next.is_none() && past.count == 1, "a page past the end is empty");

    // The tender, its lots and their standing awards.
    let t: TenderResponse = get(net, "/v1/procurement/tenders/1", "/v1/procurement/tenders/{id}").await;
    assert_eq!((t.status, t.at_ms, t.amendments.len()), (TenderStatus::Awarded, t.certified.header.time_ms, 0));
    assert_eq!(t.tender.spec.title, "Repair of the harbour road");
    assert_eq!(t.lots.len(), 2);
    for (lot, summary) in t.lots.iter().enumerate() {
        let award = summary.award.as_ref().expect("a standing award");
        assert_eq!((award.bid, award.round, award.departs_from_ranking), (w.winners[lot], 1, false));
        assert_eq!(award.standstill_until_ms, w.award_ms + MIN_STANDSTILL_MS);
    }
    assert_eq!(t.lots[1].state.pending_complaints, 1);
    let keys: Vec<Vec<u8>> = t.proofs.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, [schema::tender_key(1), schema::award_key(1, 0, 1), schema::award_key(1, 1, 1)]);

    // The question and its answer.
    let template = "/v1/procurement/tenders/{id}/questions";
    let q: QuestionsResponse = get(net, "/v1/procurement/tenders/1/questions", template).await;
    assert_eq!((q.tender, q.count, q.next, q.questions.len()), (1, 1, None, 1));
    assert_eq!(q.questions[0].asked_by, w.directors[0].address());
    assert_eq!(q.questions[0].answer.as_ref().map(|a| a.text.as_str()), Some("Yes, from 22:00."));

    // The bids, page by page: the sealed box by its hash, which the proven record's box has.
    let template = "/v1/procurement/tenders/{id}/bids";
    let first: BidsResponse = get(net, "/v1/procurement/tenders/1/bids?limit=1", template).await;
    assert_eq!((first.count, first.next, first.bids.len()), (2, Some(2), 1));
    let second: BidsResponse = get(net, "/v1/procurement/tenders/1/bids?from=2&limit=1", template).await;
    assert_eq!((second.next, second.bids[0].number), (None, 2));
    let all: BidsResponse = get(net, "/v1/procurement/tenders/1/bids", template).await;
    assert_eq!(all.bids, [first.bids[0].clone(), second.bids[0].clone()]);
    for (bid, proof) in all.bids.iter().zip(&all.proofs[1..]) {
        let record: schema::Bid =
            publica_types::decode_canonical("bid", proof.value.as_ref().unwrap(), 1 << 20).unwrap();
        assert_eq!((bid.sealed_sha256, u64::from(record.sealed_bytes)), (record.sealed_sha256, bid.sealed_bytes));
        // The box itself, stored apart, has the hash and length the bid lists.
        let sealed = net
            .node
            .view(|s| publica_types::StateRead::get(s, &schema::sealed_box_key(1, bid.number)))
            .expect("the box is stored");
        assert_eq!((bid.sealed_sha256, bid.sealed_bytes), (publica_types::sha256(&sealed), sealed.len() as u64));
        assert_eq!((bid.versions, bid.withdrawn, bid.shares.as_slice()), (1, false, &[1, 2][..]));
        assert!(matches!(&bid.opening, Some(Opening::Valid { content }) if content.prices.len() == 2), "{bid:?}");
    }
    assert_eq!(all.bids[0].company, w.companies[w.bidders[0]]);

    // A lot: its ranking, proven by every bid and score it read, and its award.
    let l: LotResponse =
        get(net, "/v1/procurement/tenders/1/lots/1", "/v1/procurement/tenders/{id}/lots/{index}").await;
    assert_eq!((l.lot, l.spec.title.as_str(), l.status), (1, "Drainage", TenderStatus::Awarded));
    let ranking = l.ranking.as_ref().expect("a ranking");
    assert_eq!(ranking[0].bid, w.winners[1]);
    assert_eq!(l.awards.len(), 1);
    assert_eq!((l.awards[0].bid, &l.awards[0].ranking), (w.winners[1], ranking));
    let keys: Vec<&[u8]> = l.proofs.iter().map(|p| p.key.as_slice()).collect();
    assert!(keys.contains(&schema::scores_key(1, 1, 2, 0).as_slice()), "the scores are proven");
    assert_eq!(keys.last().copied(), Some(schema::award_key(1, 1, 1).as_slice()));

    // The complaint, not decided yet.
    let template = "/v1/procurement/tenders/{id}/complaints";
    let c: ComplaintsResponse = get(net, "/v1/procurement/tenders/1/complaints", template).await;
    assert_eq!((c.count, c.complaints.len(), c.complaints[0].lot), (1, 1, 1));
    assert!(c.complaints[0].decision.is_none());

    // After the standstill, the contract of lot 0: signed, countersigned, amended.
    wait_until(w.award_ms + MIN_STANDSTILL_MS).await;
    let winning_bid = w.winners[0] as usize - 1;
    let winner = w.bidders[winning_bid];
    let price = all.bids[winning_bid].opening.as_ref().map_or(0, |o| match o {
        Opening::Valid { content } => content.prices[0].price,
        Opening::Invalid { .. } => 0,
    });
    let milestone =
        |amount| vec![MilestoneSpec { title: "Surface laid".into(), amount, due_ms: now_ms() + 86_400_000 }];
    let sign = ProcurementCall::SignContract {
        tender: 1,
        lot: 0,
        document: [7; 32],
        value: price,
        milestones: milestone(price),
        commitment: None,
    };
    w.ledger.procurement(&w.entity, sign);
    w.ledger.commit();
    let countersign = ProcurementCall::CountersignContract { contract: 1, document: [7; 32] };
    w.ledger.procurement(&w.directors[winner], countersign);
    w.ledger.commit();
    let amend = ProcurementCall::AmendContract {
        contract: 1,
        document: [8; 32],
        value: price - 10_000,
        milestones: milestone(price - 10_000),
        reason: "Less drainage work than estimated.".into(),
        commitment: None,
    };
    w.ledger.procurement(&w.entity, amend);
    w.ledger.commit();
    let net = &w.ledger.net;
    let c: ContractResponse = get(net, "/v1/procurement/contracts/1", "/v1/procurement/contracts/{id}").await;
    assert_eq!((c.contract.tender, c.contract.lot, &c.contract.supplier), (1, 0, &w.companies[winner]));
    assert_eq!(
        (c.contract.value, c.contract.awarded_price, c.contract.status),
        (price - 10_000, price, ContractStatus::AwaitingSupplier),
        "an amendment awaits the supplier's countersignature"
    );
    assert_eq!(c.amendments.len(), 1);
    assert_eq!((c.amendments[0].old_value, c.amendments[0].new_value), (price, price - 10_000));
    let keys: Vec<Vec<u8>> = c.proofs.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, [schema::contract_key(1), schema::contract_amendment_key(1, 1)]);
    let t: TenderResponse = get(net, "/v1/procurement/tenders/1", "/v1/procurement/tenders/{id}").await;
    assert_eq!(t.lots[0].state.contract, Some(1));

    ocds_and_flags(net).await;
    bad_input(net).await;
}

/// The OCDS packages of the tender pass the standard's own validator (libcoveocds, offline), and the red flags
/// name the tender.
async fn ocds_and_flags(net: &TestNet) {
    let dir = tempfile::tempdir().unwrap();
    for (uri, kind) in
        [("/v1/procurement/tenders/1/ocds", "release"), ("/v1/procurement/tenders/1/ocds?package=record", "record")]
    {
        let reply = net.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        assert_documented("get", "/v1/procurement/tenders/{id}/ocds", &reply);
        let package = reply.json();
        assert_eq!(package["version"], "1.1");
        let key = if kind == "release" { "releases" } else { "records" };
        assert!(package[key].as_array().is_some_and(|a| !a.is_empty()), "{uri}: {package}");
        let file = dir.path().join(format!("{kind}.json"));
        std::fs::write(&file, &reply.bytes).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = std::process::Command::new("python3")
            .arg(root.join("scripts/ocds-validate.py"))
            .arg(&file)
            .output()
            .unwrap_or_else(|e| {
                panic!("python3 is needed to validate OCDS packages ({e}); ./scripts/test.sh installs it")
            });
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_ne!(out.status.code(), Some(2), "the OCDS validator is not installed: {text}\nrun ./scripts/test.sh");
        assert!(out.status.success(), "{uri}: libcoveocds finds errors:\n{text}");
    }
    let reply = net.get("/v1/procurement/red-flags").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_documented("get", "/v1/procurement/red-flags", &reply);
    let flags: publica_client::api::RedFlagsResponse = serde_json::from_slice(&reply.bytes).unwrap();
    assert!(flags.flags.iter().all(|f| f.tender == 1), "{flags:?}");
    assert!(flags.next.is_none());
    // A short bid window: this test's tender runs for seconds.
    assert!(flags.flags.iter().any(|f| f.kind == publica_procurement::flags::FlagKind::ShortBidWindow), "{flags:?}");
}

/// Every bad input refused with its code: malformed numbers and pages (400), absent records (404 with the module's
/// code).
async fn bad_input(net: &TestNet) {
    let bad = StatusCode::BAD_REQUEST;
    let absent = StatusCode::NOT_FOUND;
    let malformed = "malformed_request";
    for (uri, template) in [
        ("/v1/procurement/keys/x", "/v1/procurement/keys/{id}"),
        ("/v1/procurement/keys/01", "/v1/procurement/keys/{id}"),
        ("/v1/procurement/keys/1?extra=1", "/v1/procurement/keys/{id}"),
        ("/v1/procurement/tenders?from=0", "/v1/procurement/tenders"),
        ("/v1/procurement/tenders?limit=0", "/v1/procurement/tenders"),
        ("/v1/procurement/tenders?limit=101", "/v1/procurement/tenders"),
        ("/v1/procurement/tenders?from=-1", "/v1/procurement/tenders"),
        ("/v1/procurement/tenders/18446744073709551616", "/v1/procurement/tenders/{id}"),
        ("/v1/procurement/tenders/1/bids?limit=x", "/v1/procurement/tenders/{id}/bids"),
        ("/v1/procurement/tenders/1/questions?page=2", "/v1/procurement/tenders/{id}/questions"),
        ("/v1/procurement/tenders/1/complaints?from=0", "/v1/procurement/tenders/{id}/complaints"),
        ("/v1/procurement/tenders/1/lots/50", "/v1/procurement/tenders/{id}/lots/{index}"),
        ("/v1/procurement/tenders/1/lots/65536", "/v1/procurement/tenders/{id}/lots/{index}"),
        ("/v1/procurement/tenders/1/lots/01", "/v1/procurement/tenders/{id}/lots/{index}"),
        ("/v1/procurement/contracts/1.0", "/v1/procurement/contracts/{id}"),
    ] {
        refused(net, uri, template, bad, malformed).await;
    }
    let limit = refused(net, "/v1/procurement/tenders?limit=101", "/v1/procurement/tenders", bad, malformed).await;
    assert!(limit.contains(&MAX_PROCUREMENT_PAGE.to_string()), "{limit}");
    let lot =
        refused(net, "/v1/procurement/tenders/1/lots/50", "/v1/procurement/tenders/{id}/lots/{index}", bad, malformed)
            .await;
    assert!(lot.contains("0 to 49"), "{lot}");

    refused(net, "/v1/procurement/keys/2", "/v1/procurement/keys/{id}", absent, "sealing_key_not_found").await;
    for (uri, template) in [
        ("/v1/procurement/tenders/2", "/v1/procurement/tenders/{id}"),
        ("/v1/procurement/tenders/0", "/v1/procurement/tenders/{id}"),
        ("/v1/procurement/tenders/2/questions", "/v1/procurement/tenders/{id}/questions"),
        ("/v1/procurement/tenders/2/bids", "/v1/procurement/tenders/{id}/bids"),
        ("/v1/procurement/tenders/2/lots/0", "/v1/procurement/tenders/{id}/lots/{index}"),
        ("/v1/procurement/tenders/2/complaints", "/v1/procurement/tenders/{id}/complaints"),
    ] {
        let message = refused(net, uri, template, absent, "tender_not_found").await;
        assert!(message.contains("no tender"), "{message}");
    }
    let message = refused(
        net,
        "/v1/procurement/tenders/1/lots/2",
        "/v1/procurement/tenders/{id}/lots/{index}",
        absent,
        "lot_not_found",
    )
    .await;
    assert!(message.contains("2 lots"), "{message}");
    refused(net, "/v1/procurement/contracts/2", "/v1/procurement/contracts/{id}", absent, "contract_not_found").await;
    refused(net, "/v1/procurement/tenders/2/ocds", "/v1/procurement/tenders/{id}/ocds", absent, "tender_not_found")
        .await;
    let ocds = "/v1/procurement/tenders/{id}/ocds";
    refused(net, "/v1/procurement/tenders/1/ocds?package=bogus", ocds, bad, malformed).await;
    refused(net, "/v1/procurement/red-flags?from=0", "/v1/procurement/red-flags", bad, malformed).await;
    refused(net, "/v1/procurement/red-flags?limit=1001", "/v1/procurement/red-flags", bad, malformed).await;
}
