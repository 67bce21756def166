//! The procurement kit against the procurement module: key files saved and reopened with their passphrase, each
//! step of the key ceremony made by the kit and executed by the module over an in-memory state, a dealer's bad share
//! found and complained about, bids sealed by the kit and opened by the shares it makes.

use publica_client::procurement::*;
use publica_crypto::keystore::KdfParams;
use publica_procurement::call::{
    BidContent, Category, Criterion, CriterionKind, Item, Lot, LotPrice, ProcurementCall, TenderSpec, Timeline,
};
use publica_procurement::execute;
use publica_procurement::schema::{self, Bid, KeyStage, Opening, SealingKey, Tender};
use publica_testkit::{context, Accounts, MemoryState, TEST_CHAIN_ID};
use publica_types::{Address, ChainId, RecordId, StateWrite as _, TxId, TxOutcome};

const T0: u64 = 1_800_000_000_000;
const DAY: u64 = 86_400_000;
const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const PASSPHRASE: &[u8] = b"holder passphrase";

struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
}

impl World {
    fn run(&mut self, sender: Address, call: &ProcurementCall) -> TxOutcome {
        self.height += 1;
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        let ctx = context(sender).block(self.height, self.time_ms).tx_id(TxId(tx)).build();
        execute(&mut self.state, &ctx, call).unwrap_or_else(|e| panic!("{} refused: {}", call.method(), e.message))
    }

    fn key(&self, id: u64) -> SealingKey {
        schema::get(&self.state, &schema::sealing_key_key(id)).expect("the key exists")
    }

    fn deals(&self, record: &SealingKey) -> Vec<(u16, publica_crypto::threshold::Deal)> {
        (1..=record.holders.len() as u16)
            .filter_map(|i| schema::get(&self.state, &schema::deal_key(record.id, i)).map(|d| (i, d)))
            .collect()
    }
}

fn chain() -> ChainId {
    TEST_CHAIN_ID.parse().unwrap()
}

