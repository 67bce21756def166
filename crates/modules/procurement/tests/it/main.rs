//! The procurement module over an in-memory state: the key ceremony, tenders and clarifications, sealed bids and
//! their opening, evaluation and awards, complaints, contracts and their payments. This file holds the world every
//! test starts from and the steps they share.

mod award;
mod bidding;
mod contracts;
mod keys;
mod ocds;
mod tenders;

use borsh::to_vec;
use rand::rngs::StdRng;
use rand::SeedableRng;

use publica_crypto::threshold::{self, EncryptionSecret, SecretScalar};
use publica_finance::call::{BudgetLineSpec, FinanceCall, Holder};
use publica_procurement::call::*;
use publica_procurement::schema::{self, Bid, KeyStage, SealingKey, Tender};
use publica_procurement::{execute, ProcurementCall};
use publica_registry::call::{LegalForm, Officer, OfficerRole};
use publica_registry::schema::{Company, CompanyStatus, RecordKind, Version};
use publica_testkit::{context, keypair, Accounts, MemoryState};
use publica_types::{Address, CallContext, Code, RecordId, StateWrite as _, TxError, TxId, TxOutcome};

/// One day in milliseconds.
const DAY: u64 = 86_400_000;
/// One hour in milliseconds.
const HOUR: u64 = 3_600_000;
/// 12:00 UTC on 10 March 2026.
const START_MS: u64 = 1_773_144_000_000;

const PROCUREMENT_OFFICE: &str = "procurement-office";
const AUDIT_OFFICE: &str = "audit-office";
const WATCHDOG: &str = "anti-corruption-office";
const ROADS: &str = "roads-agency";
const PARKS: &str = "parks-agency";
const REVIEW_BOARD: &str = "review-board";
const REGISTRY: &str = "civil-registry";
const CENTRAL_BANK: &str = "central-bank";
const BANK: &str = "bank";
const PARLIAMENT: &str = "parliament";
const MINISTRY: &str = "finance-ministry";

const CHIEF: &str = "chief-buyer";
const HOLDERS: [&str; 3] = ["holder-1", "holder-2", "holder-3"];
const BUYER: &str = "roads-buyer";
const EVALUATORS: [&str; 2] = ["evaluator-1", "evaluator-2"];
const PARKS_BUYER: &str = "parks-buyer";
const PARKS_EVALUATOR: &str = "parks-evaluator";
const REVIEWER: &str = "reviewer";
const ROADS_REVIEWER: &str = "roads-reviewer";
const SPENDER: &str = "roads-spender";
const TREASURER: &str = "roads-treasurer";
const GOVERNOR: &str = "governor";
const BANKER: &str = "banker";
const MP: &str = "member-of-parliament";
const BUDGET_OFFICER: &str = "budget-officer";

/// Directors (and a secretary) of the companies.
const ANNA: &str = "anna";
const BERT: &str = "bert";
const CLEO: &str = "cleo";
const DORA: &str = "dora";
const EMIL: &str = "emil";
const OUTSIDER: &str = "outsider";

/// The companies: three that bid, one dissolved, one never registered.
const ASPHALT: &str = "NV-100001";
const BITUMEN: &str = "NV-100002";
const COBBLE: &str = "NV-100003";
const DISSOLVED: &str = "NV-100004";
const UNREGISTERED: &str = "NV-100009";

/// The currency and fiscal year.
const NVK: &str = "NVK";
const YEAR: u16 = 2026;

fn addr(name: &str) -> Address {
    keypair(name).address()
}

fn company(number: &str) -> RecordId {
    RecordId::new(number).expect("a valid company number")
}

/// The world every test starts from: agencies and officials of every role, four companies in the business
/// register, a budget with an allocation to the roads agency, and (unless a test asks for a bare world) a finished
/// 2-of-3 sealing key.
struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
    rng: StdRng,
    /// The key holders' encryption secrets, holder `j` at `j - 1`.
    encryption: Vec<EncryptionSecret>,
    /// The key holders' secret shares once the key is finished.
    shares: Vec<SecretScalar>,
    /// The finished sealing key.
    key: u64,
    /// The allocation to the roads agency.
    allocation: u64,
}

impl World {
    /// The world with a finished sealing key.
    fn new() -> World {
        let mut w = World::bare();
        w.key = w.make_key(2);
        w
    }

