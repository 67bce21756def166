//! Proposal streaming: how a proposer sends its block, and how receivers put it back together.
//!
//! A proposal for `(height, round)` travels as one stream of numbered messages:
//!
//! | sequence | content |
//! |---|---|
//! | 0 | `Init { height, round, proposer, block_len }` |
//! | 1 ..= k | `Data(chunk)`: the canonical borsh encoding of the block, cut into chunks of at most [`CHUNK_BYTES`] |
//! | k + 1 | `Fin { signature }` |
//! | k + 2 | end of stream (the engine's own marker) |
//!
//! The `Fin` signature is the proposer's hybrid signature over
//! `signing_message("publica/proposal-parts", chain_id, SHA-256(borsh(init) ‖ block_bytes))`, so a receiver knows
//! who built the block, and for which height and round, before it spends time executing it. Gossip may deliver
//! the messages in any order and more than once; [`PartsBuffer`] collects them per stream under strict limits
//! (chunk size, number of parts, bytes per stream, bytes over all streams) and returns the stream once every
//! message from 0 to the end marker is present.
//!
//! The signature only arrives with the last part, so until then anyone can send parts naming any proposer. The
//! buffer therefore bounds what each sender can make it hold, and checks what it can before buffering anything:
//!
//! - **At the first part of a stream** (whichever part arrives first: the stream id names the height, round and
//!   proposer), the [`StreamPolicy`]: the height is the one this node runs or one of the next
//!   few, the round at most a few ahead of its current one, and the named proposer is the proposer of that height
//!   and round. A stream failing it is refused before any byte is kept. The `Init` part must then name exactly
//!   what the stream id names.
//! - **Per publisher** (the peer that published the stream): at most [`MAX_PUBLISHER_STREAMS`] incomplete streams
//!   and one maximal stream's bytes ([`MAX_PUBLISHER_BYTES`]); a publisher over its quota loses its own oldest
//!   stream, never another publisher's.
//! - **Over all publishers**: [`MAX_STREAMS`] streams and [`MAX_BUFFERED_BYTES`]; over these, the publisher holding
//!   the most loses its oldest stream. Two publishers' quotas fit within these bounds, so one peer alone can never
//!   make the buffer drop another peer's stream.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use arc_malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use arc_malachitebft_app_channel::app::types::core as mc;
use arc_malachitebft_app_channel::app::types::PeerId;
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use publica_crypto::{sha256, signing_message, Address, Signature};
use publica_types::{ChainId, MAX_BLOCK_BYTES};

use crate::context::{ConsensusValidatorSet, PublicaContext};
use crate::error::ConsensusError;

/// Signature tag of the `Fin` part of a proposal stream.
pub const PARTS_TAG: &str = "publica/proposal-parts";

/// Largest block chunk in one `Data` part.
pub const CHUNK_BYTES: usize = 128 * 1024;

/// Most `Data` parts in one stream: enough for the largest block.
pub const MAX_DATA_PARTS: u64 = MAX_BLOCK_BYTES.div_ceil(CHUNK_BYTES) as u64;

/// Highest sequence number a stream can use: init, data parts, fin, end marker.
pub const MAX_SEQUENCE: u64 = MAX_DATA_PARTS + 2;

/// Bytes counted for an `Init` or `Fin` part: they are small and fixed in size, and counting them bounds floods of
/// them too.
const NOMINAL_PART_BYTES: usize = 4096;

/// Most bytes one stream may carry: a maximal block, its init and its fin.
const MAX_STREAM_BYTES: usize = MAX_BLOCK_BYTES + 2 * NOMINAL_PART_BYTES;

/// Bytes buffered over all incomplete streams; over it, the publisher holding the most loses its oldest stream.
pub const MAX_BUFFERED_BYTES: usize = 3 * MAX_BLOCK_BYTES;

/// Incomplete streams kept at once; over it, the publisher holding the most loses its oldest stream.
pub const MAX_STREAMS: usize = 64;

