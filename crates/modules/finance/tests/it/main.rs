//! The finance module over an in-memory state: public money (currencies, accounts, tiers, holds, transfers), budgets
//! traced to every payment, welfare paid once per citizen, scheme and period, and the double-entry invariant over
//! random sequences of calls. This file holds the world every test starts from and the steps they share.

mod budget;
mod invariant;
mod money;
mod welfare;

use publica_finance::call::{nullifier_input, BudgetLineSpec, FinanceCall, Holder};
use publica_finance::execute;
use publica_finance::schema::{self, AgencyAccount, CurrencyRecord, PrivateAccount};
use publica_testkit::{context, keypair, Accounts, MemoryState, TEST_CHAIN_ID};
use publica_types::{Address, AgencyId, CallContext, Code, Hash, StateWrite as _, TxError, TxId, TxOutcome};

/// One day in milliseconds.
const DAY_MS: u64 = 86_400_000;
/// One hour in milliseconds.
const HOUR_MS: u64 = 3_600_000;

/// The currency every test uses, issued by the central bank.
const SEK: &str = "SEK";
/// A second currency, issued by another central bank.
const EUR: &str = "EUR";
/// The fiscal year of the budget.
const YEAR: u16 = 2026;

/// Tier 1: a basic wallet.
const TIER1_CAP: u64 = 10_000;
const TIER1_DAILY: u64 = 5_000;
/// Tier 2: a checked wallet or a business account.
const TIER2_CAP: u64 = 1_000_000;
const TIER2_DAILY: u64 = 200_000;
/// What the central bank issues into the treasury account when the world starts.
const TREASURY_FUNDS: u64 = 1_000_000;

/// The company whose business account `olga` operates.
const COMPANY: &str = "5560-0001";
/// A company with no account.
const OTHER_COMPANY: &str = "5560-0002";

/// The agencies.
const CENTRAL_BANK: &str = "central-bank";
const FOREIGN_BANK: &str = "foreign-central-bank";
const BANK: &str = "bank";
const BANK_2: &str = "bank-2";
const COURT: &str = "court";
const PARLIAMENT: &str = "parliament";
const MINISTRY: &str = "finance-ministry";
const SOCIAL: &str = "social-agency";
const SOCIAL_2: &str = "social-agency-2";
const WORKS: &str = "works-agency";
const REGISTRY: &str = "civil-registry";
const REGISTRY_2: &str = "civil-registry-2";

/// The block time of `day` (from 1) of the month `period` (`YYYYMM`), at `hour` UTC.
fn at(period: u32, day: u64, hour: u64) -> u64 {
    schema::month_start_ms(period).expect("a month") + (day - 1) * DAY_MS + hour * HOUR_MS
}

/// An agency's id.
fn agency(id: &str) -> AgencyId {
    id.parse().expect("a valid agency id")
}

/// The address of the account made with the key of `name`.
fn addr(name: &str) -> Address {
    keypair(name).address()
}

/// An agency as a holder.
fn public(id: &str) -> Holder {
    Holder::Agency(agency(id))
}

/// A citizen as a holder.
fn wallet(name: &str) -> Holder {
    Holder::Citizen(addr(name))
}

/// A company as a holder.
fn company(number: &str) -> Holder {
    Holder::Company(number.to_owned())
}

/// The world every test starts from.
///
/// Agencies: the central bank (`currency-issuer`, `bank-supervisor`) issues SEK; a foreign central bank
/// (`currency-issuer`) issues EUR; two banks; a court; the parliament; the finance ministry (`budget-officer`,
/// `treasurer`), whose account is the treasury; two social agencies (`spending-officer`, `treasurer`,
/// `welfare-officer`); a works agency (`spending-officer`, `treasurer`); two civil registries registering citizens.
///
/// SEK has tiers 1 and 2 and the treasury holds [`TREASURY_FUNDS`]; `alice`, `bob`, `carol`, `dave` (registered by
/// the first registry) and `erin` (by the second) have tier 1 wallets opened by the first bank; `olga` (first
/// registry) has no wallet and operates the business account of [`COMPANY`] (tier 2).
struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
}

