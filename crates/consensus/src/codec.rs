//! Wire and WAL encodings of everything the engine sends or stores.
//!
//! Every message is the borsh encoding of a plain `Wire*` structure defined here, built from `publica-types`
//! values wherever one exists: a signed vote on the wire is literally `borsh(VoteBody) ‖ borsh(Signature)`, the
//! exact body its signature covers; a synced certificate is a `publica_types::CommitCertificate`. Decoding
//! refuses input over the per-message limit before parsing, refuses trailing bytes, and never panics.
//!
//! | engine type | wire structure | limit |
//! |---|---|---|
//! | signed vote / proposal (network and WAL) | [`WireConsensusMsg`] | [`MAX_CONSENSUS_MSG_BYTES`] |
//! | liveness message (vote, polka or round certificate) | [`WireLivenessMsg`] | [`MAX_CERTIFICATE_BYTES`] |
//! | proposal part | [`ProposalPart`] | [`MAX_PART_BYTES`] |
//! | stream message | [`WireStreamMessage`] | [`MAX_PART_BYTES`] |
//! | validator proof | [`WireValidatorProof`] | [`MAX_PROOF_BYTES`] |
//! | sync status / request | [`WireSyncStatus`] / [`WireSyncRequest`] | 256 bytes |
//! | sync response | [`WireSyncResponse`] | [`MAX_SYNC_RESPONSE_BYTES`] |
//! | proposed value (WAL) | [`WireProposedValue`] | 256 bytes |
//! | polka certificate (WAL) | [`WirePolkaCertificate`] | [`MAX_CERTIFICATE_BYTES`] |

use arc_malachitebft_app_channel::app::consensus::LivenessMsg;
use arc_malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use arc_malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use arc_malachitebft_app_channel::app::types::core::{
    CommitSignature, ExtendedCommitCertificate, ExtendedCommitSignature, NilOrVal, PolkaCertificate, PolkaSignature,
    Round, RoundCertificate, RoundCertificateType, RoundSignature, SignedMessage, ValidatorProof, Validity, VoteType,
};
use arc_malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use arc_malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};
use arc_malachitebft_sync::{ValueRequest, ValueResponse};
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use publica_crypto::{Address, Hash, Signature};
use publica_types::{CommitCertificate, ProposalBody, VoteBody, VoteKind, MAX_BLOCK_BYTES, MAX_VALIDATORS};

use crate::context::{
    BlockHeight, BlockId, ConsensusProposal, ConsensusVote, HybridSignature, PublicaContext, ValidatorAddress,
};
use crate::error::ConsensusError;
use crate::parts::{ProposalPart, CHUNK_BYTES, STREAM_ID_BYTES};

/// One encoded hybrid signature (fixed length, no prefix).
const SIGNATURE_BYTES_MAX: usize = publica_crypto::SIGNATURE_LEN;

/// Largest signed vote or proposal.
pub const MAX_CONSENSUS_MSG_BYTES: usize = 1024 + SIGNATURE_BYTES_MAX;

/// Largest certificate: one signature and a vote description per validator.
pub const MAX_CERTIFICATE_BYTES: usize = 1024 + MAX_VALIDATORS * (SIGNATURE_BYTES_MAX + 128);

/// Largest proposal part or stream message: a full chunk plus framing.
pub const MAX_PART_BYTES: usize = CHUNK_BYTES + 8 * 1024;

/// Largest validator proof: a hybrid public key, a peer id and a signature.
pub const MAX_PROOF_BYTES: usize = 16 * 1024;

/// Largest value-sync response: one maximal block with its certificate, or several smaller ones.
pub const MAX_SYNC_RESPONSE_BYTES: usize = MAX_BLOCK_BYTES + MAX_CERTIFICATE_BYTES + 64 * 1024;

const MAX_SMALL_BYTES: usize = 256;

/// A signed vote or proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireConsensusMsg {
    /// A vote and its signature over `VoteBody::signing_bytes`.
    Vote {
        /// What was signed.
        body: VoteBody,
        /// The voter's hybrid signature.
        signature: Signature,
    },
    /// A proposal and its signature over `ProposalBody::signing_bytes`.
    Proposal {
        /// What was signed.
        body: ProposalBody,
        /// The proposer's hybrid signature.
        signature: Signature,
    },
}

