//! Wire and WAL encodings of everything the engine sends or stores.
//!
//! Every message is the borsh encoding of a plain `Wire*` structure defined here, built from `publica-types`
//! values wherever one exists: a signed vote on the wire is literally `borsh(VoteBody) ‖ borsh(Signature)`, the
//! exact body its signature covers, followed by the optional signed extension of a precommit; a synced
//! certificate is a `publica_types::CommitCertificate` followed by the `publica_types::DecidedExtensions` of its
//! precommits. Decoding refuses input over the per-message limit before parsing, refuses trailing bytes, refuses
//! an extension over `MAX_VOTE_EXTENSION_BYTES` or on a vote that cannot carry one, and never panics.
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
    CommitCertificate as EngineCommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, NilOrVal,
    PolkaCertificate, PolkaSignature, Round, RoundCertificate, RoundCertificateType, RoundSignature, SignedExtension,
    SignedMessage, ValidatorProof, Validity, VoteExtensions, VoteType,
};
use arc_malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use arc_malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};
use arc_malachitebft_sync::{ValueRequest, ValueResponse};
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use publica_crypto::{Address, Hash, Signature};
use publica_types::{
    CommitCertificate, DecidedExtensions, ProposalBody, SignedVoteExtension, VoteBody, VoteKind, MAX_BLOCK_BYTES,
    MAX_DECIDED_EXTENSIONS_BYTES, MAX_VALIDATORS, MAX_VOTE_EXTENSION_BYTES,
};

use crate::context::{
    BlockHeight, BlockId, ConsensusProposal, ConsensusVote, HybridSignature, PublicaContext, ValidatorAddress,
    VoteExtension,
};
use crate::error::ConsensusError;
use crate::parts::{ProposalPart, CHUNK_BYTES, STREAM_ID_BYTES};

/// One encoded hybrid signature (fixed length, no prefix).
const MAX_SIGNATURE_BYTES: usize = publica_crypto::SIGNATURE_LEN;

/// Largest signed vote or proposal: a vote body, its signature and a maximal signed extension.
pub const MAX_CONSENSUS_MSG_BYTES: usize = 1024 + 2 * MAX_SIGNATURE_BYTES + MAX_VOTE_EXTENSION_BYTES;

/// Largest certificate: one signature and a vote description per validator.
pub const MAX_CERTIFICATE_BYTES: usize = 1024 + MAX_VALIDATORS * (MAX_SIGNATURE_BYTES + 128);

/// Largest proposal part or stream message: a full chunk plus framing.
pub const MAX_PART_BYTES: usize = CHUNK_BYTES + 8 * 1024;

/// Largest validator proof: a hybrid public key, a peer id and a signature.
pub const MAX_PROOF_BYTES: usize = 16 * 1024;

/// Largest value-sync response: one maximal block with its certificate and extensions, or several smaller ones.
pub const MAX_SYNC_RESPONSE_BYTES: usize =
    MAX_BLOCK_BYTES + MAX_CERTIFICATE_BYTES + MAX_DECIDED_EXTENSIONS_BYTES + 64 * 1024;

// A liveness message may be a single signed vote with its extension.
const _: () = assert!(MAX_CONSENSUS_MSG_BYTES <= MAX_CERTIFICATE_BYTES);

const MAX_SMALL_BYTES: usize = 256;

/// A precommit's extension and the voter's signature over `SignedVoteExtension::signing_bytes`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireVoteExtension {
    /// The extension, at most `MAX_VOTE_EXTENSION_BYTES`.
    pub extension: Vec<u8>,
    /// The voter's hybrid signature over the extension in the precommit's scope.
    pub signature: Signature,
}