/// Incomplete streams one publisher may have: an honest proposer streams one block at a time, and may restream
/// one of an earlier round.
pub const MAX_PUBLISHER_STREAMS: usize = 4;

/// Bytes one publisher may have buffered: one maximal stream.
pub const MAX_PUBLISHER_BYTES: usize = MAX_STREAM_BYTES;

/// An incomplete stream older than this is dropped: its proposer's round is long over.
const MAX_STREAM_AGE: Duration = Duration::from_secs(120);

/// Length of a stream id: height (8 bytes), round (4 bytes), proposer address (20 bytes).
pub const STREAM_ID_BYTES: usize = 8 + 4 + 20;

const _: () = assert!(MAX_DATA_PARTS * (CHUNK_BYTES as u64) >= MAX_BLOCK_BYTES as u64);
const _: () = assert!(MAX_BUFFERED_BYTES >= 2 * MAX_PUBLISHER_BYTES);
const _: () = assert!(MAX_STREAMS >= 2 * MAX_PUBLISHER_STREAMS);

/// What a stream id names: the height, round and proposer of the proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamTarget {
    /// Height of the proposed block.
    pub height: u64,
    /// Round in which it was first proposed.
    pub round: u32,
    /// The proposer.
    pub proposer: Address,
}

impl StreamTarget {
    /// Read a stream id (see [`stream_id`]).
    pub fn from_id(id: &StreamId) -> Result<Self, String> {
        let bytes = id.to_bytes();
        if bytes.len() != STREAM_ID_BYTES {
            return Err(format!("stream id is {} bytes, expected {STREAM_ID_BYTES}", bytes.len()));
        }
        let height = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        let round = u32::from_be_bytes(bytes[8..12].try_into().expect("4 bytes"));
        let proposer = Address(bytes[12..].try_into().expect("20 bytes"));
        Ok(Self { height, round, proposer })
    }

    fn names(&self, init: &PartsInit) -> bool {
        (self.height, self.round, self.proposer) == (init.height, init.round, init.proposer)
    }
}

/// The rules a new stream must pass at its first part, before anything of it is buffered.
#[derive(Clone, Debug)]
pub struct StreamPolicy {
    /// The height this node runs, or is about to run.
    pub height: u64,
    /// This node's round at that height.
    pub round: u32,
    /// How many rounds ahead of `round` a stream may be (of `0` at a later height).
    pub rounds_ahead: u32,
    /// How many heights ahead of `height` a stream may be.
    pub heights_ahead: u64,
    /// The latest validator set this node knows, that of `height`. The proposer of a later height is computed with
    /// it too: sets change only by governance, and a stream refused at such a change is one proposal this node
    /// gets later by value sync.
    pub set: ConsensusValidatorSet,
}

impl StreamPolicy {
    /// Whether a stream for `target` may be buffered; the error says why not.
    pub fn check(&self, target: &StreamTarget) -> Result<(), String> {
        let (height, round) = (target.height, target.round);
        if height < self.height {
            return Err(format!("height {height} is already decided here (this node runs height {})", self.height));
        }
        let last = self.height.saturating_add(self.heights_ahead);
        if height > last {
            return Err(format!(
                "height {height} is more than {} heights ahead of {}",
                self.heights_ahead, self.height
            ));
        }
        let round_max =
            if height == self.height { self.round.saturating_add(self.rounds_ahead) } else { self.rounds_ahead };
        if round > round_max {
            return Err(format!(
                "round {round} of height {height} is more than {} rounds ahead of this node (at most round \
                 {round_max})",
                self.rounds_ahead
            ));
        }
        let expected = mc::Validator::<PublicaContext>::address(self.set.proposer(height, round)).0;
        if expected != target.proposer {
            return Err(format!(
                "the stream names {} as the proposer of height {height} round {round}, whose proposer is {expected}",
                target.proposer
            ));
        }
        Ok(())
    }
}

