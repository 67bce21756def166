//! The Rust source and the shipped module (example.wat assembled) answer alike: the same status or abort
//! message, output, state, events and host calls in the same order, for every input form, table and role.
//!
//! The source runs natively on the SDK's mock host; the module runs on the ledger's runtime.

use publica_contract_sdk::mock::{self, MockHost};
use publica_wasm::{Engine, Error, Failure, MemoryHost};
use std::collections::BTreeMap;

/// One call: its input, the table in state and whether the sender holds `fee-setter`.
#[derive(Clone, Debug)]
struct Case {
    input: Vec<u8>,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    fee_setter: bool,
}

/// What a call did, in terms both hosts can report.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: Result<i32, String>,
    output: Vec<u8>,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    events: Vec<(Vec<u8>, Vec<u8>)>,
    /// The host calls, as `Debug` text: both hosts' effects have the same variant names and fields for the
    /// calls this contract makes.
    log: Vec<String>,
}

fn native(case: &Case) -> Answer {
    let mut host = MockHost { input: case.input.clone(), state: case.state.clone(), ..MockHost::default() };
    if case.fee_setter {
        host.roles.insert(b"fee-setter".to_vec());
    }
    let (status, host) = mock::run(host, fee_schedule::entry);
    Answer {
        status,
        output: host.output,
        state: host.state,
        events: host.events,
        log: host.log.iter().map(|effect| format!("{effect:?}")).collect(),
    }
}

fn shipped(engine: &Engine, case: &Case) -> Answer {
    let code = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fee-schedule.wasm")).expect("the module");
    let contract = engine.compile(&code).expect("the runtime accepts the module");
    let mut host = MemoryHost { state: case.state.clone(), ..MemoryHost::default() };
    if case.fee_setter {
        host.roles.insert(b"fee-setter".to_vec());
    }
    let (status, output) = match engine.run(&contract, &mut host, &case.input, 10_000_000) {
        Ok(outcome) => (Ok(outcome.status), outcome.output),
        Err(Failure { error: Error::Aborted { message }, .. }) => (Err(message), Vec::new()),
        Err(failure) => panic!("the module failed otherwise than by abort on {case:?}: {failure}"),
    };
    Answer {
        status,
        output,
        state: host.state,
        events: host.events,
        log: host.log.iter().map(|effect| format!("{effect:?}")).collect(),
    }
}

fn key(service: u32) -> Vec<u8> {
    [&b"fee/"[..], &service.to_le_bytes()].concat()
}

fn entry(base: u64, unit: u64) -> Vec<u8> {
    [base.to_le_bytes(), unit.to_le_bytes()].concat()
}

/// A small deterministic generator (SplitMix64), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn cases() -> Vec<Case> {
    let services = [0u32, 7, 101, u32::MAX];
    let quantities = [0u32, 1, 2, 3, 1_000, u32::MAX];
    let amounts = [0u64, 1, 1_250, u64::MAX / 2, u64::MAX / 3, u64::MAX];
    let tables: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = vec![
        BTreeMap::new(),
        BTreeMap::from([(key(101), entry(3_000, 1_250))]),
        BTreeMap::from([(key(7), entry(1, u64::MAX / 2)), (key(101), entry(0, 0))]),
        BTreeMap::from([(key(7), entry(u64::MAX, 1)), (key(0), entry(5, u64::MAX))]),
    ];
    let mut all = Vec::new();
    for table in &tables {
        for fee_setter in [false, true] {
            let case = |input: Vec<u8>| Case { input, state: table.clone(), fee_setter };
            for service in services {
                for quantity in quantities {
                    all.push(case([&[1u8][..], &service.to_le_bytes(), &quantity.to_le_bytes()].concat()));
                }
                for (base, unit) in [(0, 0), (1, 2), (u64::MAX, u64::MAX)] {
                    all.push(case([&[2u8][..], &service.to_le_bytes(), &entry(base, unit)].concat()));
                }
            }
            for len in [0usize, 1, 8, 9, 10, 20, 21, 22, 32, 33, 64] {
                for tag in [0u8, 1, 2, 3, 255] {
                    all.push(case([&[tag][..], &vec![0x5a; len.saturating_sub(1)]].concat()[..len].to_vec()));
                }
            }
        }
    }
    // Corrupt entries: the quote aborts, alike.
    for len in [0usize, 8, 15, 17, 64] {
        let state = BTreeMap::from([(key(101), vec![1; len])]);
        all.push(Case {
            input: [&[1u8][..], &101u32.to_le_bytes(), &1u32.to_le_bytes()].concat(),
            state,
            fee_setter: false,
        });
    }
    // Random calls over random tables.
    let mut rng = Rng(0x5eed);
    for _ in 0..2_000 {
        let mut state = BTreeMap::new();
        for _ in 0..rng.next() % 3 {
            state.insert(key(rng.pick(&services)), entry(rng.pick(&amounts), rng.pick(&amounts)));
        }
        let service = rng.pick(&services).to_le_bytes();
        let input = match rng.next() % 3 {
            0 => [&[1u8][..], &service, &rng.pick(&quantities).to_le_bytes()].concat(),
            1 => [&[2u8][..], &service, &entry(rng.pick(&amounts), rng.pick(&amounts))].concat(),
            _ => (0..rng.next() % 40).map(|_| rng.next() as u8).collect(),
        };
        all.push(Case { input, state, fee_setter: rng.next().is_multiple_of(2) });
    }
    all
}

#[test]
fn the_source_and_the_shipped_module_answer_alike() {
    // The mock reports an abort by unwinding; keep the test's output to the failures that matter.
    std::panic::set_hook(Box::new(|_| {}));
    let engine = Engine::new();
    let cases = cases();
    for case in &cases {
        let (native, shipped) = (native(case), shipped(&engine, case));
        assert_eq!(native, shipped, "the source and the module differ on {case:?}");
    }
    let _ = std::panic::take_hook();
    assert!(cases.len() > 2_500);
}