/// A polka certificate: prevote signatures of a quorum for one block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WirePolkaCertificate {
    /// Height.
    pub height: u64,
    /// Round of the prevotes.
    pub round: u32,
    /// The block prevoted for.
    pub block_hash: Hash,
    /// Each signer and its prevote signature.
    pub signatures: Vec<(Address, Signature)>,
}

/// One vote inside a round certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireRoundSignature {
    /// Prevote or precommit.
    pub kind: VoteKind,
    /// The block voted for, or nil.
    pub block_hash: Option<Hash>,
    /// The voter.
    pub validator: Address,
    /// The voter's signature.
    pub signature: Signature,
}

/// A round certificate: votes that justify skipping to, or entering, a round.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireRoundCertificate {
    /// Height.
    pub height: u64,
    /// Round of the votes.
    pub round: u32,
    /// `true` for a precommit certificate, `false` for a skip certificate.
    pub precommit: bool,
    /// The votes.
    pub signatures: Vec<WireRoundSignature>,
}

/// A liveness message, rebroadcast so that lagging validators can catch up within a height.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireLivenessMsg {
    /// A signed vote.
    Vote {
        /// What was signed.
        body: VoteBody,
        /// The signature.
        signature: Signature,
    },
    /// A polka certificate.
    Polka(WirePolkaCertificate),
    /// A round certificate.
    Round(WireRoundCertificate),
}

/// One message of a proposal stream; `content: None` is the end-of-stream marker.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireStreamMessage {
    /// The stream id (height, round, proposer).
    pub stream_id: Vec<u8>,
    /// Position in the stream.
    pub sequence: u64,
    /// A part, or `None` for the end of the stream.
    pub content: Option<ProposalPart>,
}

/// A validator's proof that it controls a libp2p peer id.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireValidatorProof {
    /// The validator's encoded hybrid public key.
    pub public_key: Vec<u8>,
    /// The encoded libp2p peer id.
    pub peer_id: Vec<u8>,
    /// Signature over the proof preimage (see `signing`).
    pub signature: Signature,
}

/// A peer's value-sync status.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSyncStatus {
    /// The encoded libp2p peer id.
    pub peer_id: Vec<u8>,
    /// Highest decided height.
    pub tip_height: u64,
    /// Lowest height whose block it still serves.
    pub history_min_height: u64,
}

/// A request for the decided blocks of an inclusive height range.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSyncRequest {
    /// First height.
    pub start: u64,
    /// Last height.
    pub end: u64,
}

/// A decided block and its commit certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireDecidedValue {
    /// The canonical encoding of the block.
    pub block: Vec<u8>,
    /// Its certificate.
    pub certificate: CommitCertificate,
}

/// Decided blocks for consecutive heights.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSyncResponse {
    /// Height of the first block.
    pub start_height: u64,
    /// The blocks, one per height from `start_height`.
    pub values: Vec<WireDecidedValue>,
}

/// A value the engine has seen for a round, as stored in its WAL. The block itself is in the proposal store.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireProposedValue {
    /// Height.
    pub height: u64,
    /// Round it was proposed in.
    pub round: u32,
    /// Round of its proof-of-lock, if re-proposed.
    pub valid_round: Option<u32>,
    /// The proposer.
    pub proposer: Address,
    /// The block hash.
    pub block_hash: Hash,
    /// Whether the application accepted the block.
    pub valid: bool,
}

/// The codec the engine uses for network messages, value sync and its WAL.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicaCodec;

fn decode_limited<T: BorshDeserialize>(what: &'static str, bytes: &[u8], max: usize) -> Result<T, ConsensusError> {
    if bytes.len() > max {
        return Err(ConsensusError::TooLarge { what, len: bytes.len(), max });
    }
    borsh::from_slice(bytes).map_err(|e| ConsensusError::decode(what, e))
}

fn encode_bytes<T: BorshSerialize>(value: &T) -> Bytes {
    Bytes::from(borsh::to_vec(value).expect("encoding into a Vec does not fail"))
}

fn defined_round(what: &'static str, round: Round) -> Result<u32, ConsensusError> {
    round.as_u32().ok_or_else(|| ConsensusError::Encode { what, reason: "the round is nil".into() })
}

fn vote_body(vote: &ConsensusVote) -> Result<VoteBody, ConsensusError> {
    vote.body().ok_or_else(|| ConsensusError::Encode { what: "vote", reason: "the round is nil".into() })
}