/// The first part of a proposal stream: which proposal the following bytes are.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PartsInit {
    /// Height of the proposed block.
    pub height: u64,
    /// Round in which it was first proposed.
    pub round: u32,
    /// The proposer.
    pub proposer: Address,
    /// Length of the encoded block.
    pub block_len: u32,
}

/// The last part of a proposal stream: the proposer's signature over the whole stream.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PartsFin {
    /// Hybrid signature over [`parts_signing_bytes`].
    pub signature: Signature,
}

/// One part of a proposal stream.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ProposalPart {
    /// What the stream carries.
    Init(PartsInit),
    /// A chunk of the encoded block.
    Data(Vec<u8>),
    /// The proposer's signature.
    Fin(PartsFin),
}

impl ProposalPart {
    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Init(_) => "init",
            Self::Data(_) => "data",
            Self::Fin(_) => "fin",
        }
    }
}

impl mc::ProposalPart<PublicaContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, Self::Init(_))
    }

    fn is_last(&self) -> bool {
        matches!(self, Self::Fin(_))
    }
}

/// The bytes the proposer signs in the `Fin` part.
pub fn parts_signing_bytes(chain_id: &ChainId, init: &PartsInit, block_bytes: &[u8]) -> Vec<u8> {
    let mut preimage = borsh::to_vec(init).expect("encoding a PartsInit into a Vec does not fail");
    preimage.extend_from_slice(block_bytes);
    signing_message(PARTS_TAG, chain_id.as_str(), &sha256(&preimage))
}

/// The stream id of a proposal: height, round and proposer, so that ids never collide between proposals.
pub fn stream_id(init: &PartsInit) -> StreamId {
    let mut id = Vec::with_capacity(STREAM_ID_BYTES);
    id.extend_from_slice(&init.height.to_be_bytes());
    id.extend_from_slice(&init.round.to_be_bytes());
    id.extend_from_slice(&init.proposer.0);
    StreamId::new(Bytes::from(id))
}

/// The messages that stream a signed proposal, in order.
pub fn stream_messages(
    init: &PartsInit,
    block_bytes: &[u8],
    signature: &Signature,
) -> Vec<StreamMessage<ProposalPart>> {
    let id = stream_id(init);
    let mut out = Vec::with_capacity(block_bytes.len().div_ceil(CHUNK_BYTES) + 3);
    let mut seq = 0u64;
    let mut push = |content: StreamContent<ProposalPart>| {
        out.push(StreamMessage::new(id.clone(), seq, content));
        seq += 1;
    };
    push(StreamContent::Data(ProposalPart::Init(init.clone())));
    for chunk in block_bytes.chunks(CHUNK_BYTES) {
        push(StreamContent::Data(ProposalPart::Data(chunk.to_vec())));
    }
    push(StreamContent::Data(ProposalPart::Fin(PartsFin { signature: signature.clone() })));
    push(StreamContent::Fin);
    out
}

/// A complete stream, structurally checked but not yet authenticated.
#[derive(Clone, Debug)]
pub struct AssembledParts {
    /// The stream's `Init`.
    pub init: PartsInit,
    /// The concatenated chunks: the encoded block.
    pub block_bytes: Vec<u8>,
    /// The `Fin` signature.
    pub signature: Signature,
}

struct PartialStream {
    started: Instant,
    target: StreamTarget,
    parts: BTreeMap<u64, StreamContent<ProposalPart>>,
    bytes: usize,
    end_seq: Option<u64>,
}

