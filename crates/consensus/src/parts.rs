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

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use arc_malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use arc_malachitebft_app_channel::app::types::core as mc;
use arc_malachitebft_app_channel::app::types::PeerId;
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use publica_crypto::{sha256, signing_message, Address, Signature};
use publica_types::{ChainId, MAX_BLOCK_BYTES};

use crate::context::PublicaContext;
use crate::error::ConsensusError;

/// Signature tag of the `Fin` part of a proposal stream.
pub const PARTS_TAG: &str = "publica/proposal-parts";

/// Largest block chunk in one `Data` part.
pub const CHUNK_BYTES: usize = 128 * 1024;

/// Most `Data` parts in one stream: enough for the largest block.
pub const MAX_DATA_PARTS: u64 = MAX_BLOCK_BYTES.div_ceil(CHUNK_BYTES) as u64;

/// Highest sequence number a stream can use: init, data parts, fin, end marker.
pub const MAX_SEQUENCE: u64 = MAX_DATA_PARTS + 2;

/// Bytes buffered over all incomplete streams before the oldest are dropped.
const MAX_BUFFERED_BYTES: usize = 3 * MAX_BLOCK_BYTES;

/// Incomplete streams kept at once; a peer cannot make us track more.
const MAX_STREAMS: usize = 64;

/// An incomplete stream older than this is dropped: its proposer's round is long over.
const STREAM_MAX_AGE: Duration = Duration::from_secs(120);

/// Length of a stream id: height (8 bytes), round (4 bytes), proposer address (20 bytes).
pub const STREAM_ID_BYTES: usize = 8 + 4 + 20;

const _: () = assert!(MAX_DATA_PARTS * (CHUNK_BYTES as u64) >= MAX_BLOCK_BYTES as u64);
const _: () = assert!(MAX_BUFFERED_BYTES >= 2 * MAX_BLOCK_BYTES);

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
    parts: BTreeMap<u64, StreamContent<ProposalPart>>,
    bytes: usize,
    end_seq: Option<u64>,
    height: Option<u64>,
}

impl PartialStream {
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
            let keep = s.height.is_none_or(|h| h >= height) && now.duration_since(s.started) < STREAM_MAX_AGE;
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