fn proposal_body(proposal: &ConsensusProposal) -> Result<ProposalBody, ConsensusError> {
    proposal.body().ok_or_else(|| ConsensusError::Encode { what: "proposal", reason: "the round is nil".into() })
}

type SignedVote = SignedMessage<PublicaContext, ConsensusVote>;

fn signed_vote(body: &VoteBody, signature: Signature) -> SignedVote {
    SignedMessage::new(ConsensusVote::from_body(body), HybridSignature(signature))
}

fn to_wire_consensus(msg: &SignedConsensusMsg<PublicaContext>) -> Result<WireConsensusMsg, ConsensusError> {
    Ok(match msg {
        SignedConsensusMsg::Vote(v) => {
            WireConsensusMsg::Vote { body: vote_body(&v.message)?, signature: v.signature.0.clone() }
        }
        SignedConsensusMsg::Proposal(p) => {
            WireConsensusMsg::Proposal { body: proposal_body(&p.message)?, signature: p.signature.0.clone() }
        }
    })
}

fn from_wire_consensus(msg: WireConsensusMsg) -> SignedConsensusMsg<PublicaContext> {
    match msg {
        WireConsensusMsg::Vote { body, signature } => SignedConsensusMsg::Vote(signed_vote(&body, signature)),
        WireConsensusMsg::Proposal { body, signature } => SignedConsensusMsg::Proposal(SignedMessage::new(
            ConsensusProposal::from_body(&body),
            HybridSignature(signature),
        )),
    }
}

fn to_wire_polka(cert: &PolkaCertificate<PublicaContext>) -> Result<WirePolkaCertificate, ConsensusError> {
    Ok(WirePolkaCertificate {
        height: cert.height.0,
        round: defined_round("polka certificate", cert.round)?,
        block_hash: cert.value_id.0,
        signatures: cert.polka_signatures.iter().map(|s| (s.address.0, s.signature.0.clone())).collect(),
    })
}

fn from_wire_polka(cert: WirePolkaCertificate) -> Result<PolkaCertificate<PublicaContext>, ConsensusError> {
    if cert.signatures.len() > MAX_VALIDATORS {
        return Err(ConsensusError::decode("polka certificate", "more signatures than validators"));
    }
    Ok(PolkaCertificate {
        height: BlockHeight(cert.height),
        round: Round::new(cert.round),
        value_id: BlockId(cert.block_hash),
        polka_signatures: cert
            .signatures
            .into_iter()
            .map(|(a, s)| PolkaSignature::new(ValidatorAddress(a), HybridSignature(s)))
            .collect(),
    })
}

fn to_wire_round(cert: &RoundCertificate<PublicaContext>) -> Result<WireRoundCertificate, ConsensusError> {
    Ok(WireRoundCertificate {
        height: cert.height.0,
        round: defined_round("round certificate", cert.round)?,
        precommit: matches!(cert.cert_type, RoundCertificateType::Precommit),
        signatures: cert
            .round_signatures
            .iter()
            .map(|s| WireRoundSignature {
                kind: match s.vote_type {
                    VoteType::Prevote => VoteKind::Prevote,
                    VoteType::Precommit => VoteKind::Precommit,
                },
                block_hash: match s.value_id {
                    NilOrVal::Nil => None,
                    NilOrVal::Val(id) => Some(id.0),
                },
                validator: s.address.0,
                signature: s.signature.0.clone(),
            })
            .collect(),
    })
}

fn from_wire_round(cert: WireRoundCertificate) -> Result<RoundCertificate<PublicaContext>, ConsensusError> {
    if cert.signatures.len() > 2 * MAX_VALIDATORS {
        return Err(ConsensusError::decode("round certificate", "more votes than validators can cast"));
    }
    Ok(RoundCertificate {
        height: BlockHeight(cert.height),
        round: Round::new(cert.round),
        cert_type: if cert.precommit { RoundCertificateType::Precommit } else { RoundCertificateType::Skip },
        round_signatures: cert
            .signatures
            .into_iter()
            .map(|s| {
                RoundSignature::new(
                    match s.kind {
                        VoteKind::Prevote => VoteType::Prevote,
                        VoteKind::Precommit => VoteType::Precommit,
                    },
                    match s.block_hash {
                        None => NilOrVal::Nil,
                        Some(h) => NilOrVal::Val(BlockId(h)),
                    },
                    ValidatorAddress(s.validator),
                    HybridSignature(s.signature),
                )
            })
            .collect(),
    })
}