impl PartialStream {
    /// Check a new part (`sequence`, `content`, `size` bytes) against the stream's rules, recording an
    /// end-of-stream marker. Returns the last rule the part breaks, if any.
    fn check_part(&mut self, sequence: u64, content: &StreamContent<ProposalPart>, size: usize) -> Option<String> {
        let mut violation = None;
        match content {
            StreamContent::Fin => {
                if self.end_seq.is_some() {
                    violation = Some("two end-of-stream markers".to_string());
                } else if self.parts.keys().next_back().is_some_and(|&last| last > sequence) {
                    violation = Some("end-of-stream marker before other parts".to_string());
                } else {
                    self.end_seq = Some(sequence);
                }
            }
            StreamContent::Data(ProposalPart::Init(init)) => {
                if sequence != 0 {
                    violation = Some(format!("init part at sequence {sequence}"));
                } else if init.block_len as usize > MAX_BLOCK_BYTES {
                    violation = Some(format!("announced block of {} bytes exceeds {MAX_BLOCK_BYTES}", init.block_len));
                } else if !self.target.names(init) {
                    violation = Some("the init part names another proposal than the stream id".to_string());
                }
            }
            StreamContent::Data(_) => {
                if sequence == 0 {
                    violation = Some("the first part is not an init part".to_string());
                }
                if self.end_seq.is_some_and(|end| sequence >= end) {
                    violation = Some("part after the end-of-stream marker".to_string());
                }
            }
        }
        if self.bytes + size > MAX_STREAM_BYTES {
            violation = Some(format!("stream exceeds {MAX_BLOCK_BYTES} bytes"));
        }
        violation
    }

    fn is_complete(&self) -> bool {
        match self.end_seq {
            Some(end) => self.parts.len() as u64 == end + 1,
            None => false,
        }
    }
}

/// Collects proposal parts per stream until a stream is complete.
pub struct PartsBuffer {
    streams: HashMap<(PeerId, StreamId), PartialStream>,
    buffered_bytes: usize,
}

