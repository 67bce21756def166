//! How much a proposer puts in its block: an adaptive bound, in transactions and bytes, under the configured
//! maxima (`[block] txs_max` and `bytes_max`, which stay hard caps).
//!
//! Every validator must receive a proposal and re-execute it before its propose timeout (`[consensus]
//! propose_ms`) expires, or it votes nil and the round fails. A proposer with a large backlog that simply fills its
//! block to the maxima builds a block the others cannot check in time (8,192 registrations are about 44 MB): the
//! round fails, and the next proposer commits an empty block if its mempool is empty, or builds another block too
//! large if it has a backlog too, until the rounds' growing timeouts let one through; with every validator holding
//! a backlog, four validators on two cores committed 11 heights in 4 minutes, then nothing. This module chooses a
//! block that fits the time instead.
//!
//! ## The bound
//!
//! The bound is the smallest of three limits, and never below one transaction (and one transaction of the
//! largest size), so that a backlog always drains:
//!
//! 1. **the caps**: `txs_max` and `bytes_max` of the configuration;
//! 2. **the cost model**: the block the proposer expects to be built, transferred and re-executed within the
//!    [budget](BUDGET_FRACTION). It keeps moving averages of the seconds per transaction and per byte of
//!    executing blocks, separately for its own proposals ("build", with signatures already verified at admission)
//!    and for other proposers' blocks it validated ("check", what a receiving validator pays, signatures
//!    included), and of the seconds per byte of getting a block to the others (what the time from building its
//!    own proposal to committing it left after building and checking). Each per-transaction and per-byte estimate
//!    charges the whole execution time to its own dimension, so each limit alone keeps a block of the recent mix of
//!    transactions within the budget: many cheap transactions meet the transaction limit first, a few large ones
//!    the byte limit;
//! 3. **the window**, grown and shrunk by the outcome of the proposer's own proposals (AIMD, as TCP's congestion
//!    window): each proposal of this node is watched until its height is decided. Decided in the round it was
//!    proposed for within the budget, and full up to the window in a dimension: that dimension of the window grows
//!    (doubling until the first shrink, then by a fixed step). Decided in its round but later than the budget
//!    allows: the window shrinks to three quarters of what the block carried, if that was at least half the window
//!    in a dimension (a smaller block was not slow for its size). Not decided in its round (the round failed, or
//!    another block was decided): the window shrinks to half of what the block carried, or of half the window if
//!    the block was smaller (one event takes at most three quarters of the window away). The model
//!    reacts to a change in the transactions' cost before any round fails; the window catches what the model
//!    does not see (a slow link, a loaded machine, votes arriving late).
//!
//! A proposer whose own voting power is more than two thirds of the set (a single validator) **decides alone**:
//! no other validator has to receive or check its block before the height is decided, so there is no one to keep
//! waiting. Its bound is then the caps and the cost model of building alone (its block must still be built within
//! the budget), and the window is neither used nor adjusted: it waits, unchanged, for the day governance adds
//! validators.
//!
//! Everything here is the proposer's own choice: validators check blocks by the same rules whatever their size
//! (up to the protocol's `MAX_BLOCK_TXS` and `MAX_BLOCK_BYTES`), so nodes need not agree on the bound and it need
//! not be deterministic.

use std::time::{Duration, Instant};

use publica_types::{Hash, MAX_TX_BYTES};

/// The fraction of `propose_ms` a proposal is planned to take from the moment the proposer starts building it to
/// the moment the network decides it: building, transferring and checking it, and the two voting steps.
///
/// A third, because the propose timeout must also cover what the proposer cannot see or plan for: validators
/// start the round up to one commit apart (each commits the previous block in its own time), so a slow validator
/// has less than the full timeout; on a machine or link shared with other work, one block's cost varies by a
/// factor of two from one height to the next; and the window overshoots by one growth step before it learns that a
/// block is too large. With a third, a block that takes twice its plan still arrives in time, and a round fails
/// only when a block takes three times what recent blocks predicted.
pub const BUDGET_FRACTION: f64 = 1.0 / 3.0;