/// The names of the officials, by role.
const GOVERNOR: &str = "governor";
const SUPERVISOR: &str = "supervisor";
const FOREIGN_GOVERNOR: &str = "foreign-governor";
const BANKER: &str = "banker";
const BANKER_2: &str = "banker-2";
const JUDGE: &str = "judge";
const MP: &str = "member-of-parliament";
const BUDGET_OFFICER: &str = "budget-officer";
const MINISTRY_TREASURER: &str = "ministry-treasurer";
const SOCIAL_SPENDER: &str = "social-spender";
const SOCIAL_TREASURER: &str = "social-treasurer";
const WELFARE_OFFICER: &str = "welfare-officer";
const SOCIAL_2_SPENDER: &str = "social-2-spender";
const SOCIAL_2_TREASURER: &str = "social-2-treasurer";
const WELFARE_2_OFFICER: &str = "welfare-2-officer";
const WORKS_SPENDER: &str = "works-spender";
const WORKS_TREASURER: &str = "works-treasurer";
const REGISTRAR: &str = "registrar";

/// The citizens.
const ALICE: &str = "alice";
const BOB: &str = "bob";
const CAROL: &str = "carol";
const DAVE: &str = "dave";
const ERIN: &str = "erin";
const OLGA: &str = "olga";

impl World {
    /// The world, at 12:00 UTC on 10 March 2026.
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency(CENTRAL_BANK, &["currency-issuer", "bank-supervisor"])
            .agency(FOREIGN_BANK, &["currency-issuer"])
            .agency(BANK, &["bank"])
            .agency(BANK_2, &["bank"])
            .agency(COURT, &["court"])
            .agency(PARLIAMENT, &["parliament"])
            .agency(MINISTRY, &["budget-officer", "treasurer"])
            .agency(SOCIAL, &["spending-officer", "treasurer", "welfare-officer"])
            .agency(SOCIAL_2, &["spending-officer", "treasurer", "welfare-officer"])
            .agency(WORKS, &["spending-officer", "treasurer"])
            .agency_registering_citizens(REGISTRY, &["citizen-registrar"])
            .agency_registering_citizens(REGISTRY_2, &["citizen-registrar"]);
        for (name, agency, roles) in [
            (GOVERNOR, CENTRAL_BANK, &["currency-issuer"][..]),
            (SUPERVISOR, CENTRAL_BANK, &["bank-supervisor"]),
            (FOREIGN_GOVERNOR, FOREIGN_BANK, &["currency-issuer"]),
            (BANKER, BANK, &["bank"]),
            (BANKER_2, BANK_2, &["bank"]),
            (JUDGE, COURT, &["court"]),
            (MP, PARLIAMENT, &["parliament"]),
            (BUDGET_OFFICER, MINISTRY, &["budget-officer"]),
            (MINISTRY_TREASURER, MINISTRY, &["treasurer"]),
            (SOCIAL_SPENDER, SOCIAL, &["spending-officer"]),
            (SOCIAL_TREASURER, SOCIAL, &["treasurer"]),
            (WELFARE_OFFICER, SOCIAL, &["welfare-officer"]),
            (SOCIAL_2_SPENDER, SOCIAL_2, &["spending-officer"]),
            (SOCIAL_2_TREASURER, SOCIAL_2, &["treasurer"]),
            (WELFARE_2_OFFICER, SOCIAL_2, &["welfare-officer"]),
            (WORKS_SPENDER, WORKS, &["spending-officer"]),
            (WORKS_TREASURER, WORKS, &["treasurer"]),
            (REGISTRAR, REGISTRY, &["citizen-registrar"]),
        ] {
            accounts.official(name, agency, roles);
        }
        for name in [ALICE, BOB, CAROL, DAVE, OLGA] {
            accounts.citizen(name, REGISTRY);
        }
        accounts.citizen(ERIN, REGISTRY_2);