impl Default for PartsBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl PartsBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self { streams: HashMap::new(), buffered_bytes: 0 }
    }

    /// Number of incomplete streams held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.streams.len()
    }

    /// Drop streams for heights below `height`, and streams too old to matter.
    pub fn prune(&mut self, height: u64) {
        let now = Instant::now();
        let mut freed = 0;
        self.streams.retain(|_, s| {
            let keep = s.target.height >= height && now.duration_since(s.started) < MAX_STREAM_AGE;
            if !keep {
                freed += s.bytes;
            }
            keep
        });
        self.buffered_bytes -= freed;
    }

    fn remove(&mut self, key: &(PeerId, StreamId)) -> Option<PartialStream> {
        let s = self.streams.remove(key)?;
        self.buffered_bytes -= s.bytes;
        Some(s)
    }

    /// Streams and bytes `publisher` has buffered.
    fn usage(&self, publisher: &PeerId) -> (usize, usize) {
        self.streams.iter().filter(|((p, _), _)| p == publisher).fold((0, 0), |(n, b), (_, s)| (n + 1, b + s.bytes))
    }

    /// Drop the oldest stream of `publisher` other than `keep`; `false` if it has none.
    fn evict_oldest_of(&mut self, publisher: &PeerId, keep: &(PeerId, StreamId)) -> bool {
        let oldest = self
            .streams
            .iter()
            .filter(|(k, _)| &k.0 == publisher && *k != keep)
            .min_by_key(|(_, s)| s.started)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                tracing::debug!(%publisher, "proposal stream evicted to stay within the buffer's bounds");
                self.remove(&k);
                true
            }
            None => false,
        }
    }

    /// Drop the oldest stream (other than `keep`) of the publisher holding the most streams (`by_bytes`: bytes).
    fn evict_from_largest(&mut self, keep: &(PeerId, StreamId), by_bytes: bool) -> bool {
        let mut usage: HashMap<&PeerId, (usize, usize)> = HashMap::new();
        for (k, s) in &self.streams {
            if k != keep {
                let u = usage.entry(&k.0).or_default();
                u.0 += 1;
                u.1 += s.bytes;
            }
        }
        let largest =
            usage.into_iter().max_by_key(|(_, (n, b))| if by_bytes { (*b, *n) } else { (*n, *b) }).map(|(p, _)| *p);
        match largest {
            Some(publisher) => self.evict_oldest_of(&publisher, keep),
            None => false,
        }
    }

    /// Make room for a part of `size` bytes of stream `key` (publisher, stream id), evicting other streams where
    /// a limit needs it; at the stream's first part, start it, unless `policy` refuses its `target`.
    fn make_room(
        &mut self,
        key: &(PeerId, StreamId),
        target: StreamTarget,
        size: usize,
        policy: &StreamPolicy,
    ) -> Result<(), String> {
        let publisher = key.0;
        if !self.streams.contains_key(key) {
            // The first part of a stream: nothing is kept for a stream the policy refuses.
            policy.check(&target)?;
            while self.usage(&publisher).0 >= MAX_PUBLISHER_STREAMS {
                if !self.evict_oldest_of(&publisher, key) {
                    break;
                }
            }
            while self.streams.len() >= MAX_STREAMS {
                if !self.evict_from_largest(key, false) {
                    break;
                }
            }
            self.streams.insert(
                key.clone(),
                PartialStream { started: Instant::now(), target, parts: BTreeMap::new(), bytes: 0, end_seq: None },
            );
        }
        while self.usage(&publisher).1 + size > MAX_PUBLISHER_BYTES {
            if !self.evict_oldest_of(&publisher, key) {
                break;
            }
        }
        while self.buffered_bytes + size > MAX_BUFFERED_BYTES {
            if !self.evict_from_largest(key, true) {
                break;
            }
        }
        Ok(())
    }

    /// Add one message of the stream `publisher` sends. Returns the stream once it is complete; an error means
    /// the stream broke a rule (or `policy` refused it at its first part) and nothing of it is kept.
    pub fn insert(
        &mut self,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
        policy: &StreamPolicy,
    ) -> Result<Option<AssembledParts>, ConsensusError> {
        let bad = |reason: String| Err(ConsensusError::decode("proposal stream", reason));
        let target = match StreamTarget::from_id(&msg.stream_id) {
            Ok(target) => target,
            Err(reason) => return bad(reason),
        };
        if msg.sequence > MAX_SEQUENCE {
            return bad(format!("sequence {} beyond the largest possible {MAX_SEQUENCE}", msg.sequence));
        }
        let size = match &msg.content {
            StreamContent::Data(ProposalPart::Data(chunk)) if chunk.len() > CHUNK_BYTES => {
                return bad(format!("chunk of {} bytes exceeds {CHUNK_BYTES}", chunk.len()));
            }
            StreamContent::Data(ProposalPart::Data(chunk)) => chunk.len(),
            _ => NOMINAL_PART_BYTES,
        };
        let key = (publisher, msg.stream_id.clone());
        if let Err(reason) = self.make_room(&key, target, size, policy) {
            return bad(reason);
        }

        let stream = self.streams.get_mut(&key).expect("inserted above");
        if stream.parts.contains_key(&msg.sequence) {
            // A duplicate from gossip or a restream: nothing new.
            return Ok(None);
        }
        if let Some(reason) = stream.check_part(msg.sequence, &msg.content, size) {
            self.remove(&key);
            return bad(reason);
        }
        stream.parts.insert(msg.sequence, msg.content);
        stream.bytes += size;
        self.buffered_bytes += size;

        if !stream.is_complete() {
            return Ok(None);
        }
        let stream = self.remove(&key).expect("present");
        assemble(stream).map(Some)
    }
}