/// The window a node starts with, in transactions: small enough that a first block of expensive transactions is
/// checked in time on a slow network (256 registrations are 1.4 MB and take about 0.2 s to check on two cores),
/// large enough that the window doubles to its working size within a few of the node's own proposals.
pub const INITIAL_WINDOW_TXS: usize = 256;

/// The window a node starts with, in bytes (eight transactions of the largest size).
pub const INITIAL_WINDOW_BYTES: usize = 8 * MAX_TX_BYTES;

/// What a window grows by after a fast, full proposal once it has shrunk once (congestion avoidance), in
/// transactions: a sixteenth of the thousand registrations that four validators sharing two cores check within a
/// budget of one second.
pub const WINDOW_STEP_TXS: usize = 64;

/// What a window grows by in bytes after a fast proposal full in bytes (half a megabyte: about 100 registrations).
pub const WINDOW_STEP_BYTES: usize = 512 * 1024;

/// A block shorter than this is no sample of the per-transaction cost: its fixed costs (state root, headers,
/// votes) would count as the transactions' and shrink the bound for no reason.
pub const MIN_SAMPLE_TXS: usize = 32;

/// Weight of the newest sample in the moving averages: about the last five blocks count.
const EWMA_WEIGHT: f64 = 0.3;

/// A block counts as full in a dimension when it carries at least this share of the window there.
const FULL_SHARE: f64 = 0.9;

/// Own proposals watched at once; a height's proposals are forgotten when it is decided, so more than a few means
/// heights were decided without this node hearing of them.
const MAX_WATCHED: usize = 16;

/// A moving average, unknown until its first sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Ewma(Option<f64>);

impl Ewma {
    /// Add a sample.
    pub fn observe(&mut self, sample: f64) {
        if !sample.is_finite() || sample < 0.0 {
            return;
        }
        self.0 = Some(match self.0 {
            None => sample,
            Some(old) => old + EWMA_WEIGHT * (sample - old),
        });
    }

    /// The average, if any sample was seen.
    pub fn get(&self) -> Option<f64> {
        self.0
    }
}

/// How much the next proposal may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most transactions.
    pub txs: usize,
    /// Most bytes of transactions.
    pub bytes: usize,
}

/// Which execution a timing comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// This node built its own proposal (signatures verified at admission, found in the cache).
    Build,
    /// This node checked another proposer's block, as every receiving validator does.
    Check,
}

/// What the outcome of one of this node's proposals did to the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// Decided in its round within the budget, and full: the window grew.
    Grew,
    /// Decided in its round within the budget, but not full, or empty: the window stays.
    Kept,
    /// Decided in its round but later than the budget: the window shrank to three quarters of the block (unless
    /// the block was under half the window: then it stays).
    Slow,
    /// Not decided in its round: the window shrank to half of the block.
    Failed,
}

impl Adjustment {
    /// The metric label and log word.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Grew => "grew",
            Self::Kept => "kept",
            Self::Slow => "slow",
            Self::Failed => "failed",
        }
    }
}

/// What became of one of this node's proposals, and what it did to the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The proposal's height.
    pub height: u64,
    /// The round it was proposed for.
    pub round: u32,
    /// Transactions it carried.
    pub txs: usize,
    /// Bytes of transactions it carried.
    pub bytes: usize,
    /// From the start of its building to its decision; `None` when it was not decided.
    pub elapsed: Option<Duration>,
    /// What it did to the window.
    pub adjustment: Adjustment,
}

/// One of this node's proposals, watched until its height is decided.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// Its height.
    pub height: u64,
    /// The round it was built for.
    pub round: u32,
    /// Its block hash.
    pub hash: Hash,
    /// Transactions it carries.
    pub txs: usize,
    /// Bytes of transactions it carries.
    pub bytes: usize,
    /// When its building started.
    pub started: Instant,
    /// How long building it took.
    pub build: Duration,
}