    fn evict_oldest(&mut self, keep: &(PeerId, StreamId)) -> bool {
        let oldest =
            self.streams.iter().filter(|(k, _)| *k != keep).min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                self.remove(&k);
                true
            }
            None => false,
        }
    }

    /// Add one message of the stream `publisher` sends. Returns the stream once it is complete; an error means
    /// the stream broke a rule and was dropped.
    pub fn insert(
        &mut self,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Result<Option<AssembledParts>, ConsensusError> {
        let bad = |reason: String| Err(ConsensusError::decode("proposal stream", reason));
        if msg.stream_id.to_bytes().len() != STREAM_ID_BYTES {
            return bad(format!("stream id is {} bytes, expected {STREAM_ID_BYTES}", msg.stream_id.to_bytes().len()));
        }
        if msg.sequence > MAX_SEQUENCE {
            return bad(format!("sequence {} beyond the largest possible {MAX_SEQUENCE}", msg.sequence));
        }
        let size = match &msg.content {
            StreamContent::Data(ProposalPart::Data(chunk)) if chunk.len() > CHUNK_BYTES => {
                return bad(format!("chunk of {} bytes exceeds {CHUNK_BYTES}", chunk.len()));
            }
            StreamContent::Data(ProposalPart::Data(chunk)) => chunk.len(),
            // Init and Fin are small and fixed in size; count a nominal amount so floods of them are bounded too.
            _ => 4096,
        };
        let key = (publisher, msg.stream_id.clone());

        if !self.streams.contains_key(&key) {
            while self.streams.len() >= MAX_STREAMS {
                if !self.evict_oldest(&key) {
                    break;
                }
            }
            self.streams.insert(
                key.clone(),
                PartialStream {
                    started: Instant::now(),
                    parts: BTreeMap::new(),
                    bytes: 0,
                    end_seq: None,
                    height: None,
                },
            );
        }
        while self.buffered_bytes + size > MAX_BUFFERED_BYTES {
            if !self.evict_oldest(&key) {
                break;
            }
        }

        let stream = self.streams.get_mut(&key).expect("inserted above");
        if stream.parts.contains_key(&msg.sequence) {
            // A duplicate from gossip or a restream: nothing new.
            return Ok(None);
        }
        let mut violation = None;
        match &msg.content {
            StreamContent::Fin => {
                if stream.end_seq.is_some() {
                    violation = Some("two end-of-stream markers".to_string());
                } else if stream.parts.keys().next_back().is_some_and(|&last| last > msg.sequence) {
                    violation = Some("end-of-stream marker before other parts".to_string());
                } else {
                    stream.end_seq = Some(msg.sequence);
                }
            }
            StreamContent::Data(ProposalPart::Init(init)) => {
                if msg.sequence != 0 {
                    violation = Some(format!("init part at sequence {}", msg.sequence));
                } else if init.block_len as usize > MAX_BLOCK_BYTES {
                    violation = Some(format!("announced block of {} bytes exceeds {MAX_BLOCK_BYTES}", init.block_len));
                } else {
                    stream.height = Some(init.height);
                }
            }
            StreamContent::Data(_) => {
                if msg.sequence == 0 {
                    violation = Some("the first part is not an init part".to_string());
                }
                if stream.end_seq.is_some_and(|end| msg.sequence >= end) {
                    violation = Some("part after the end-of-stream marker".to_string());
                }
            }
        }
        if stream.bytes + size > MAX_BLOCK_BYTES + 2 * 4096 {
            violation = Some(format!("stream exceeds {MAX_BLOCK_BYTES} bytes"));
        }
        if let Some(reason) = violation {
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

    fn init(block_len: usize) -> PartsInit {
        PartsInit { height: 7, round: 1, proposer: Address([9; 20]), block_len: block_len as u32 }
    }

    fn signature() -> Signature {
        publica_crypto::Keypair::from_seed(&[1; 32]).sign(b"parts")
    }

    fn peer() -> PeerId {
        PeerId::from_bytes(&[0, 4, 1, 2, 3, 4]).expect("identity multihash")
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
            if let Some(parts) = buffer.insert(peer(), m).expect("valid part") {
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
        assert!(PartsBuffer::new().insert(peer(), bad).is_err());

        // An init part elsewhere than at 0.
        let mut bad = msgs[0].clone();
        bad.sequence = 2;
        assert!(PartsBuffer::new().insert(peer(), bad).is_err());

        // A chunk larger than allowed.
        let mut bad = msgs[1].clone();
        bad.content = StreamContent::Data(ProposalPart::Data(vec![0; CHUNK_BYTES + 1]));
        assert!(PartsBuffer::new().insert(peer(), bad).is_err());

        // A sequence beyond any possible stream.
        let mut bad = msgs[1].clone();
        bad.sequence = MAX_SEQUENCE + 1;
        assert!(PartsBuffer::new().insert(peer(), bad).is_err());

        // A block longer than announced.
        let mut buffer = PartsBuffer::new();
        let mut msgs_long = stream_messages(&init(5), &block, &signature());
        let last = msgs_long.pop().expect("end marker");
        for m in msgs_long {
            assert!(buffer.insert(peer(), m).expect("accepted so far").is_none());
        }
        assert!(buffer.insert(peer(), last).is_err());

        // A part after the end marker.
        let mut buffer = PartsBuffer::new();
        let end = msgs.last().expect("end").clone();
        buffer.insert(peer(), end).expect("end marker alone is fine");
        let mut late = msgs[1].clone();
        late.sequence = 9;
        assert!(buffer.insert(peer(), late).is_err());
    }

    #[test]
    fn fin_missing_or_misplaced_is_refused() {
        let block = vec![1u8; 10];
        let mut msgs = stream_messages(&init(block.len()), &block, &signature());
        // Replace the Fin part by a data part: complete, but no signature.
        msgs[2].content = StreamContent::Data(ProposalPart::Data(vec![]));
        let mut buffer = PartsBuffer::new();
        let results: Vec<_> = msgs.into_iter().map(|m| buffer.insert(peer(), m)).collect();
        assert!(results.last().expect("some").is_err());
    }

    #[test]
    fn prune_drops_old_heights() {
        let block = vec![1u8; 10];
        let msgs = stream_messages(&init(block.len()), &block, &signature());
        let mut buffer = PartsBuffer::new();
        buffer.insert(peer(), msgs[0].clone()).expect("init");
        buffer.prune(7);
        assert_eq!(buffer.len(), 1);
        buffer.prune(8);
        assert_eq!(buffer.len(), 0);
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