        let mut w = World { state, height: 1, time_ms: at(202603, 10, 12) };
        w.ok(GOVERNOR, FinanceCall::DefineCurrency { code: SEK.into(), name: "Swedish krona".into(), decimals: 2 });
        w.ok(GOVERNOR, set_tier(SEK, 1, TIER1_CAP, TIER1_DAILY));
        w.ok(GOVERNOR, set_tier(SEK, 2, TIER2_CAP, TIER2_DAILY));
        w.ok(FOREIGN_GOVERNOR, FinanceCall::DefineCurrency { code: EUR.into(), name: "Euro".into(), decimals: 2 });
        w.ok(FOREIGN_GOVERNOR, set_tier(EUR, 1, TIER1_CAP, TIER1_DAILY));
        w.ok(GOVERNOR, FinanceCall::Issue { currency: SEK.into(), to: agency(MINISTRY), amount: TREASURY_FUNDS });
        for name in [ALICE, BOB, CAROL, DAVE, ERIN] {
            w.ok(BANKER, open(SEK, wallet(name), None, 1));
        }
        w.ok(BANKER, open(SEK, company(COMPANY), Some(addr(OLGA)), 2));
        w
    }

    /// The context of a call by `sender` in the current block: each block carries one transaction, whose id is
    /// the height's.
    fn ctx(&self, sender: Address) -> CallContext {
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        context(sender).block(self.height, self.time_ms).tx_id(TxId(tx)).build()
    }

    /// Execute `call` as the account of `sender` in the next block. A refused call's writes are discarded, as
    /// execution discards a refused transaction's; the books must balance after every call.
    fn run(&mut self, sender: &str, call: FinanceCall) -> Result<TxOutcome, TxError> {
        self.run_as(addr(sender), call)
    }

    /// [`World::run`] for any address.
    fn run_as(&mut self, sender: Address, call: FinanceCall) -> Result<TxOutcome, TxError> {
        self.height += 1;
        let ctx = self.ctx(sender);
        let before = self.state.clone();
        let result = execute(&mut self.state, &ctx, &call);
        if result.is_err() {
            self.state = before;
        }
        assert_books(&self.state);
        result
    }

    /// Execute a call that must succeed.
    #[track_caller]
    fn ok(&mut self, sender: &str, call: FinanceCall) -> TxOutcome {
        let method = call.method();
        match self.run(sender, call) {
            Ok(outcome) => outcome,
            Err(e) => panic!("{method} refused: {} ({})", e.code, e.message),
        }
    }

    /// Execute a call that must be refused with `code`, and check that it changed nothing: neither the state nor
    /// any balance.
    #[track_caller]
    fn err(&mut self, sender: &str, call: FinanceCall, code: impl Into<Code>) -> TxError {
        self.err_as(addr(sender), call, code)
    }

    /// [`World::err`] for any address.
    #[track_caller]
    fn err_as(&mut self, sender: Address, call: FinanceCall, code: impl Into<Code>) -> TxError {
        let code = code.into();
        let method = call.method();
        let (state, moneys) = (self.state.clone(), balances(&self.state));
        let error = match self.run_as(sender, call) {
            Ok(outcome) => panic!("{method} should be refused with {code}, but gave {outcome:?}"),
            Err(error) => error,
        };
        assert_eq!(error.code, code, "{method} refused with {} ({}), not {code}", error.code, error.message);
        assert!(!error.message.is_empty(), "a refusal says what was wrong");
        assert_eq!(balances(&self.state), moneys, "a refused {method} moved money");
        assert!(self.state == state, "a refused {method} changed the state");
        error
    }

    /// A SEK balance.
    fn balance(&self, holder: &Holder) -> u64 {
        self.balance_in(SEK, holder)
    }

    /// A balance in `currency` (an agency's, or an open private account's).
    fn balance_in(&self, currency: &str, holder: &Holder) -> u64 {
        match holder {
            Holder::Agency(agency) => schema::agency_account(&self.state, currency, agency).balance,
            _ => self.account_in(currency, holder).balance,
        }
    }

    /// A SEK private account, which must be open.
    fn account(&self, holder: &Holder) -> PrivateAccount {
        self.account_in(SEK, holder)
    }

    /// A private account in `currency`, which must be open.
    fn account_in(&self, currency: &str, holder: &Holder) -> PrivateAccount {
        schema::private_account(&self.state, currency, holder).unwrap_or_else(|| panic!("{holder:?} has no account"))
    }

    /// The SEK currency record.
    fn currency(&self) -> CurrencyRecord {
        schema::currency(&self.state, SEK).expect("SEK is defined")
    }

    /// Enact the 2026 budget: education, social benefits and public works, paid from the finance ministry's account.
    fn enact_budget(&mut self) {
        self.ok(MP, enact(YEAR, budget_lines()));
    }

    /// Allocate `amount` of `line` to `to`; returns the allocation's number.
    fn allocate(&mut self, line: &str, to: &str, amount: u64) -> u64 {
        let call = FinanceCall::Allocate {
            year: YEAR,
            line: line.into(),
            agency: agency(to),
            amount,
            reference: "Decision 2026:1".into(),
        };
        id(self.ok(BUDGET_OFFICER, call))
    }

    /// Commit `amount` of an allocation as `spender`; returns the commitment's number.
    fn commit(&mut self, spender: &str, allocation: u64, amount: u64, payee: Option<Holder>) -> u64 {
        id(self.ok(spender, commit(allocation, amount, payee)))
    }

    /// The world with the budget enacted and a programme of the scheme `child-benefit` run by the first social
    /// agency: 1,000 a claim from March to December 2026, for citizens of the first registry, funded by a commitment
    /// of 20,000. Returns the programme's number.
    fn child_benefit(&mut self) -> u64 {
        self.enact_budget();
        let allocation = self.allocate("SOC-1", SOCIAL, 100_000);
        let commitment = self.commit(SOCIAL_SPENDER, allocation, 20_000, None);
        let call = programme(commitment, "child-benefit", 1_000, (202603, 202612), Some(REGISTRY));
        id(self.ok(WELFARE_OFFICER, call))
    }
}