/// The proposer's adaptive bound (see the module documentation).
#[derive(Clone, Debug)]
pub struct ProposalBound {
    cap: Limits,
    budget: Duration,
    adaptive: bool,
    window_txs: usize,
    window_bytes: usize,
    /// Doubling (until the first shrink) rather than growing by a step.
    slow_start: bool,
    build_per_tx: Ewma,
    build_per_byte: Ewma,
    check_per_tx: Ewma,
    check_per_byte: Ewma,
    transfer_per_byte: Ewma,
    bytes_per_tx: Ewma,
    watched: Vec<Proposal>,
    /// This node's voting power alone decides a height (see the module documentation).
    alone: bool,
}

impl ProposalBound {
    /// A bound under the caps `txs_max` and `bytes_max`, planning each proposal to take [`BUDGET_FRACTION`] of
    /// `propose_ms`. Not `adaptive`, it is simply the caps (the measurements are still kept, for the metrics).
    pub fn new(txs_max: usize, bytes_max: usize, propose_ms: u64, adaptive: bool) -> Self {
        let cap = Limits { txs: txs_max.max(1), bytes: bytes_max.max(1) };
        Self {
            cap,
            budget: Duration::from_secs_f64(propose_ms as f64 / 1000.0 * BUDGET_FRACTION),
            adaptive,
            window_txs: INITIAL_WINDOW_TXS.min(cap.txs),
            window_bytes: INITIAL_WINDOW_BYTES.min(cap.bytes),
            slow_start: true,
            build_per_tx: Ewma::default(),
            build_per_byte: Ewma::default(),
            check_per_tx: Ewma::default(),
            check_per_byte: Ewma::default(),
            transfer_per_byte: Ewma::default(),
            bytes_per_tx: Ewma::default(),
            watched: Vec::new(),
            alone: false,
        }
    }

    /// Say whether this node's own voting power is more than two thirds of the current set, so that no other
    /// validator has to receive and check its proposals before a height is decided.
    pub fn set_alone(&mut self, alone: bool) {
        self.alone = alone;
    }

    /// Whether this node decides heights alone (see [`Self::set_alone`]).
    pub fn alone(&self) -> bool {
        self.alone
    }

    /// The time a proposal is planned to take, building to decision.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The configured maxima.
    pub fn cap(&self) -> Limits {
        self.cap
    }

    /// The AIMD window.
    pub fn window(&self) -> Limits {
        Limits { txs: self.window_txs, bytes: self.window_bytes }
    }

    /// The smallest bound under which one transaction of any size still fits.
    fn floor(&self) -> Limits {
        Limits { txs: 1, bytes: MAX_TX_BYTES.min(self.cap.bytes) }
    }

    /// What the cost model allows within the budget, in each dimension; `None` where nothing was measured yet.
    pub fn model(&self) -> (Option<usize>, Option<usize>) {
        let budget = self.budget.as_secs_f64();
        let limit = |cost: Option<f64>| cost.filter(|c| *c > 0.0).map(|c| (budget / c).min(usize::MAX as f64) as usize);
        if self.alone {
            // No receivers: building is the whole cost.
            return (limit(self.build_per_tx.get()), limit(self.build_per_byte.get()));
        }
        // Before this node checked anyone's block (a single validator, or the first heights), the receivers are
        // assumed to pay what building cost.
        let check_tx = self.check_per_tx.get().or(self.build_per_tx.get());
        let check_byte = self.check_per_byte.get().or(self.build_per_byte.get());
        let transfer = self.transfer_per_byte.get().unwrap_or(0.0);
        let per_tx = match (self.build_per_tx.get(), check_tx) {
            (Some(build), Some(check)) => Some(build + check + transfer * self.bytes_per_tx.get().unwrap_or(0.0)),
            _ => None,
        };
        let per_byte = match (self.build_per_byte.get(), check_byte) {
            (Some(build), Some(check)) => Some(build + check + transfer),
            _ => None,
        };
        (limit(per_tx), limit(per_byte))
    }