/// Convert an engine certificate (never carrying vote extensions in Publica) to the engine-independent form.
pub fn certificate_from_engine(
    cert: &ExtendedCommitCertificate<PublicaContext>,
) -> Result<CommitCertificate, ConsensusError> {
    if cert.commit_signatures.iter().any(|s| s.extension.is_some()) {
        return Err(ConsensusError::Encode {
            what: "commit certificate",
            reason: "it carries vote extensions, which Publica does not use".into(),
        });
    }
    let mut signatures: Vec<publica_types::CommitSignature> = cert
        .commit_signatures
        .iter()
        .map(|s| publica_types::CommitSignature { validator: s.address.0, signature: s.signature.0.clone() })
        .collect();
    // Sorted by signer, so that the same signatures always give the same certificate bytes.
    signatures.sort_by_key(|s| s.validator);
    Ok(CommitCertificate {
        height: cert.height.0,
        round: defined_round("commit certificate", cert.round)?,
        block_hash: cert.value_id.0,
        signatures,
    })
}

/// Convert an engine-independent certificate to the engine's form.
pub fn certificate_to_engine(cert: &CommitCertificate) -> ExtendedCommitCertificate<PublicaContext> {
    ExtendedCommitCertificate {
        height: BlockHeight(cert.height),
        round: Round::new(cert.round),
        value_id: BlockId(cert.block_hash),
        commit_signatures: cert
            .signatures
            .iter()
            .map(|s| {
                ExtendedCommitSignature::new(ValidatorAddress(s.validator), HybridSignature(s.signature.clone()), None)
            })
            .collect(),
    }
}

/// Convert a decided certificate as the engine reports it.
pub fn commit_certificate_from_engine(
    cert: &arc_malachitebft_app_channel::app::types::core::CommitCertificate<PublicaContext>,
) -> Result<CommitCertificate, ConsensusError> {
    certificate_from_engine(&ExtendedCommitCertificate {
        height: cert.height,
        round: cert.round,
        value_id: cert.value_id,
        commit_signatures: cert
            .commit_signatures
            .iter()
            .map(|s: &CommitSignature<PublicaContext>| {
                ExtendedCommitSignature::new(s.address, s.signature.clone(), None)
            })
            .collect(),
    })
}

fn to_wire_sync_response(resp: &Response<PublicaContext>) -> Result<WireSyncResponse, ConsensusError> {
    let Response::ValueResponse(resp) = resp;
    Ok(WireSyncResponse {
        start_height: resp.start_height.0,
        values: resp
            .values
            .iter()
            .map(|v| {
                Ok(WireDecidedValue {
                    block: v.value_bytes.to_vec(),
                    certificate: certificate_from_engine(&v.certificate)?,
                })
            })
            .collect::<Result<_, ConsensusError>>()?,
    })
}

macro_rules! codec_impl {
    ($ty:ty, $what:literal, $max:expr, $wire:ty, |$e:ident| $encode:expr, |$d:ident| $decode:expr) => {
        impl Codec<$ty> for PublicaCodec {
            type Error = ConsensusError;

            fn decode(&self, bytes: Bytes) -> Result<$ty, ConsensusError> {
                let $d: $wire = decode_limited($what, &bytes, $max)?;
                $decode
            }

            fn encode(&self, $e: &$ty) -> Result<Bytes, ConsensusError> {
                let wire: $wire = $encode;
                Ok(encode_bytes(&wire))
            }
        }
    };
}

codec_impl!(
    SignedConsensusMsg<PublicaContext>,
    "consensus message",
    MAX_CONSENSUS_MSG_BYTES,
    WireConsensusMsg,
    |msg| to_wire_consensus(msg)?,
    |wire| Ok(from_wire_consensus(wire))
);