/// A signed vote or proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireConsensusMsg {
    /// A vote and its signature over `VoteBody::signing_bytes`.
    Vote {
        /// What was signed.
        body: VoteBody,
        /// The voter's hybrid signature.
        signature: Signature,
        /// The signed extension of a non-nil precommit.
        extension: Option<WireVoteExtension>,
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
        /// The signed extension of a non-nil precommit.
        extension: Option<WireVoteExtension>,
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

/// A decided block, its commit certificate and the extensions of the certificate's precommits.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireDecidedValue {
    /// The canonical encoding of the block.
    pub block: Vec<u8>,
    /// Its certificate.
    pub certificate: CommitCertificate,
    /// One extension per certificate signature (sorted by validator).
    pub extensions: DecidedExtensions,
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

fn to_wire_extension(extension: &Option<SignedExtension<PublicaContext>>) -> Option<WireVoteExtension> {
    extension
        .as_ref()
        .map(|e| WireVoteExtension { extension: e.message.as_bytes().to_vec(), signature: e.signature.0.clone() })
}

/// A signed vote from its wire parts. Only a precommit for a block carries an extension (the engine would drop
/// any other vote that had one, so such a message is malformed), and no extension exceeds the limit.
fn signed_vote(
    what: &'static str,
    body: &VoteBody,
    signature: Signature,
    extension: Option<WireVoteExtension>,
) -> Result<SignedVote, ConsensusError> {
    let mut vote = ConsensusVote::from_body(body);
    if let Some(ext) = extension {
        if body.kind != VoteKind::Precommit || body.block_hash.is_none() {
            return Err(ConsensusError::decode(what, "only a precommit for a block may carry a vote extension"));
        }
        let len = ext.extension.len();
        let extension = VoteExtension::new(ext.extension).map_err(|_| ConsensusError::TooLarge {
            what: "vote extension",
            len,
            max: MAX_VOTE_EXTENSION_BYTES,
        })?;
        vote.extension = Some(SignedMessage::new(extension, HybridSignature(ext.signature)));
    }
    Ok(SignedMessage::new(vote, HybridSignature(signature)))
}

fn to_wire_consensus(msg: &SignedConsensusMsg<PublicaContext>) -> Result<WireConsensusMsg, ConsensusError> {
    Ok(match msg {
        SignedConsensusMsg::Vote(v) => WireConsensusMsg::Vote {
            body: vote_body(&v.message)?,
            signature: v.signature.0.clone(),
            extension: to_wire_extension(&v.message.extension),
        },
        SignedConsensusMsg::Proposal(p) => {
            WireConsensusMsg::Proposal { body: proposal_body(&p.message)?, signature: p.signature.0.clone() }
        }
    })
}

fn from_wire_consensus(msg: WireConsensusMsg) -> Result<SignedConsensusMsg<PublicaContext>, ConsensusError> {
    Ok(match msg {
        WireConsensusMsg::Vote { body, signature, extension } => {
            SignedConsensusMsg::Vote(signed_vote("consensus message", &body, signature, extension)?)
        }
        WireConsensusMsg::Proposal { body, signature } => SignedConsensusMsg::Proposal(SignedMessage::new(
            ConsensusProposal::from_body(&body),
            HybridSignature(signature),
        )),
    })
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

/// Convert an engine certificate to the engine-independent certificate and the extensions of its precommits.
///
/// Signatures and extensions are sorted by signer, so that the same precommits always give the same bytes. Every
/// height runs with extensions required, so the engine only builds certificates whose precommits all carry one;
/// a signature without one is still converted (the extensions are then checked for a quorum before a commit).
pub fn certificate_from_engine(
    cert: &ExtendedCommitCertificate<PublicaContext>,
) -> Result<(CommitCertificate, DecidedExtensions), ConsensusError> {
    let round = defined_round("commit certificate", cert.round)?;
    let mut signatures: Vec<publica_types::CommitSignature> = cert
        .commit_signatures
        .iter()
        .map(|s| publica_types::CommitSignature { validator: s.address.0, signature: s.signature.0.clone() })
        .collect();
    signatures.sort_by_key(|s| s.validator);
    let extensions = cert
        .commit_signatures
        .iter()
        .filter_map(|s| {
            s.extension.as_ref().map(|e| SignedVoteExtension {
                validator: s.address.0,
                round,
                extension: e.message.as_bytes().to_vec(),
                signature: e.signature.0.clone(),
            })
        })
        .collect();
    let extensions = DecidedExtensions::new(extensions)
        .map_err(|e| ConsensusError::Encode { what: "decided vote extensions", reason: e.to_string() })?;
    Ok((CommitCertificate { height: cert.height.0, round, block_hash: cert.value_id.0, signatures }, extensions))
}

/// Convert an engine-independent certificate and its precommits' extensions to the engine's form: each extension
/// goes with its validator's signature. An extension whose validator did not sign the certificate cannot be bound
/// to a precommit and is left out; so is one over the size limit (neither would verify at the receiver).
pub fn certificate_to_engine(
    cert: &CommitCertificate,
    extensions: &DecidedExtensions,
) -> ExtendedCommitCertificate<PublicaContext> {
    let mut commit_signatures: Vec<ExtendedCommitSignature<PublicaContext>> = cert
        .signatures
        .iter()
        .map(|s| {
            let extension = extensions.get(&s.validator).and_then(|e| {
                let extension = VoteExtension::new(e.extension.clone()).ok()?;
                Some(SignedMessage::new(extension, HybridSignature(e.signature.clone())))
            });
            ExtendedCommitSignature::new(ValidatorAddress(s.validator), HybridSignature(s.signature.clone()), extension)
        })
        .collect();
    commit_signatures.sort_by_key(|s| s.address);
    ExtendedCommitCertificate {
        height: BlockHeight(cert.height),
        round: Round::new(cert.round),
        value_id: BlockId(cert.block_hash),
        commit_signatures,
    }
}

/// Convert a decided certificate and the extensions of its precommits, as the engine reports them.
pub fn commit_certificate_from_engine(
    cert: &EngineCommitCertificate<PublicaContext>,
    extensions: &VoteExtensions<PublicaContext>,
) -> Result<(CommitCertificate, DecidedExtensions), ConsensusError> {
    certificate_from_engine(&ExtendedCommitCertificate::from_commit_certificate_and_extensions(
        cert.clone(),
        extensions.clone(),
    ))
}

fn to_wire_sync_response(resp: &Response<PublicaContext>) -> Result<WireSyncResponse, ConsensusError> {
    let Response::ValueResponse(resp) = resp;
    Ok(WireSyncResponse {
        start_height: resp.start_height.0,
        values: resp
            .values
            .iter()
            .map(|v| {
                let (certificate, extensions) = certificate_from_engine(&v.certificate)?;
                Ok(WireDecidedValue { block: v.value_bytes.to_vec(), certificate, extensions })
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
    |wire| from_wire_consensus(wire)
);

codec_impl!(
    LivenessMsg<PublicaContext>,
    "liveness message",
    MAX_CERTIFICATE_BYTES,
    WireLivenessMsg,
    |msg| match msg {
        LivenessMsg::Vote(v) => WireLivenessMsg::Vote {
            body: vote_body(&v.message)?,
            signature: v.signature.0.clone(),
            extension: to_wire_extension(&v.message.extension),
        },
        LivenessMsg::PolkaCertificate(c) => WireLivenessMsg::Polka(to_wire_polka(c)?),
        LivenessMsg::SkipRoundCertificate(c) => WireLivenessMsg::Round(to_wire_round(c)?),
    },
    |wire| Ok(match wire {
        WireLivenessMsg::Vote { body, signature, extension } =>
            LivenessMsg::Vote(signed_vote("liveness message", &body, signature, extension)?),
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
            .map(|v| RawDecidedValue::new(Bytes::from(v.block), certificate_to_engine(&v.certificate, &v.extensions)))
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

    fn key() -> Keypair {
        Keypair::from_seed(&[3; 32])
    }

    /// A signed precommit for a block, with an extension of `extension_len` bytes if given.
    fn precommit(extension_len: Option<usize>) -> SignedVote {
        let kp = key();
        let mut vote = PublicaContext.new_precommit(
            BlockHeight(5),
            Round::new(2),
            NilOrVal::Val(BlockId([7; 32])),
            ValidatorAddress(kp.address()),
        );
        if let Some(len) = extension_len {
            let extension = VoteExtension::new((0..len).map(|i| (i % 253) as u8).collect()).expect("within limit");
            vote = mc_extend(vote, SignedMessage::new(extension, HybridSignature(kp.sign(b"extension"))));
        }
        SignedMessage::new(vote, HybridSignature(kp.sign(b"vote")))
    }

    fn mc_extend(vote: ConsensusVote, ext: SignedExtension<PublicaContext>) -> ConsensusVote {
        use arc_malachitebft_app_channel::app::types::core::Vote as _;
        vote.extend(ext)
    }

    fn round_trip_consensus(msg: &SignedConsensusMsg<PublicaContext>) -> Bytes {
        let bytes = Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, msg).expect("encode");
        let back: SignedConsensusMsg<PublicaContext> = PublicaCodec.decode(bytes.clone()).expect("decode");
        assert_eq!(&back, msg);
        if let (SignedConsensusMsg::Vote(a), SignedConsensusMsg::Vote(b)) = (&back, msg) {
            // Spelled out: the extension and its signature survive the trip, not only the vote.
            assert_eq!(a.message.extension, b.message.extension);
        }
        bytes
    }

    fn decode_consensus(bytes: Vec<u8>) -> Result<SignedConsensusMsg<PublicaContext>, ConsensusError> {
        PublicaCodec.decode(Bytes::from(bytes))
    }

    #[test]
    fn consensus_messages_round_trip_with_and_without_extensions() {
        let kp = key();
        let prevote =
            PublicaContext.new_prevote(BlockHeight(5), Round::new(0), NilOrVal::Nil, ValidatorAddress(kp.address()));
        round_trip_consensus(&SignedConsensusMsg::Vote(SignedMessage::new(prevote, HybridSignature(kp.sign(b"p")))));
        round_trip_consensus(&SignedConsensusMsg::Vote(precommit(None)));
        round_trip_consensus(&SignedConsensusMsg::Vote(precommit(Some(0))));
        round_trip_consensus(&SignedConsensusMsg::Vote(precommit(Some(32))));
        let max = round_trip_consensus(&SignedConsensusMsg::Vote(precommit(Some(MAX_VOTE_EXTENSION_BYTES))));
        assert!(max.len() <= MAX_CONSENSUS_MSG_BYTES, "a vote with a maximal extension is {} bytes", max.len());

        // The wire form of a vote is the signed body, its signature, then the optional signed extension.
        let vote = precommit(Some(4));
        let bytes = round_trip_consensus(&SignedConsensusMsg::Vote(vote.clone()));
        let mut expected = vec![0u8];
        expected.extend(borsh::to_vec(&vote.message.body().expect("defined round")).expect("encode"));
        expected.extend(borsh::to_vec(&vote.signature.0).expect("encode"));
        expected.push(1);
        expected.extend(borsh::to_vec(&vec![0u8, 1, 2, 3]).expect("encode"));
        let extension_signature = &vote.message.extension.as_ref().expect("extended").signature.0;
        expected.extend(borsh::to_vec(extension_signature).expect("encode"));
        assert!(bytes.to_vec() == expected, "the vote's wire bytes are not body ‖ signature ‖ extension");

        // Liveness messages (rebroadcast votes) keep the extension too.
        let live = LivenessMsg::Vote(precommit(Some(100)));
        let bytes = Codec::<LivenessMsg<PublicaContext>>::encode(&PublicaCodec, &live).expect("encode");
        let back: LivenessMsg<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, live);
    }

    #[test]
    fn oversize_and_misplaced_extensions_are_refused() {
        let kp = key();
        let body = precommit(None).message.body().expect("defined round");
        let wire = |body: &VoteBody, len: usize| WireConsensusMsg::Vote {
            body: body.clone(),
            signature: kp.sign(b"vote"),
            extension: Some(WireVoteExtension { extension: vec![1; len], signature: kp.sign(b"extension") }),
        };
        let ok = borsh::to_vec(&wire(&body, MAX_VOTE_EXTENSION_BYTES)).expect("encode");
        assert!(decode_consensus(ok).is_ok());
        let over = borsh::to_vec(&wire(&body, MAX_VOTE_EXTENSION_BYTES + 1)).expect("encode");
        assert!(over.len() <= MAX_CONSENSUS_MSG_BYTES, "refused by the extension rule, not the message limit");
        assert!(matches!(decode_consensus(over), Err(ConsensusError::TooLarge { what: "vote extension", .. })));
        let live = borsh::to_vec(&WireLivenessMsg::Vote {
            body: body.clone(),
            signature: kp.sign(b"vote"),
            extension: Some(WireVoteExtension {
                extension: vec![1; MAX_VOTE_EXTENSION_BYTES + 1],
                signature: kp.sign(b"extension"),
            }),
        })
        .expect("encode");
        assert!(Codec::<LivenessMsg<PublicaContext>>::decode(&PublicaCodec, Bytes::from(live)).is_err());

        let prevote = VoteBody { kind: VoteKind::Prevote, ..body.clone() };
        assert!(decode_consensus(borsh::to_vec(&wire(&prevote, 8)).expect("encode")).is_err());
        let nil = VoteBody { block_hash: None, ..body.clone() };
        assert!(decode_consensus(borsh::to_vec(&wire(&nil, 8)).expect("encode")).is_err());

        assert!(VoteExtension::new(vec![0; MAX_VOTE_EXTENSION_BYTES + 1]).is_err());
        assert!(VoteExtension::new(vec![0; MAX_VOTE_EXTENSION_BYTES]).is_ok());
    }

    #[test]
    fn decoders_refuse_oversize_trailing_and_garbage_input() {
        let msg = SignedConsensusMsg::Vote(precommit(Some(64)));
        let bytes = Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, &msg).expect("encode");
        let mut trailing = bytes.to_vec();
        trailing.push(0);
        assert!(decode_consensus(trailing).is_err());
        let mut truncated = bytes.to_vec();
        truncated.pop();
        assert!(decode_consensus(truncated).is_err());
        let big = vec![0u8; MAX_CONSENSUS_MSG_BYTES + 1];
        assert!(matches!(decode_consensus(big), Err(ConsensusError::TooLarge { .. })));
        for len in [0usize, 1, 7, 100, 5000] {
            let junk = Bytes::from(vec![0xA5u8; len]);
            assert!(Codec::<SignedConsensusMsg<PublicaContext>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<LivenessMsg<PublicaContext>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<StreamMessage<ProposalPart>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<Response<PublicaContext>>::decode(&PublicaCodec, junk.clone()).is_err());
            assert!(Codec::<ProposedValue<PublicaContext>>::decode(&PublicaCodec, junk).is_err());
        }
    }

    fn decided(signers: &[u8]) -> (CommitCertificate, DecidedExtensions) {
        let mut keys: Vec<Keypair> = signers.iter().map(|&i| Keypair::from_seed(&[i; 32])).collect();
        keys.sort_by_key(|k| k.address());
        let cert = CommitCertificate {
            height: 9,
            round: 1,
            block_hash: [1; 32],
            signatures: keys
                .iter()
                .map(|k| publica_types::CommitSignature { validator: k.address(), signature: k.sign(b"x") })
                .collect(),
        };
        let extensions = DecidedExtensions::new(
            keys.iter()
                .map(|k| SignedVoteExtension {
                    validator: k.address(),
                    round: 1,
                    extension: k.address().as_bytes().to_vec(),
                    signature: k.sign(b"e"),
                })
                .collect(),
        )
        .expect("valid");
        (cert, extensions)
    }

    #[test]
    fn certificates_and_extensions_convert_one_to_one() {
        let (cert, extensions) = decided(&[4, 5, 6]);
        let engine = certificate_to_engine(&cert, &extensions);
        assert!(engine.commit_signatures.iter().all(|s| s.extension.is_some()));
        assert_eq!(certificate_from_engine(&engine).expect("convert"), (cert.clone(), extensions.clone()));

        // The engine's `Decided` shape (certificate and extensions apart) gives the same pair.
        let (trimmed, apart) = (engine.trim_vote_extensions(), engine.vote_extensions());
        assert_eq!(
            commit_certificate_from_engine(&trimmed, &apart).expect("convert"),
            (cert.clone(), extensions.clone())
        );

        // An extension whose validator did not sign cannot be bound to a precommit: it is left out.
        let (_, stranger) = decided(&[7]);
        let mut more = extensions.extensions.clone();
        more.extend(stranger.extensions);
        let engine = certificate_to_engine(&cert, &DecidedExtensions::new(more).expect("valid"));
        assert_eq!(certificate_from_engine(&engine).expect("convert").1, extensions);

        // A signer without an extension converts, and simply has none.
        let mut fewer = extensions.clone();
        fewer.extensions.remove(1);
        let engine = certificate_to_engine(&cert, &fewer);
        assert_eq!(engine.commit_signatures.iter().filter(|s| s.extension.is_none()).count(), 1);
        assert_eq!(certificate_from_engine(&engine).expect("convert"), (cert, fewer));
    }

    #[test]
    fn sync_messages_round_trip_with_their_extensions() {
        let (cert, extensions) = decided(&[4, 5, 6]);
        let resp = Response::ValueResponse(ValueResponse::new(
            BlockHeight(9),
            vec![RawDecidedValue::new(Bytes::from_static(b"block"), certificate_to_engine(&cert, &extensions))],
        ));
        let bytes = Codec::<Response<PublicaContext>>::encode(&PublicaCodec, &resp).expect("encode");
        assert_eq!(PublicaCodec.encoded_len(&resp).expect("len"), bytes.len());
        let wire: WireSyncResponse = borsh::from_slice(&bytes).expect("wire form");
        assert_eq!(wire.values[0].certificate, cert);
        assert_eq!(wire.values[0].extensions, extensions);
        let back: Response<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, resp);

        // Extensions that are not canonical (unsorted) or too large are refused inside a response.
        let mut unsorted = wire.clone();
        unsorted.values[0].extensions.extensions.reverse();
        assert!(Codec::<Response<PublicaContext>>::decode(&PublicaCodec, encode_bytes(&unsorted)).is_err());
        let mut big = wire.clone();
        big.values[0].extensions.extensions[0].extension = vec![0; MAX_VOTE_EXTENSION_BYTES + 1];
        assert!(Codec::<Response<PublicaContext>>::decode(&PublicaCodec, encode_bytes(&big)).is_err());

        let req = Request::ValueRequest(ValueRequest::new(BlockHeight(3)..=BlockHeight(8)));
        let bytes = Codec::<Request<PublicaContext>>::encode(&PublicaCodec, &req).expect("encode");
        let back: Request<PublicaContext> = PublicaCodec.decode(bytes).expect("decode");
        assert_eq!(back, req);
        let inverted = encode_bytes(&WireSyncRequest { start: 8, end: 3 });
        assert!(Codec::<Request<PublicaContext>>::decode(&PublicaCodec, inverted).is_err());
    }

    #[test]
    fn nil_rounds_cannot_be_encoded() {
        let mut vote = precommit(None);
        vote.message.round = Round::Nil;
        assert!(Codec::<SignedConsensusMsg<PublicaContext>>::encode(&PublicaCodec, &SignedConsensusMsg::Vote(vote))
            .is_err());
    }
}