    /// How much the next proposal may carry.
    pub fn limits(&self) -> Limits {
        if !self.adaptive {
            return self.cap;
        }
        let (model_txs, model_bytes) = self.model();
        let floor = self.floor();
        if self.alone {
            let txs = self.cap.txs.min(model_txs.unwrap_or(usize::MAX)).max(floor.txs);
            let bytes = self.cap.bytes.min(model_bytes.unwrap_or(usize::MAX)).max(floor.bytes);
            return Limits { txs, bytes };
        }
        let txs = self.cap.txs.min(self.window_txs).min(model_txs.unwrap_or(usize::MAX)).max(floor.txs);
        let bytes = self.cap.bytes.min(self.window_bytes).min(model_bytes.unwrap_or(usize::MAX)).max(floor.bytes);
        Limits { txs, bytes }
    }

    /// Learn from one block's execution: `txs` transactions of `bytes` bytes in all, executed in `elapsed`.
    pub fn executed(&mut self, execution: Execution, txs: usize, bytes: usize, elapsed: Duration) {
        if txs < MIN_SAMPLE_TXS || bytes == 0 {
            return;
        }
        let seconds = elapsed.as_secs_f64();
        let (per_tx, per_byte) = match execution {
            Execution::Build => (&mut self.build_per_tx, &mut self.build_per_byte),
            Execution::Check => (&mut self.check_per_tx, &mut self.check_per_byte),
        };
        per_tx.observe(seconds / txs as f64);
        per_byte.observe(seconds / bytes as f64);
        self.bytes_per_tx.observe(bytes as f64 / txs as f64);
    }

    /// Watch a proposal this node built, until its height is decided.
    pub fn proposed(&mut self, proposal: Proposal) {
        let (height, round) = (proposal.height, proposal.round);
        self.watched.retain(|w| w.height >= height && !(w.height == height && w.round == round));
        if self.watched.len() >= MAX_WATCHED {
            self.watched.remove(0);
        }
        self.watched.push(proposal);
    }

    /// Height `height` was decided with block `hash` in `round`, at `now`: judge this node's proposals of that
    /// height and adjust the window. Returns what became of each (none when this node proposed nothing there).
    pub fn decided(&mut self, height: u64, round: u32, hash: &Hash, now: Instant) -> Vec<Outcome> {
        let (mine, rest): (Vec<Proposal>, Vec<Proposal>) =
            std::mem::take(&mut self.watched).into_iter().partition(|w| w.height == height);
        self.watched = rest.into_iter().filter(|w| w.height > height).collect();
        let mut outcomes = Vec::with_capacity(mine.len());
        for w in mine {
            let decided = w.round == round && &w.hash == hash;
            // A proposal of an earlier round than the deciding one failed; one of a later round was never needed.
            if !decided && w.round > round {
                continue;
            }
            let elapsed = decided.then(|| now.saturating_duration_since(w.started));
            let adjustment = match elapsed {
                // Deciding alone, no one else's receiving or checking is measured: the window stays as it is.
                _ if self.alone => Adjustment::Kept,
                None => self.shrink(&w, 1, 2, Adjustment::Failed),
                Some(elapsed) => {
                    self.learn_transfer(&w, elapsed);
                    if elapsed > self.budget {
                        // A block under half the window in both dimensions was not slow for its size (a loaded
                        // machine, a peer reconnecting): the window stays.
                        let half = |used: usize, window: usize| used.saturating_mul(2) >= window;
                        if half(w.txs, self.window_txs) || half(w.bytes, self.window_bytes) {
                            self.shrink(&w, 3, 4, Adjustment::Slow)
                        } else {
                            Adjustment::Slow
                        }
                    } else {
                        self.grow(&w)
                    }
                }
            };
            outcomes.push(Outcome { height, round: w.round, txs: w.txs, bytes: w.bytes, elapsed, adjustment });
        }
        outcomes
    }