    /// The world without any sealing key.
    fn bare() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency(PROCUREMENT_OFFICE, &["procurement-authority", "key-holder"])
            .agency(AUDIT_OFFICE, &["key-holder"])
            .agency(WATCHDOG, &["key-holder"])
            .agency(ROADS, &["procuring-entity", "evaluator", "spending-officer", "treasurer", "review-body"])
            .agency(PARKS, &["procuring-entity", "evaluator"])
            .agency(REVIEW_BOARD, &["review-body"])
            .agency(CENTRAL_BANK, &["currency-issuer"])
            .agency(BANK, &["bank"])
            .agency(PARLIAMENT, &["parliament"])
            .agency(MINISTRY, &["budget-officer", "treasurer"])
            .agency_registering_citizens(REGISTRY, &["citizen-registrar"]);
        for (name, agency, roles) in [
            (CHIEF, PROCUREMENT_OFFICE, &["procurement-authority"][..]),
            (HOLDERS[0], PROCUREMENT_OFFICE, &["key-holder"]),
            (HOLDERS[1], AUDIT_OFFICE, &["key-holder"]),
            (HOLDERS[2], WATCHDOG, &["key-holder"]),
            (BUYER, ROADS, &["procuring-entity"]),
            (EVALUATORS[0], ROADS, &["evaluator"]),
            (EVALUATORS[1], ROADS, &["evaluator"]),
            (PARKS_BUYER, PARKS, &["procuring-entity"]),
            (PARKS_EVALUATOR, PARKS, &["evaluator"]),
            (REVIEWER, REVIEW_BOARD, &["review-body"]),
            (ROADS_REVIEWER, ROADS, &["review-body"]),
            (SPENDER, ROADS, &["spending-officer"]),
            (TREASURER, ROADS, &["treasurer"]),
            (GOVERNOR, CENTRAL_BANK, &["currency-issuer"]),
            (BANKER, BANK, &["bank"]),
            (MP, PARLIAMENT, &["parliament"]),
            (BUDGET_OFFICER, MINISTRY, &["budget-officer"]),
        ] {
            accounts.official(name, agency, roles);
        }
        for name in [ANNA, BERT, CLEO, DORA, EMIL, OUTSIDER] {
            accounts.citizen(name, REGISTRY);
        }
        let mut w = World {
            state,
            height: 1,
            time_ms: START_MS,
            rng: StdRng::seed_from_u64(7),
            encryption: Vec::new(),
            shares: Vec::new(),
            key: 0,
            allocation: 0,
        };
        w.register_company(
            ASPHALT,
            "Nordvik Asphalt AB",
            &[(ANNA, OfficerRole::Director), (DORA, OfficerRole::Secretary)],
            false,
        );
        w.register_company(BITUMEN, "Bitumen Works AB", &[(BERT, OfficerRole::Director)], false);
        w.register_company(COBBLE, "Cobble and Stone AB", &[(CLEO, OfficerRole::Chair)], false);
        w.register_company(DISSOLVED, "Gone Roads AB", &[(EMIL, OfficerRole::Director)], true);