/// Check the layout of a complete stream and join its chunks.
fn assemble(stream: PartialStream) -> Result<AssembledParts, ConsensusError> {
    let bad = |reason: &str| Err(ConsensusError::decode("proposal stream", reason));
    let end = stream.end_seq.expect("complete streams have an end");
    if end < 2 {
        return bad("a stream needs at least an init and a fin part");
    }
    let mut parts = stream.parts.into_values();
    let Some(StreamContent::Data(ProposalPart::Init(init))) = parts.next() else {
        return bad("the first part is not an init part");
    };
    let mut block_bytes = Vec::with_capacity(init.block_len as usize);
    let mut signature = None;
    for (i, part) in parts.enumerate() {
        let seq = i as u64 + 1;
        match part {
            StreamContent::Data(ProposalPart::Data(chunk)) if seq < end - 1 => {
                if block_bytes.len() + chunk.len() > init.block_len as usize {
                    return bad("more block bytes than announced");
                }
                block_bytes.extend_from_slice(&chunk);
            }
            StreamContent::Data(ProposalPart::Fin(fin)) if seq == end - 1 => signature = Some(fin.signature),
            StreamContent::Fin if seq == end => {}
            _ => return bad("parts out of order: expected init, data..., fin"),
        }
    }
    if block_bytes.len() != init.block_len as usize {
        return bad("fewer block bytes than announced");
    }
    let Some(signature) = signature else {
        return bad("no fin part");
    };
    Ok(AssembledParts { init, block_bytes, signature })
}

#[cfg(test)]
mod tests {
    use super::*;

    use publica_types::{Validator, ValidatorSet};

    fn keypair(seed: u8) -> publica_crypto::Keypair {
        publica_crypto::Keypair::from_seed(&[seed; 32])
    }

    fn proposer() -> Address {
        keypair(1).address()
    }

    fn init(block_len: usize) -> PartsInit {
        PartsInit { height: 7, round: 1, proposer: proposer(), block_len: block_len as u32 }
    }

    fn signature() -> Signature {
        keypair(1).sign(b"parts")
    }

    fn peer() -> PeerId {
        peer_n(1)
    }

    fn peer_n(n: u8) -> PeerId {
        PeerId::from_bytes(&[0, 4, n, 2, 3, 4]).expect("identity multihash")
    }

    /// A node at height 7, round 1, whose validator set is the given keypairs' (one vote each).
    fn policy_of(seeds: &[u8]) -> StreamPolicy {
        let set = ValidatorSet::new(seeds.iter().map(|&s| Validator::from_keypair(&keypair(s), 1)).collect())
            .expect("valid set");
        StreamPolicy {
            height: 7,
            round: 1,
            rounds_ahead: 8,
            heights_ahead: 2,
            set: ConsensusValidatorSet::from_set(&set),
        }
    }

    /// A node whose only validator is the one of [`proposer`]: every round is its.
    fn policy() -> StreamPolicy {
        policy_of(&[1])
    }

    #[test]
    fn stream_reassembles_in_any_order_with_duplicates() {
        let block: Vec<u8> = (0..(CHUNK_BYTES * 2 + 17)).map(|i| (i % 251) as u8).collect();
        let sig = signature();
        let mut msgs = stream_messages(&init(block.len()), &block, &sig);
        assert_eq!(msgs.len(), 1 + 3 + 1 + 1);
        msgs.reverse();
        let dup = msgs[2].clone();
        msgs.insert(3, dup);
        let mut buffer = PartsBuffer::new();
        let mut done = None;
        for (i, m) in msgs.into_iter().enumerate() {
            if let Some(parts) = buffer.insert(peer(), m, &policy()).expect("valid part") {
                assert!(done.is_none(), "completed twice (message {i})");
                done = Some(parts);
            }
        }
        let parts = done.expect("complete");
        assert_eq!(parts.block_bytes, block);
        assert_eq!(parts.init, init(block.len()));
        assert_eq!(parts.signature, sig);
        assert_eq!(buffer.len(), 0);
    }