codec_impl!(
    LivenessMsg<PublicaContext>,
    "liveness message",
    MAX_CERTIFICATE_BYTES,
    WireLivenessMsg,
    |msg| match msg {
        LivenessMsg::Vote(v) =>
            WireLivenessMsg::Vote { body: vote_body(&v.message)?, signature: v.signature.0.clone() },
        LivenessMsg::PolkaCertificate(c) => WireLivenessMsg::Polka(to_wire_polka(c)?),
        LivenessMsg::SkipRoundCertificate(c) => WireLivenessMsg::Round(to_wire_round(c)?),
    },
    |wire| Ok(match wire {
        WireLivenessMsg::Vote { body, signature } => LivenessMsg::Vote(signed_vote(&body, signature)),
        WireLivenessMsg::Polka(c) => LivenessMsg::PolkaCertificate(from_wire_polka(c)?),
        WireLivenessMsg::Round(c) => LivenessMsg::SkipRoundCertificate(from_wire_round(c)?),
    })
);

codec_impl!(ProposalPart, "proposal part", MAX_PART_BYTES, ProposalPart, |part| part.clone(), |wire| Ok(wire));

codec_impl!(
    StreamMessage<ProposalPart>,
    "proposal stream message",
    MAX_PART_BYTES,
    WireStreamMessage,
    |msg| WireStreamMessage {
        stream_id: msg.stream_id.to_bytes().to_vec(),
        sequence: msg.sequence,
        content: match &msg.content {
            StreamContent::Data(part) => Some(part.clone()),
            StreamContent::Fin => None,
        },
    },
    |wire| {
        if wire.stream_id.len() != STREAM_ID_BYTES {
            return Err(ConsensusError::decode("proposal stream message", "stream id has the wrong length"));
        }
        Ok(StreamMessage::new(
            StreamId::new(Bytes::from(wire.stream_id)),
            wire.sequence,
            match wire.content {
                Some(part) => StreamContent::Data(part),
                None => StreamContent::Fin,
            },
        ))
    }
);

codec_impl!(
    ValidatorProof<PublicaContext>,
    "validator proof",
    MAX_PROOF_BYTES,
    WireValidatorProof,
    |proof| WireValidatorProof {
        public_key: proof.public_key.clone(),
        peer_id: proof.peer_id.clone(),
        signature: proof.signature.0.clone(),
    },
    |wire| Ok(ValidatorProof::new(wire.public_key, wire.peer_id, HybridSignature(wire.signature)))
);

codec_impl!(
    Status<PublicaContext>,
    "sync status",
    MAX_SMALL_BYTES,
    WireSyncStatus,
    |status| WireSyncStatus {
        peer_id: status.peer_id.to_bytes(),
        tip_height: status.tip_height.0,
        history_min_height: status.history_min_height.0,
    },
    |wire| Ok(Status {
        peer_id: PeerId::from_bytes(&wire.peer_id).map_err(|e| ConsensusError::decode("sync status", e))?,
        tip_height: BlockHeight(wire.tip_height),
        history_min_height: BlockHeight(wire.history_min_height),
    })
);

codec_impl!(
    Request<PublicaContext>,
    "sync request",
    MAX_SMALL_BYTES,
    WireSyncRequest,
    |req| {
        let Request::ValueRequest(r) = req;
        WireSyncRequest { start: r.range.start().0, end: r.range.end().0 }
    },
    |wire| {
        if wire.start > wire.end {
            return Err(ConsensusError::decode("sync request", "the range is empty (start after end)"));
        }
        Ok(Request::ValueRequest(ValueRequest::new(BlockHeight(wire.start)..=BlockHeight(wire.end))))
    }
);

codec_impl!(
    Response<PublicaContext>,
    "sync response",
    MAX_SYNC_RESPONSE_BYTES,
    WireSyncResponse,
    |resp| to_wire_sync_response(resp)?,
    |wire| {
        let values = wire
            .values
            .into_iter()
            .map(|v| RawDecidedValue::new(Bytes::from(v.block), certificate_to_engine(&v.certificate)))
            .collect();
        Ok(Response::ValueResponse(ValueResponse::new(BlockHeight(wire.start_height), values)))
    }
);

impl HasEncodedLen<Response<PublicaContext>> for PublicaCodec {
    fn encoded_len(&self, resp: &Response<PublicaContext>) -> Result<usize, ConsensusError> {
        let wire = to_wire_sync_response(resp)?;
        borsh::object_length(&wire).map_err(|e| ConsensusError::Encode { what: "sync response", reason: e.to_string() })
    }
}