    /// What the time from building a decided proposal to its decision says of the transfer: what is left after
    /// building it and checking it (at the estimated cost), per byte.
    fn learn_transfer(&mut self, w: &Proposal, elapsed: Duration) {
        if w.txs < MIN_SAMPLE_TXS || w.bytes == 0 {
            return;
        }
        let check = self.check_per_byte.get().or(self.build_per_byte.get()).unwrap_or(0.0) * w.bytes as f64;
        let rest = elapsed.as_secs_f64() - w.build.as_secs_f64() - check;
        self.transfer_per_byte.observe(rest.max(0.0) / w.bytes as f64);
    }

    /// Shrink the window to `num / den` of what the proposal carried (of the window, when it carried more), but
    /// of no less than half the window: a block far smaller than the window that was slow or failed says more
    /// about the moment (a pause, a peer reconnecting) than about size, so one event takes at most three quarters
    /// of the window away (a half and then `num / den`). Never below the floor. An empty proposal says nothing
    /// about size: the window stays.
    fn shrink(&mut self, w: &Proposal, num: usize, den: usize, why: Adjustment) -> Adjustment {
        if w.txs == 0 {
            return why;
        }
        let floor = self.floor();
        let base = |window: usize, carried: usize| window.min(carried).max(window / 2);
        self.window_txs = (base(self.window_txs, w.txs) * num / den).max(floor.txs);
        self.window_bytes = (base(self.window_bytes, w.bytes) * num / den).max(floor.bytes);
        self.slow_start = false;
        why
    }

    /// Grow each dimension of the window in which the proposal was full: double it during the slow start, else
    /// add a step; never above the caps.
    fn grow(&mut self, w: &Proposal) -> Adjustment {
        let full = |used: usize, window: usize| used as f64 >= window as f64 * FULL_SHARE;
        let full_txs = full(w.txs, self.window_txs);
        let full_bytes = full(w.bytes, self.window_bytes);
        if w.txs == 0 || !(full_txs || full_bytes) {
            return Adjustment::Kept;
        }
        let grown = |window: usize, step: usize, slow_start: bool| {
            if slow_start {
                window.saturating_mul(2)
            } else {
                window.saturating_add(step)
            }
        };
        if full_txs {
            self.window_txs = grown(self.window_txs, WINDOW_STEP_TXS, self.slow_start).min(self.cap.txs);
        }
        if full_bytes {
            self.window_bytes = grown(self.window_bytes, WINDOW_STEP_BYTES, self.slow_start).min(self.cap.bytes);
        }
        Adjustment::Grew
    }

    /// The cost estimates, for the metrics and logs: seconds per transaction and per byte of building and of
    /// checking, and of transfer per byte.
    pub fn estimates(&self) -> Estimates {
        Estimates {
            build_per_tx: self.build_per_tx.get(),
            build_per_byte: self.build_per_byte.get(),
            check_per_tx: self.check_per_tx.get(),
            check_per_byte: self.check_per_byte.get(),
            transfer_per_byte: self.transfer_per_byte.get(),
        }
    }
}