    #[test]
    fn layout_violations_are_refused() {
        let block = vec![1u8; 10];
        let msgs = stream_messages(&init(block.len()), &block, &signature());

        // A data part at sequence 0.
        let mut bad = msgs[1].clone();
        bad.sequence = 0;
        assert!(PartsBuffer::new().insert(peer(), bad, &policy()).is_err());

        // An init part elsewhere than at 0.
        let mut bad = msgs[0].clone();
        bad.sequence = 2;
        assert!(PartsBuffer::new().insert(peer(), bad, &policy()).is_err());

        // A chunk larger than allowed.
        let mut bad = msgs[1].clone();
        bad.content = StreamContent::Data(ProposalPart::Data(vec![0; CHUNK_BYTES + 1]));
        assert!(PartsBuffer::new().insert(peer(), bad, &policy()).is_err());

        // A sequence beyond any possible stream.
        let mut bad = msgs[1].clone();
        bad.sequence = MAX_SEQUENCE + 1;
        assert!(PartsBuffer::new().insert(peer(), bad, &policy()).is_err());

        // A block longer than announced.
        let mut buffer = PartsBuffer::new();
        let mut msgs_long = stream_messages(&init(5), &block, &signature());
        let last = msgs_long.pop().expect("end marker");
        for m in msgs_long {
            assert!(buffer.insert(peer(), m, &policy()).expect("accepted so far").is_none());
        }
        assert!(buffer.insert(peer(), last, &policy()).is_err());

        // A part after the end marker.
        let mut buffer = PartsBuffer::new();
        let end = msgs.last().expect("end").clone();
        buffer.insert(peer(), end, &policy()).expect("end marker alone is fine");
        let mut late = msgs[1].clone();
        late.sequence = 9;
        assert!(buffer.insert(peer(), late, &policy()).is_err());
    }

    #[test]
    fn fin_missing_or_misplaced_is_refused() {
        let block = vec![1u8; 10];
        let mut msgs = stream_messages(&init(block.len()), &block, &signature());
        // Replace the Fin part by a data part: complete, but no signature.
        msgs[2].content = StreamContent::Data(ProposalPart::Data(vec![]));
        let mut buffer = PartsBuffer::new();
        let results: Vec<_> = msgs.into_iter().map(|m| buffer.insert(peer(), m, &policy())).collect();
        assert!(results.last().expect("some").is_err());
    }

    #[test]
    fn prune_drops_old_heights() {
        let block = vec![1u8; 10];
        let msgs = stream_messages(&init(block.len()), &block, &signature());
        let mut buffer = PartsBuffer::new();
        buffer.insert(peer(), msgs[0].clone(), &policy()).expect("init");
        buffer.prune(7);
        assert_eq!(buffer.len(), 1);
        buffer.prune(8);
        assert_eq!(buffer.len(), 0);
    }

    #[test]
    fn a_stream_naming_the_wrong_proposer_is_refused_at_its_first_part() {
        // Two validators: rounds alternate between them.
        let policy = policy_of(&[1, 2]);
        let expected = mc::Validator::<PublicaContext>::address(policy.set.proposer(7, 1)).0;
        let other = [keypair(1).address(), keypair(2).address()].into_iter().find(|a| *a != expected).expect("two");
        let block = vec![1u8; 10];
        let wrong = PartsInit { proposer: other, ..init(block.len()) };
        let msgs = stream_messages(&wrong, &block, &signature());
        // Whichever part comes first (here a data part, before the init), the stream is refused and nothing kept.
        for first in [msgs[1].clone(), msgs[0].clone()] {
            let mut buffer = PartsBuffer::new();
            let error = buffer.insert(peer(), first, &policy).expect_err("the wrong proposer is refused");
            assert!(error.to_string().contains("whose proposer is"), "{error}");
            assert_eq!((buffer.len(), buffer.buffered_bytes), (0, 0));
        }
        // The expected proposer's stream goes through.
        let right = PartsInit { proposer: expected, ..init(block.len()) };
        let mut buffer = PartsBuffer::new();
        let done: Vec<_> = stream_messages(&right, &block, &signature())
            .into_iter()
            .filter_map(|m| buffer.insert(peer(), m, &policy).expect("accepted"))
            .collect();
        assert_eq!(done.len(), 1);

        // Heights already decided, heights and rounds too far ahead are refused at the first part too.
        let policy = policy_of(&[1]);
        for (height, round, what) in
            [(6, 0, "already decided"), (10, 0, "heights ahead"), (7, 10, "rounds ahead"), (8, 9, "rounds ahead")]
        {
            let target = PartsInit { height, round, ..init(block.len()) };
            let msgs = stream_messages(&target, &block, &signature());
            let mut buffer = PartsBuffer::new();
            let error = buffer.insert(peer(), msgs[0].clone(), &policy).expect_err("refused");
            assert!(error.to_string().contains(what), "height {height} round {round}: {error}");
            assert_eq!(buffer.len(), 0);
        }
        // Rounds within the window, earlier rounds and the next heights are fine.
        for (height, round) in [(7, 0), (7, 9), (8, 8), (9, 0)] {
            let target = PartsInit { height, round, ..init(block.len()) };
            let msgs = stream_messages(&target, &block, &signature());
            assert!(
                PartsBuffer::new().insert(peer(), msgs[0].clone(), &policy).is_ok(),
                "height {height} round {round}"
            );
        }

        // An init part must name what the stream id names.
        let msgs = stream_messages(&init(block.len()), &block, &signature());
        let mut forged = msgs[0].clone();
        forged.content = StreamContent::Data(ProposalPart::Init(PartsInit { round: 2, ..init(block.len()) }));
        let mut buffer = PartsBuffer::new();
        assert!(buffer.insert(peer(), forged, &policy).is_err());
        assert_eq!(buffer.len(), 0);
    }