codec_impl!(
    ProposedValue<PublicaContext>,
    "proposed value",
    MAX_SMALL_BYTES,
    WireProposedValue,
    |v| WireProposedValue {
        height: v.height.0,
        round: defined_round("proposed value", v.round)?,
        valid_round: v.valid_round.as_u32(),
        proposer: v.proposer.0,
        block_hash: v.value.0,
        valid: v.validity.is_valid(),
    },
    |wire| Ok(ProposedValue {
        height: BlockHeight(wire.height),
        round: Round::new(wire.round),
        valid_round: Round::from(wire.valid_round),
        proposer: ValidatorAddress(wire.proposer),
        value: BlockId(wire.block_hash),
        validity: Validity::from_bool(wire.valid),
    })
);

codec_impl!(
    PolkaCertificate<PublicaContext>,
    "polka certificate",
    MAX_CERTIFICATE_BYTES,
    WirePolkaCertificate,
    |cert| to_wire_polka(cert)?,
    |wire| from_wire_polka(wire)
);

#[cfg(test)]
mod tests {
    use super::*;
    use arc_malachitebft_app_channel::app::types::core::Context as _;
    use publica_crypto::Keypair;

    fn signed_vote_msg() -> SignedConsensusMsg<PublicaContext> {
        let kp = Keypair::from_seed(&[3; 32]);
        let vote = PublicaContext.new_precommit(
            BlockHeight(5),
            Round::new(2),
            NilOrVal::Val(BlockId([7; 32])),
            ValidatorAddress(kp.address()),
        );
        let sig = kp.sign(b"any");
        SignedConsensusMsg::Vote(SignedMessage::new(vote, HybridSignature(sig)))
    }

    #[test]
    fn consensus_messages_round_trip() {
        let msg = signed_vote_msg();
        let bytes = Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, &msg).expect("encode");
        let back: SignedConsensusMsg<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, msg);
    }

    #[test]
    fn decoders_refuse_oversize_trailing_and_garbage_input() {
        let msg = signed_vote_msg();
        let bytes = Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, &msg).expect("encode");
        let mut trailing = bytes.to_vec();
        trailing.push(0);
        let r: Result<SignedConsensusMsg<PublicaContext>, _> = PublicaCodec.decode(Bytes::from(trailing));
        assert!(r.is_err());
        let big = Bytes::from(vec![0u8; MAX_CONSENSUS_MSG_BYTES + 1]);
        let r: Result<SignedConsensusMsg<PublicaContext>, _> = PublicaCodec.decode(big);
        assert!(matches!(r, Err(ConsensusError::TooLarge { .. })));
        for len in [0usize, 1, 7, 100, 5000] {
            let junk = Bytes::from(vec![0xA5u8; len]);
            assert!(Codec::<SignedConsensusMsg<PublicaContext>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<StreamMessage<ProposalPart>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<Response<PublicaContext>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<ProposedValue<PublicaContext>>::decode(&PublicaCodec, junk).is_err());
        }
    }

    #[test]
    fn sync_messages_round_trip_and_certificates_convert_one_to_one() {
        let kp = Keypair::from_seed(&[4; 32]);
        let cert = CommitCertificate {
            height: 9,
            round: 0,
            block_hash: [1; 32],
            signatures: vec![publica_types::CommitSignature { validator: kp.address(), signature: kp.sign(b"x") }],
        };
        let engine = certificate_to_engine(&cert);
        assert_eq!(certificate_from_engine(&engine).expect("convert"), cert);

        let resp = Response::ValueResponse(ValueResponse::new(
            BlockHeight(9),
            vec![RawDecidedValue::new(Bytes::from_static(b"block"), engine)],
        ));
        let bytes = Codec::<Response<PublicaContext>>::encode(&PublicaCodec, &resp).expect("encode");
        assert_eq!(PublicaCodec.encoded_len(&resp).expect("len"), bytes.len());
        let back: Response<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, resp);

        let req = Request::ValueRequest(ValueRequest::new(BlockHeight(3)..=BlockHeight(8)));
        let bytes = Codec::<Request<PublicaContext>>::encode(&PublicaCodec, &req).expect("encode");
        let back: Request<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, req);
        let inverted = encode_bytes(&WireSyncRequest { start: 8, end: 3 });
        assert!(Codec::<Request<PublicaContext>>::decode(&PublicaCodec, inverted).is_err());
    }

    #[test]
    fn nil_rounds_cannot_be_encoded() {
        let mut msg = signed_vote_msg();
        if let SignedConsensusMsg::Vote(v) = &mut msg {
            v.message.round = Round::Nil;
        }
        assert!(Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, &msg).is_err());
    }
}