/// The cost estimates of a [`ProposalBound`], seconds (`None`: not measured yet).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimates {
    /// Building a proposal, per transaction.
    pub build_per_tx: Option<f64>,
    /// Building a proposal, per byte.
    pub build_per_byte: Option<f64>,
    /// Checking another proposer's block, per transaction.
    pub check_per_tx: Option<f64>,
    /// Checking another proposer's block, per byte.
    pub check_per_byte: Option<f64>,
    /// Getting a proposal to the others and their votes back, per byte.
    pub transfer_per_byte: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TX: usize = 5_400;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn p(height: u64, round: u32, hash: Hash, txs: usize, bytes: usize, started: Instant, build: Duration) -> Proposal {
        Proposal { height, round, hash, txs, bytes, started, build }
    }

    /// A bound with caps of 8,192 transactions and 48 MiB, for a 3 s propose timeout (a budget of 1 s).
    fn bound() -> ProposalBound {
        ProposalBound::new(8192, 48 << 20, 3000, true)
    }

    /// Propose a block as large as the bound allows at `height` (round 0), and have it decided after `elapsed`
    /// (or fail, with `None`).
    fn propose_full(b: &mut ProposalBound, height: u64, elapsed: Option<Duration>) -> Outcome {
        let limits = b.limits();
        let txs = limits.txs.min(limits.bytes / TX).max(1);
        let start = Instant::now();
        let hash = [height as u8; 32];
        b.proposed(p(height, 0, hash, txs, txs * TX, start, ms(1)));
        let outcomes = match elapsed {
            Some(e) => b.decided(height, 0, &hash, start + e),
            None => b.decided(height, 1, &[0xff; 32], start + ms(6000)),
        };
        assert_eq!(outcomes.len(), 1, "{outcomes:?}");
        outcomes[0]
    }

    #[test]
    fn a_new_bound_starts_at_its_initial_window_under_the_caps() {
        let b = bound();
        assert_eq!(b.limits(), Limits { txs: INITIAL_WINDOW_TXS, bytes: INITIAL_WINDOW_BYTES });
        assert_eq!(b.budget(), ms(1000));
        let small = ProposalBound::new(10, 20_000, 3000, true);
        assert_eq!(small.limits(), Limits { txs: 10, bytes: 20_000 });
        let fixed = ProposalBound::new(8192, 48 << 20, 3000, false);
        assert_eq!(fixed.limits(), Limits { txs: 8192, bytes: 48 << 20 });
    }

    #[test]
    fn fast_full_proposals_grow_the_window_doubling_then_by_steps_and_never_above_the_caps() {
        let mut b = bound();
        let outcome = propose_full(&mut b, 1, Some(ms(100)));
        assert_eq!(outcome.adjustment, Adjustment::Grew);
        // The first block is full in bytes (194 transactions of 5.4 KB fill 1 MiB): that dimension doubles.
        assert_eq!(b.window(), Limits { txs: INITIAL_WINDOW_TXS, bytes: 2 * INITIAL_WINDOW_BYTES }, "slow start");
        propose_full(&mut b, 2, Some(ms(100)));
        assert_eq!(b.window(), Limits { txs: 2 * INITIAL_WINDOW_TXS, bytes: 2 * INITIAL_WINDOW_BYTES });
        for h in 3..30 {
            propose_full(&mut b, h, Some(ms(100)));
        }
        assert_eq!(b.limits(), b.cap(), "a fast network reaches the caps and stays there");
        // Once shrunk, growth is additive.
        propose_full(&mut b, 30, None);
        let after = b.window().txs;
        let outcome = propose_full(&mut b, 31, Some(ms(100)));
        assert_eq!(outcome.adjustment, Adjustment::Grew);
        assert_eq!(b.window().txs, after + WINDOW_STEP_TXS);
    }

    #[test]
    fn a_failed_round_halves_what_the_block_carried_and_a_slow_block_takes_a_quarter_off() {
        let mut b = bound();
        for h in 1..6 {
            propose_full(&mut b, h, Some(ms(100)));
        }
        let before = b.window();
        let outcome = propose_full(&mut b, 6, None);
        assert_eq!(outcome.adjustment, Adjustment::Failed);
        assert_eq!(outcome.elapsed, None);
        // The block was as large as the bound allowed, so at least half the window in each dimension.
        assert_eq!(b.window().txs, outcome.txs.min(before.txs).max(before.txs / 2) / 2);
        assert_eq!(b.window().bytes, outcome.bytes.min(before.bytes).max(before.bytes / 2) / 2);
        assert!(b.window().txs <= before.txs / 2);
        let before = b.window();
        let outcome = propose_full(&mut b, 7, Some(ms(1500)));
        assert_eq!(outcome.adjustment, Adjustment::Slow);
        assert_eq!(outcome.elapsed, Some(ms(1500)));
        assert_eq!(b.window().bytes, outcome.bytes.min(before.bytes).max(before.bytes / 2) * 3 / 4);
        // A slow block far smaller than the window was not slow for its size: the window stays. A failed one takes
        // at most three quarters of it away.
        let before = b.window();
        let start = Instant::now();
        b.proposed(p(8, 0, [8; 32], 2, 2 * TX, start, ms(1)));
        assert_eq!(b.decided(8, 0, &[8; 32], start + ms(2000))[0].adjustment, Adjustment::Slow);
        assert_eq!(b.window(), before);
        b.proposed(p(9, 0, [9; 32], 2, 2 * TX, start, ms(1)));
        assert_eq!(b.decided(9, 1, &[0; 32], start + ms(5000))[0].adjustment, Adjustment::Failed);
        assert_eq!(b.window().txs, before.txs / 2 / 2);
    }

    #[test]
    fn repeated_failures_never_take_the_bound_below_one_transaction_of_any_size() {
        let mut b = ProposalBound::new(8192, 48 << 20, 3000, true);
        for h in 1..40 {
            propose_full(&mut b, h, None);
        }
        assert_eq!(b.limits(), Limits { txs: 1, bytes: MAX_TX_BYTES });
        // A bytes cap below one large transaction stays the floor.
        let mut tiny = ProposalBound::new(8192, 10_000, 3000, true);
        for h in 1..40 {
            propose_full(&mut tiny, h, None);
        }
        assert_eq!(tiny.limits(), Limits { txs: 1, bytes: 10_000 });
        // And from the floor, fast blocks grow it again.
        for h in 40..60 {
            propose_full(&mut b, h, Some(ms(10)));
        }
        assert!(b.limits().txs > 1, "{:?}", b.limits());
    }

    #[test]
    fn a_proposal_not_full_or_empty_leaves_the_window_alone() {
        let mut b = bound();
        let start = Instant::now();
        b.proposed(p(1, 0, [1; 32], 10, 10 * TX, start, ms(1)));
        assert_eq!(b.decided(1, 0, &[1; 32], start + ms(50))[0].adjustment, Adjustment::Kept);
        assert_eq!(b.window(), Limits { txs: INITIAL_WINDOW_TXS, bytes: INITIAL_WINDOW_BYTES });
        // An empty proposal that fails says nothing about size.
        b.proposed(p(2, 0, [2; 32], 0, 0, start, ms(1)));
        assert_eq!(b.decided(2, 1, &[9; 32], start + ms(5000))[0].adjustment, Adjustment::Failed);
        assert_eq!(b.window(), Limits { txs: INITIAL_WINDOW_TXS, bytes: INITIAL_WINDOW_BYTES });
    }

    #[test]
    fn only_this_nodes_proposals_of_the_decided_height_and_earlier_rounds_are_judged() {
        let mut b = bound();
        let start = Instant::now();
        // Nothing proposed at this height: nothing to judge.
        assert!(b.decided(1, 0, &[1; 32], start).is_empty());
        // Rounds 0 and 4 proposed; round 4 decided: round 0 failed.
        b.proposed(p(2, 0, [2; 32], 200, 200 * TX, start, ms(1)));
        b.proposed(p(2, 4, [3; 32], 100, 100 * TX, start + ms(4000), ms(1)));
        let outcomes = b.decided(2, 4, &[3; 32], start + ms(4100));
        let adjustments: Vec<_> = outcomes.iter().map(|o| (o.round, o.adjustment)).collect();
        // The failure halved the window to 100, which the round-4 block then filled, fast: it grows again.
        assert_eq!(adjustments, [(0, Adjustment::Failed), (4, Adjustment::Grew)]);
        // A proposal for a round after the deciding one was never needed: not judged.
        b.proposed(p(3, 4, [4; 32], 200, 200 * TX, start, ms(1)));
        assert!(b.decided(3, 0, &[5; 32], start + ms(100)).is_empty());
        // Watching is bounded even if decisions are never heard of.
        for h in 10..100 {
            b.proposed(p(h, 0, [0; 32], 1, TX, start, ms(1)));
        }
        assert!(b.watched.len() <= MAX_WATCHED);
    }

    #[test]
    fn the_cost_model_bounds_a_block_to_the_budget_before_any_round_fails() {
        let mut b = bound();
        // Building costs 0.1 ms per 5.4 KB transaction, checking 0.4 ms (signatures): 0.5 ms per transaction in
        // all, so 2,000 fit in the 1 s budget.
        b.executed(Execution::Build, 1000, 1000 * TX, ms(100));
        b.executed(Execution::Check, 1000, 1000 * TX, ms(400));
        let (txs, bytes) = b.model();
        let (txs, bytes) = (txs.expect("measured"), bytes.expect("measured"));
        assert!((1999..=2000).contains(&txs), "{txs}");
        assert!(bytes.abs_diff(2000 * TX) < TX, "{bytes}");
        // The window grows to the caps on fast blocks, but the model keeps the bound at the budget.
        for h in 1..20 {
            let start = Instant::now();
            let l = b.limits();
            let txs = l.txs.min(l.bytes / TX);
            b.proposed(p(h, 0, [h as u8; 32], txs, txs * TX, start, ms(1)));
            b.decided(h, 0, &[h as u8; 32], start + ms(1));
        }
        assert!(b.window().txs > 2000);
        assert_eq!(b.limits().txs, txs);
        // Transactions become four times as expensive: the bound follows within a few blocks.
        for _ in 0..10 {
            b.executed(Execution::Check, 1000, 1000 * TX, ms(1900));
        }
        let txs = b.limits().txs;
        assert!((490..=560).contains(&txs), "{txs}");
        // Blocks too short to be samples teach nothing.
        let before = b.model();
        b.executed(Execution::Check, MIN_SAMPLE_TXS - 1, TX, ms(900));
        assert_eq!(b.model(), before);
    }

    #[test]
    fn transfer_time_left_after_building_and_checking_counts_against_the_bytes() {
        let mut b = bound();
        b.executed(Execution::Build, 100, 100 * TX, ms(10));
        b.executed(Execution::Check, 100, 100 * TX, ms(40));
        let (_, bytes_before) = b.model();
        // 100 transactions decided 250 ms after building started: 10 ms building, 40 ms checking, so 200 ms went
        // to transfer and votes.
        let start = Instant::now();
        b.proposed(p(1, 0, [1; 32], 100, 100 * TX, start, ms(10)));
        b.decided(1, 0, &[1; 32], start + ms(250));
        let transfer = b.estimates().transfer_per_byte.expect("measured");
        assert!((transfer * (100 * TX) as f64 - 0.2).abs() < 1e-3, "{transfer}");
        let (_, bytes_after) = b.model();
        assert!(bytes_after.unwrap() < bytes_before.unwrap() / 4);
    }

    #[test]
    fn a_node_that_decides_alone_is_bounded_by_the_caps_and_by_its_own_building_only() {
        let mut b = bound();
        b.set_alone(true);
        assert_eq!(b.limits(), b.cap(), "nothing measured yet, no one to wait for: the caps");
        // Building costs 100 µs per transaction (20 ns per byte): the budget of 1 s fits 10,000 of them, but the
        // cap is 8,192; nothing is charged for receivers that do not exist.
        b.executed(Execution::Build, 1000, 1000 * TX, ms(100));
        let (model_txs, model_bytes) = b.model();
        assert!((9_990..=10_010).contains(&model_txs.unwrap()), "{model_txs:?}");
        assert!(model_bytes.unwrap() > 50_000_000, "5.4 MB took 100 ms: 54 MB fit: {model_bytes:?}");
        assert_eq!(b.limits().txs, 8192);
        // Slower building lowers the bound to what fits the budget.
        for _ in 0..20 {
            b.executed(Execution::Build, 1000, 1000 * TX, ms(250));
        }
        assert!((3_900..=4_100).contains(&b.limits().txs), "{:?}", b.limits());
        // Outcomes leave the window alone, even a slow one, and the window is what a node joined by others uses.
        let window = b.window();
        let outcome = propose_full(&mut b, 1, Some(ms(5000)));
        assert_eq!(outcome.adjustment, Adjustment::Kept);
        assert_eq!(b.window(), window);
        b.set_alone(false);
        assert!(b.limits().txs <= window.txs, "with receivers the window bounds again: {:?}", b.limits());
    }
}