    #[test]
    fn one_peer_cannot_evict_another_peers_stream() {
        let policy = policy();
        let honest = peer_n(1);
        let attacker = peer_n(2);
        let block: Vec<u8> = (0..(CHUNK_BYTES * 3 + 5)).map(|i| (i % 13) as u8).collect();
        let sig = signature();
        let msgs = stream_messages(&init(block.len()), &block, &sig);
        let mut buffer = PartsBuffer::new();
        // The honest proposer's stream is under way...
        for m in &msgs[..2] {
            assert!(buffer.insert(honest, m.clone(), &policy).expect("accepted").is_none());
        }
        // ...when another peer opens every stream the policy allows and fills each with as many bytes as it can.
        let full_chunk = vec![0u8; CHUNK_BYTES];
        for height in 7..=9u64 {
            for round in 0..=9u32 {
                let forged = PartsInit { height, round, proposer: proposer(), block_len: MAX_BLOCK_BYTES as u32 };
                let id = stream_id(&forged);
                let _ = buffer.insert(
                    attacker,
                    StreamMessage::new(id.clone(), 0, StreamContent::Data(ProposalPart::Init(forged))),
                    &policy,
                );
                for seq in 1..=MAX_DATA_PARTS {
                    let part = StreamMessage::new(
                        id.clone(),
                        seq,
                        StreamContent::Data(ProposalPart::Data(full_chunk.clone())),
                    );
                    let _ = buffer.insert(attacker, part, &policy);
                }
            }
        }
        let (streams, bytes) = buffer.usage(&attacker);
        assert!(streams <= MAX_PUBLISHER_STREAMS && bytes <= MAX_PUBLISHER_BYTES, "{streams} streams, {bytes} bytes");
        assert!(buffer.buffered_bytes <= MAX_BUFFERED_BYTES);
        // The honest stream is still there and completes.
        let mut done = None;
        for m in &msgs[2..] {
            if let Some(parts) = buffer.insert(honest, m.clone(), &policy).expect("accepted") {
                done = Some(parts);
            }
        }
        let parts = done.expect("the honest stream completes");
        assert_eq!(parts.block_bytes, block);
        assert_eq!(parts.signature, sig);
    }

    #[test]
    fn signing_bytes_bind_the_init_and_the_block() {
        let chain = ChainId::new("c").expect("valid");
        let a = parts_signing_bytes(&chain, &init(3), b"abc");
        assert_ne!(a, parts_signing_bytes(&chain, &init(3), b"abd"));
        let mut other = init(3);
        other.round = 2;
        assert_ne!(a, parts_signing_bytes(&chain, &other, b"abc"));
        assert_ne!(a, parts_signing_bytes(&ChainId::new("d").expect("valid"), &init(3), b"abc"));
    }
}