        // Money: a currency, a budget with a roads line, an allocation to the roads agency, and business accounts
        // for the bidders so that they can be paid.
        w.finance(
            GOVERNOR,
            FinanceCall::DefineCurrency { code: NVK.into(), name: "Nordvik krona".into(), decimals: 2 },
        );
        w.finance(
            GOVERNOR,
            FinanceCall::SetTier {
                currency: NVK.into(),
                tier: 2,
                balance_cap: u64::MAX / 4,
                daily_outflow_cap: u64::MAX / 4,
            },
        );
        w.finance(
            GOVERNOR,
            FinanceCall::Issue { currency: NVK.into(), to: MINISTRY.parse().unwrap(), amount: 10_000_000 },
        );
        let line = BudgetLineSpec {
            code: "ROADS-1".into(),
            cofog: "04.5".into(),
            economic: "31".into(),
            name: "Road maintenance".into(),
            appropriation: 5_000_000,
        };
        w.finance(
            MP,
            FinanceCall::EnactBudget {
                year: YEAR,
                currency: NVK.into(),
                treasury: MINISTRY.parse().unwrap(),
                reference: "Budget Act 2026".into(),
                lines: vec![line],
            },
        );
        let outcome = w.finance(
            BUDGET_OFFICER,
            FinanceCall::Allocate {
                year: YEAR,
                line: "ROADS-1".into(),
                agency: ROADS.parse().unwrap(),
                amount: 3_000_000,
                reference: "Allocation 2026:4".into(),
            },
        );
        let TxOutcome::Allocation { id } = outcome else { panic!("an allocation: {outcome:?}") };
        w.allocation = id;
        for (number, director) in [(ASPHALT, ANNA), (BITUMEN, BERT), (COBBLE, CLEO)] {
            w.finance(
                BANKER,
                FinanceCall::OpenAccount {
                    currency: NVK.into(),
                    holder: Holder::Company(number.into()),
                    operator: Some(addr(director)),
                    tier: 2,
                    blinding: [9; 32],
                },
            );
        }
        w
    }

    /// Write a company into the business register as the registry module stores it.
    fn register_company(&mut self, number: &str, name: &str, officers: &[(&str, OfficerRole)], dissolved: bool) {
        let record = Company {
            name: name.into(),
            legal_form: LegalForm::PrivateLimited,
            registered_address: "Harbour Street 1, Nordvik".into(),
            status: if dissolved { CompanyStatus::Dissolved } else { CompanyStatus::Active },
            officers: officers.iter().map(|(n, role)| Officer { account: addr(n), role: *role }).collect(),
            shareholders: Vec::new(),
            beneficial_owners: Vec::new(),
            registered_ms: START_MS - 400 * DAY,
            dissolved_ms: dissolved.then_some(START_MS - DAY),
            filings: 0,
        };
        let version = Version {
            kind: RecordKind::Company,
            id: number.into(),
            version: 1,
            height: 1,
            time_ms: START_MS - 400 * DAY,
            tx_id: TxId([1; 32]),
            application: None,
            value: record,
        };
        self.state
            .put(publica_registry::schema::version_key(RecordKind::Company, number, 1), to_vec(&version).unwrap());
        self.state.put(publica_registry::schema::head_key(RecordKind::Company, number), 1u32.to_le_bytes().to_vec());
    }

    fn ctx(&self, sender: Address) -> CallContext {
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        context(sender).block(self.height, self.time_ms).tx_id(TxId(tx)).build()
    }

    /// Run a finance call that must succeed.
    #[track_caller]
    fn finance(&mut self, sender: &str, call: FinanceCall) -> TxOutcome {
        self.height += 1;
        let ctx = self.ctx(addr(sender));
        publica_finance::execute(&mut self.state, &ctx, &call)
            .unwrap_or_else(|e| panic!("{} refused: {} ({})", call.method(), e.code, e.message))
    }

    /// Execute a procurement call; a refused call's writes are discarded, as execution discards them.
    fn run(&mut self, sender: &str, call: ProcurementCall) -> Result<TxOutcome, TxError> {
        self.height += 1;
        let ctx = self.ctx(addr(sender));
        let before = self.state.clone();
        let result = execute(&mut self.state, &ctx, &call);
        if result.is_err() {
            self.state = before;
        }
        result
    }

    /// Execute a call that must succeed.
    #[track_caller]
    fn ok(&mut self, sender: &str, call: ProcurementCall) -> TxOutcome {
        let method = call.method();
        match self.run(sender, call) {
            Ok(outcome) => outcome,
            Err(e) => panic!("{method} refused: {} ({})", e.code, e.message),
        }
    }

    /// Execute a call that must be refused with `code`, and check that it changed nothing.
    #[track_caller]
    fn err(&mut self, sender: &str, call: ProcurementCall, code: impl Into<Code>) -> TxError {
        let code = code.into();
        let method = call.method();
        let state = self.state.clone();
        let error = match self.run(sender, call) {
            Ok(outcome) => panic!("{method} should be refused with {code}, but gave {outcome:?}"),
            Err(error) => error,
        };
        assert_eq!(error.code, code, "{method} refused with {} ({}), not {code}", error.code, error.message);
        assert!(!error.message.is_empty(), "a refusal says what was wrong");
        assert!(self.state == state, "a refused {method} changed the state");
        error
    }

    /// Move the clock to `time_ms`.
    fn at(&mut self, time_ms: u64) {
        assert!(time_ms >= self.time_ms, "time does not go back");
        self.time_ms = time_ms;
    }

    fn sealing_key(&self, id: u64) -> SealingKey {
        schema::get(&self.state, &schema::sealing_key_key(id)).expect("the sealing key exists")
    }

    fn tender(&self, id: u64) -> Tender {
        schema::get(&self.state, &schema::tender_key(id)).expect("the tender exists")
    }

    fn bid(&self, tender: u64, number: u32) -> Bid {
        schema::get(&self.state, &schema::bid_key(tender, number)).expect("the bid exists")
    }

    fn key_context(&self, key: u64) -> Vec<u8> {
        key_context(&self.ctx(addr(CHIEF)).chain_id, key)
    }

    /// Start a ceremony among the three holders, with deadlines 1, 2 and 3 days ahead.
    fn create_ceremony(&mut self, threshold: u16) -> u64 {
        let call = ceremony(self.time_ms, threshold);
        match self.ok(CHIEF, call) {
            TxOutcome::SealingKey { id } => id,
            other => panic!("a sealing key: {other:?}"),
        }
    }

    /// Every holder registers a fresh encryption key.
    fn register_all(&mut self, key: u64) {
        let context = self.key_context(key);
        self.encryption = (0..HOLDERS.len()).map(|_| EncryptionSecret::generate(&mut self.rng)).collect();
        for (j, name) in HOLDERS.iter().enumerate() {
            let secret = &self.encryption[j];
            let proof = threshold::prove_encryption_key(secret, &context, j as u16 + 1, &mut self.rng).unwrap();
            let call = ProcurementCall::RegisterHolderKey { key, encryption_key: secret.public(), proof };
            self.ok(name, call);
        }
    }

    /// Holder `j`'s deal for `key`, honest.
    fn deal_of(&mut self, key: u64, j: u16) -> threshold::Deal {
        let context = self.key_context(key);
        let record = self.sealing_key(key);
        let recipients: Vec<_> = record.encryption_keys.iter().map(|k| k.expect("registered")).collect();
        threshold::Deal::make(&mut self.rng, &context, j, record.threshold, &recipients).unwrap()
    }

    /// Past the complaint deadline, finish the key and work out each holder's secret share.
    fn finish(&mut self, key: u64) {
        let record = self.sealing_key(key);
        self.at(self.time_ms.max(record.complaints_by_ms + 1));
        self.ok(OUTSIDER, ProcurementCall::FinishSealingKey { key });
        let KeyStage::Ready { qualified, .. } = self.sealing_key(key).stage else { panic!("the key is ready") };
        let deals: Vec<(u16, threshold::Deal)> = qualified
            .iter()
            .map(|&i| (i, schema::get(&self.state, &schema::deal_key(key, i)).expect("a qualified deal")))
            .collect();
        let refs: Vec<(u16, &threshold::Deal)> = deals.iter().map(|(i, d)| (*i, d)).collect();
        let context = self.key_context(key);
        self.shares = (0..HOLDERS.len())
            .map(|j| threshold::secret_share(&refs, &context, j as u16 + 1, &self.encryption[j]).unwrap())
            .collect();
    }

    /// A whole honest ceremony; returns the key's number.
    fn make_key(&mut self, threshold: u16) -> u64 {
        let key = self.create_ceremony(threshold);
        self.register_all(key);
        for (j, name) in HOLDERS.iter().enumerate() {
            let deal = self.deal_of(key, j as u16 + 1);
            self.ok(name, ProcurementCall::DealShares { key, deal });
        }
        self.finish(key);
        key
    }

    /// The public key of a finished sealing key.
    fn public_key(&self, key: u64) -> threshold::Point {
        match self.sealing_key(key).stage {
            KeyStage::Ready { public_key, .. } => public_key,
            KeyStage::Ceremony => panic!("sealing key {key} is not finished"),
        }
    }

    /// Publish the standard tender; returns its number.
    fn publish(&mut self) -> u64 {
        let spec = self.spec();
        self.publish_spec(BUYER, spec)
    }

    #[track_caller]
    fn publish_spec(&mut self, sender: &str, spec: TenderSpec) -> u64 {
        match self.ok(sender, ProcurementCall::PublishTender { tender: spec }) {
            TxOutcome::Tender { id } => id,
            other => panic!("a tender: {other:?}"),
        }
    }

    /// The standard tender: road repair in one lot of 1,000,000, price weighted 600 and technical merit 400;
    /// questions for 5 days, bids for 10, opening an hour later, a 10-day standstill; funded by the roads
    /// allocation.
    fn spec(&self) -> TenderSpec {
        TenderSpec {
            title: "Repair of the harbour road".into(),
            description: "Resurfacing 4 km of the harbour road, with drainage.".into(),
            category: Category::Works,
            currency: NVK.into(),
            items: vec![Item {
                description: "Road resurfacing".into(),
                cpv: "45233141-9".into(),
                quantity: 4,
                unit: "km".into(),
                lot: 0,
            }],
            lots: vec![Lot { title: "Harbour road".into(), value: 1_000_000 }],
            criteria: vec![
                Criterion { name: "Price".into(), weight: 600, kind: CriterionKind::Price },
                Criterion { name: "Technical merit".into(), weight: 400, kind: CriterionKind::Quality },
            ],
            documents: vec![Document {
                title: "Tender specification".into(),
                sha256: [3; 32],
                url: "https://roads.nordvik.example/tenders/harbour.pdf".into(),
            }],
            timeline: Timeline {
                clarifications_until_ms: self.time_ms + 5 * DAY,
                bid_deadline_ms: self.time_ms + 10 * DAY,
                opening_ms: self.time_ms + 10 * DAY + HOUR,
                standstill_ms: 10 * DAY,
            },
            sealing_key: self.key,
            evaluators: EVALUATORS.iter().map(|n| addr(n)).collect(),
            allocation: Some(self.allocation),
        }
    }

    /// A bid's content: a price for each lot given.
    fn content(prices: &[(u16, u64)]) -> BidContent {
        BidContent {
            prices: prices.iter().map(|&(lot, price)| LotPrice { lot, price }).collect(),
            documents: vec![Document { title: "Technical offer".into(), sha256: [5; 32], url: String::new() }],
            summary: "Resurfacing with recycled asphalt.".into(),
        }
    }

    /// Seal `plaintext` for `company`'s bid in `tender`.
    fn seal_bytes(&mut self, tender: u64, company_number: &str, plaintext: &[u8]) -> threshold::SealedBox {
        let key = self.tender(tender).spec.sealing_key;
        let context = self.key_context(key);
        let public_key = self.public_key(key);
        threshold::seal(&mut self.rng, &public_key, &context, &bid_aad(tender, &company(company_number)), plaintext)
            .unwrap()
    }

    /// A director submits `company`'s bid; returns its number.
    #[track_caller]
    fn submit(&mut self, director: &str, company_number: &str, tender: u64, prices: &[(u16, u64)]) -> u32 {
        let sealed = self.seal_bytes(tender, company_number, &to_vec(&World::content(prices)).unwrap());
        let call = ProcurementCall::SubmitBid { tender, company: company(company_number), sealed };
        match self.ok(director, call) {
            TxOutcome::Bid { number } => number,
            other => panic!("a bid: {other:?}"),
        }
    }

    /// Holder `j`'s decryption shares of the tender's live, unopened bids.
    fn shares_of(&mut self, tender: u64, j: usize) -> Vec<BidShare> {
        let t = self.tender(tender);
        let context = self.key_context(t.spec.sealing_key);
        let KeyStage::Ready { verification_keys, .. } = self.sealing_key(t.spec.sealing_key).stage else {
            panic!("ready")
        };
        let mut out = Vec::new();
        for number in 1..=t.bids {
            let bid = self.bid(tender, number);
            if bid.withdrawn || bid.opening.is_some() {
                continue;
            }
            let share = threshold::DecryptionShare::make(
                &self.shares[j - 1],
                &verification_keys[j - 1],
                &bid.ephemeral,
                &context,
                &mut self.rng,
            )
            .unwrap();
            out.push(BidShare { bid: number, share });
        }
        out
    }

    /// At the opening time, holders 1 and 2 publish their shares: every bid opens.
    fn open_all(&mut self, tender: u64) {
        let opening = self.tender(tender).spec.timeline.opening_ms;
        self.at(self.time_ms.max(opening));
        for j in 1..=2 {
            let shares = self.shares_of(tender, j);
            self.ok(HOLDERS[j - 1], ProcurementCall::PublishShares { tender, shares });
        }
        assert!(self.tender(tender).all_open());
    }

    /// Both committee members give `scores` to a bid for lot 0.
    fn score_both(&mut self, tender: u64, bid: u32, scores: [u8; 2]) {
        for (member, score) in EVALUATORS.iter().zip(scores) {
            self.ok(member, ProcurementCall::ScoreBid { tender, lot: 0, bid, scores: vec![score] });
        }
    }

    /// A tender with three bids (Asphalt 900,000, Bitumen 800,000, Cobble 950,000), opened and scored: Asphalt's
    /// technical merit 90 and 80, Bitumen's 40 and 50, Cobble's 60 and 60. Returns the tender's number.
    fn scored_tender(&mut self) -> u64 {
        let tender = self.publish();
        self.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
        self.submit(BERT, BITUMEN, tender, &[(0, 800_000)]);
        self.submit(CLEO, COBBLE, tender, &[(0, 950_000)]);
        self.open_all(tender);
        self.score_both(tender, 1, [90, 80]);
        self.score_both(tender, 2, [40, 50]);
        self.score_both(tender, 3, [60, 60]);
        tender
    }
}

/// A ceremony among the three holders with deadlines 1, 2 and 3 days after `now`.
fn ceremony(now: u64, threshold: u16) -> ProcurementCall {
    ProcurementCall::CreateSealingKey {
        name: "Nordvik bids 2026".into(),
        holders: HOLDERS.iter().map(|n| addr(n)).collect(),
        threshold,
        register_by_ms: now + DAY,
        deal_by_ms: now + 2 * DAY,
        complaints_by_ms: now + 3 * DAY,
    }
}