#[test]
fn holders_make_a_key_with_the_kit_and_open_sealed_bids_with_it() {
    let mut state = MemoryState::new();
    let mut accounts = Accounts::new(&mut state);
    accounts
        .agency("procurement-office", &["procurement-authority", "key-holder"])
        .agency("audit-office", &["key-holder"])
        .agency("roads", &["procuring-entity", "evaluator"])
        .agency_registering_citizens("registry", &["citizen-registrar"]);
    let chief = accounts.official("chief", "procurement-office", &["procurement-authority"]);
    let holders = [
        accounts.official("holder-1", "procurement-office", &["key-holder"]),
        accounts.official("holder-2", "audit-office", &["key-holder"]),
        accounts.official("holder-3", "audit-office", &["key-holder"]),
    ];
    let buyer = accounts.official("buyer", "roads", &["procuring-entity"]);
    let evaluator = accounts.official("evaluator", "roads", &["evaluator"]);
    let director = accounts.citizen("director", "registry");
    let mut w = World { state, height: 1, time_ms: T0 };
    write_company(&mut w, "NV-1", director);

    let create = ProcurementCall::CreateSealingKey {
        name: "Bids".into(),
        holders: holders.to_vec(),
        threshold: 2,
        register_by_ms: T0 + DAY,
        deal_by_ms: T0 + 2 * DAY,
        complaints_by_ms: T0 + 3 * DAY,
    };
    let TxOutcome::SealingKey { id } = w.run(chief, &create) else { panic!("a key") };

    // Each holder makes a key file, saves it, and registers from the reopened file.
    let dir = tempfile::tempdir().unwrap();
    let mut kits = Vec::new();
    for (j, account) in holders.iter().enumerate() {
        let kit = KeyHolder::generate(&chain(), id, j as u16 + 1, *account, PASSPHRASE, FAST).unwrap();
        let path = dir.path().join(format!("holder-{}.json", j + 1));
        kit.key_file().unwrap().save(&path).unwrap();
        let file = HolderKey::load(&path).unwrap();
        assert!(KeyHolder::open(&file, b"wrong passphrase").is_err());
        let kit = KeyHolder::open(&file, PASSPHRASE).unwrap();
        w.run(*account, &kit.registration().unwrap());
        kits.push((path, kit));
    }
    // Another holder's file is never overwritten.
    let other = KeyHolder::generate(&chain(), id, 1, holders[0], PASSPHRASE, FAST).unwrap();
    assert!(other.key_file().unwrap().save(&kits[0].0).is_err());

    // Holder 1 deals honestly, holder 2 sends holder 3 a bad share, holder 3 deals honestly.
    for (j, (_, kit)) in kits.iter().enumerate() {
        let mut call = kit.deal(&w.key(id)).unwrap();
        if j == 1 {
            let ProcurementCall::DealShares { deal, .. } = &mut call else { unreachable!() };
            deal.shares[2].masked.0[0] ^= 1;
        }
        w.run(holders[j], &call);
    }
    let record = w.key(id);
    let deals = w.deals(&record);
    assert!(kits[0].1.check_deals(&deals).unwrap().is_empty());
    let complaints = kits[2].1.check_deals(&deals).unwrap();
    assert_eq!(complaints.len(), 1);
    w.run(holders[2], &complaints[0]);
    w.time_ms = T0 + 3 * DAY + 1;
    w.run(chief, &ProcurementCall::FinishSealingKey { key: id });
    let record = w.key(id);
    let KeyStage::Ready { qualified, .. } = &record.stage else { panic!("ready") };
    assert_eq!(qualified, &vec![1, 3]);
    let deals = w.deals(&record);
    for (path, kit) in &mut kits {
        kit.take_share(&record, &deals).unwrap();
        kit.key_file().unwrap().save(path).unwrap();
    }

    // A tender, a bid sealed by the kit, and its opening by two holders' kits, reopened from their files.
    let spec = TenderSpec {
        title: "Road".into(),
        description: "Road".into(),
        category: Category::Works,
        currency: "NVK".into(),
        items: vec![Item {
            description: "Asphalt".into(),
            cpv: "45233141-9".into(),
            quantity: 1,
            unit: "km".into(),
            lot: 0,
        }],
        lots: vec![Lot { title: "Road".into(), value: 100 }],
        criteria: vec![Criterion { name: "Price".into(), weight: 1000, kind: CriterionKind::Price }],
        documents: Vec::new(),
        timeline: Timeline {
            clarifications_until_ms: w.time_ms + DAY,
            bid_deadline_ms: w.time_ms + 2 * DAY,
            opening_ms: w.time_ms + 2 * DAY,
            standstill_ms: DAY,
        },
        sealing_key: id,
        evaluators: vec![evaluator],
        allocation: None,
    };
    let TxOutcome::Tender { id: tender } = w.run(buyer, &ProcurementCall::PublishTender { tender: spec }) else {
        panic!("a tender")
    };
    let company = RecordId::new("NV-1").unwrap();
    let content =
        BidContent { prices: vec![LotPrice { lot: 0, price: 90 }], documents: Vec::new(), summary: "Offer".into() };
    let sealed = seal_bid(&chain(), &record, tender, &company, &content).unwrap();
    w.run(director, &ProcurementCall::SubmitBid { tender, company: company.clone(), sealed });
    w.time_ms += 2 * DAY;
    for j in [2usize, 0] {
        let kit = KeyHolder::open(&HolderKey::load(&kits[j].0).unwrap(), PASSPHRASE).unwrap();
        let t: Tender = schema::get(&w.state, &schema::tender_key(tender)).unwrap();
        let bids: Vec<Bid> =
            (1..=t.bids).map(|n| schema::get(&w.state, &schema::bid_key(tender, n)).unwrap()).collect();
        for call in kit.decryption_shares(&t, &bids).unwrap() {
            w.run(holders[j], &call);
        }
    }
    let bid: Bid = schema::get(&w.state, &schema::bid_key(tender, 1)).unwrap();
    assert_eq!(bid.opening, Some(Opening::Valid { content }));
}

/// Write a company with one director into the business register, as the registry module stores it.
fn write_company(w: &mut World, number: &str, director: Address) {
    use publica_registry::call::{LegalForm, Officer, OfficerRole};
    use publica_registry::schema::{Company, CompanyStatus, RecordKind, Version};
    let version = Version {
        kind: RecordKind::Company,
        id: number.into(),
        version: 1,
        height: 1,
        time_ms: T0,
        tx_id: TxId([1; 32]),
        application: None,
        value: Company {
            name: "Road Builders AB".into(),
            legal_form: LegalForm::PrivateLimited,
            registered_address: "Main Street 1".into(),
            status: CompanyStatus::Active,
            officers: vec![Officer { account: director, role: OfficerRole::Director }],
            shareholders: Vec::new(),
            beneficial_owners: Vec::new(),
            registered_ms: T0,
            dissolved_ms: None,
            filings: 0,
        },
    };
    w.state.put(publica_registry::schema::version_key(RecordKind::Company, number, 1), publica_types::encode(&version));
    w.state.put(publica_registry::schema::head_key(RecordKind::Company, number), 1u32.to_le_bytes().to_vec());
}