/// Suspend an account, as its agency's administrator would.
fn suspend(w: &mut World, name: &str) {
    let mut record = publica_accounts::account(&w.state, &addr(name)).expect("an account");
    record.active = false;
    w.state.put(publica_accounts::schema::account_key(&addr(name)), publica_types::codec::encode(&record));
}

/// Every private and agency balance of every currency, by key.
fn balances(state: &MemoryState) -> Vec<(Vec<u8>, u64)> {
    let public = state.keys_with_prefix(b"fin/a/").map(|key| {
        let account: AgencyAccount = schema::get(state, key).expect("an agency account decodes");
        (key.to_vec(), account.balance)
    });
    let private = state.keys_with_prefix(b"fin/w/").map(|key| {
        let account: PrivateAccount = schema::get(state, key).expect("a private account decodes");
        (key.to_vec(), account.balance)
    });
    public.chain(private).collect()
}

/// The double-entry invariant of every currency: `issued - redeemed` equals the sum of the balances, and the
/// currency's sums of public and private balances equal the sums of the agencies' and the private accounts' records.
#[track_caller]
fn assert_books(state: &MemoryState) {
    let codes: Vec<Vec<u8>> = state.keys_with_prefix(b"fin/c/").map(<[u8]>::to_vec).collect();
    for key in codes {
        let record: CurrencyRecord = schema::get(state, &key).expect("a currency record decodes");
        assert!(record.balanced(), "{} is out of balance: {record:?}", record.code);
        let sum = |prefix: &str, balance: fn(&MemoryState, &[u8]) -> u64| -> (u128, u64) {
            let keys: Vec<&[u8]> = state.keys_with_prefix(prefix.as_bytes()).collect();
            (keys.iter().map(|k| u128::from(balance(state, k))).sum(), keys.len() as u64)
        };
        let (public, _) = sum(&format!("fin/a/{}/", record.code), |s, k| {
            schema::get::<AgencyAccount>(s, k).expect("an agency account decodes").balance
        });
        let (private, accounts) = sum(&format!("fin/w/{}/", record.code), |s, k| {
            schema::get::<PrivateAccount>(s, k).expect("a private account decodes").balance
        });
        assert_eq!(public, u128::from(record.public_balances), "{}: the agencies' balances", record.code);
        assert_eq!(private, u128::from(record.private_balances), "{}: the private balances", record.code);
        assert_eq!(accounts, record.private_accounts, "{}: the private accounts opened", record.code);
    }
}

/// The number a call gave.
#[track_caller]
fn id(outcome: TxOutcome) -> u64 {
    match outcome {
        TxOutcome::Allocation { id }
        | TxOutcome::Commitment { id }
        | TxOutcome::Payment { id }
        | TxOutcome::Programme { id } => id,
        other => panic!("the call gave no number: {other:?}"),
    }
}

fn set_tier(currency: &str, tier: u8, balance_cap: u64, daily_outflow_cap: u64) -> FinanceCall {
    FinanceCall::SetTier { currency: currency.into(), tier, balance_cap, daily_outflow_cap }
}

/// A blinding the bank draws: here derived from the holder, so that runs repeat.
fn blinding(holder: &Holder) -> Hash {
    publica_crypto::sha256(format!("blinding/{holder:?}").as_bytes())
}

fn open(currency: &str, holder: Holder, operator: Option<Address>, tier: u8) -> FinanceCall {
    let blinding = blinding(&holder);
    FinanceCall::OpenAccount { currency: currency.into(), holder, operator, tier, blinding }
}

fn transfer(from: Holder, to: Holder, amount: u64) -> FinanceCall {
    transfer_in(SEK, from, to, amount)
}

fn transfer_in(currency: &str, from: Holder, to: Holder, amount: u64) -> FinanceCall {
    FinanceCall::Transfer { currency: currency.into(), from, to, amount, reference: "Invoice 17".into() }
}

fn line(code: &str, cofog: &str, economic: &str, appropriation: u64) -> BudgetLineSpec {
    BudgetLineSpec {
        code: code.into(),
        cofog: cofog.into(),
        economic: economic.into(),
        name: format!("Line {code}"),
        appropriation,
    }
}

/// The lines of the 2026 budget.
fn budget_lines() -> Vec<BudgetLineSpec> {
    vec![
        line("EDU-1", "09.1", "21", 500_000),
        line("SOC-1", "10.4", "27", 300_000),
        line("WORKS-1", "04.5", "31", 200_000),
    ]
}

fn enact(year: u16, lines: Vec<BudgetLineSpec>) -> FinanceCall {
    FinanceCall::EnactBudget {
        year,
        currency: SEK.into(),
        treasury: agency(MINISTRY),
        reference: format!("Budget Act {year}"),
        lines,
    }
}

fn commit(allocation: u64, amount: u64, payee: Option<Holder>) -> FinanceCall {
    FinanceCall::CommitFunds { allocation, amount, payee, reference: "Order 2026-001".into() }
}

fn pay(commitment: u64, to: Holder, amount: u64) -> FinanceCall {
    FinanceCall::Pay { commitment, to, amount, reference: "Invoice 2026-17".into() }
}

fn programme(
    commitment: u64,
    scheme: &str,
    amount: u64,
    (first_period, last_period): (u32, u32),
    registered_by: Option<&str>,
) -> FinanceCall {
    FinanceCall::CreateProgramme {
        name: "Child benefit".into(),
        scheme: scheme.into(),
        commitment,
        amount,
        first_period,
        last_period,
        registered_by: registered_by.map(agency),
        requires: vec!["https://example.org/vct/guardianship".into()],
    }
}

/// The nullifier proof of `name`'s current key for a scheme and a period, on the test chain.
fn proof(name: &str, scheme: &str, period: u32) -> Vec<u8> {
    publica_crypto::vrf::prove(&keypair(name), &nullifier_input(TEST_CHAIN_ID, scheme, period)).to_vec()
}

/// A claim for `name` with their own proof.
fn claim(programme: u64, period: u32, name: &str, scheme: &str) -> FinanceCall {
    FinanceCall::Claim { programme, period, citizen: addr(name), proof: proof(name, scheme, period) }
}
