//! Signing and verifying consensus messages with the hybrid scheme.
//!
//! | message | signed bytes |
//! |---|---|
//! | vote | `VoteBody::signing_bytes(chain_id)` = `signing_message("publica/vote", chain_id, borsh(VoteBody))` |
//! | proposal | `ProposalBody::signing_bytes(chain_id)` = `signing_message("publica/proposal", chain_id, borsh(ProposalBody))` |
//! | proposal stream | `signing_message("publica/proposal-parts", chain_id, SHA-256(borsh(init) ‖ block))` (see `parts`) |
//! | validator proof | `signing_message("publica/validator-proof", chain_id, "PoV" ‖ len ‖ public_key ‖ len ‖ peer_id)` |
//!
//! Because a vote's signature covers exactly its `VoteBody`, every precommit signature the engine collects is
//! also a valid `publica_types::CommitSignature`.

use std::sync::Arc;

use arc_malachitebft_app_channel::app::types::core::{SignedMessage, ValidatorProof, VoteExtensionScope};
use arc_malachitebft_app_channel::{Signer, Verifier};
use arc_malachitebft_signing::{Error as SigningError, VerificationResult};
use async_trait::async_trait;
use publica_crypto::{signing_message, Keypair, PublicKey};
use publica_types::ChainId;

use crate::context::{ConsensusProposal, ConsensusVote, HybridSignature, PublicaContext};

/// Signature tag of validator proofs (binding a validator key to its libp2p peer id).
pub const VALIDATOR_PROOF_TAG: &str = "publica/validator-proof";

fn refuse(reason: &str) -> SigningError {
    SigningError::from_source(reason.to_string())
}

/// Signs this validator's votes, proposals and validator proof.
#[derive(Clone)]
pub struct HybridSigner {
    keypair: Arc<Keypair>,
    chain_id: ChainId,
}

impl HybridSigner {
    /// A signer for `chain_id` with this validator's hybrid key.
    pub fn new(keypair: Arc<Keypair>, chain_id: ChainId) -> Self {
        Self { keypair, chain_id }
    }
}

#[async_trait]
impl Signer<PublicaContext> for HybridSigner {
    async fn sign_vote(
        &self,
        vote: ConsensusVote,
    ) -> Result<SignedMessage<PublicaContext, ConsensusVote>, SigningError> {
        let body = vote.body().ok_or_else(|| refuse("cannot sign a vote with a nil round"))?;
        let signature = self.keypair.sign(&body.signing_bytes(&self.chain_id));
        Ok(SignedMessage::new(vote, HybridSignature(signature)))
    }

    async fn sign_proposal(
        &self,
        proposal: ConsensusProposal,
    ) -> Result<SignedMessage<PublicaContext, ConsensusProposal>, SigningError> {
        let body = proposal.body().ok_or_else(|| refuse("cannot sign a proposal with a nil round"))?;
        let signature = self.keypair.sign(&body.signing_bytes(&self.chain_id));
        Ok(SignedMessage::new(proposal, HybridSignature(signature)))
    }

    async fn sign_vote_extension(
        &self,
        _scope: VoteExtensionScope<PublicaContext>,
        _extension: (),
    ) -> Result<SignedMessage<PublicaContext, ()>, SigningError> {
        Err(refuse("Publica does not use vote extensions"))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<PublicaContext>, SigningError> {
        let preimage = ValidatorProof::<PublicaContext>::signing_bytes(&public_key, &peer_id);
        let signature = self.keypair.sign(&signing_message(VALIDATOR_PROOF_TAG, self.chain_id.as_str(), &preimage));
        Ok(ValidatorProof::new(public_key, peer_id, HybridSignature(signature)))
    }
}

/// Verifies other validators' votes, proposals and validator proofs.
#[derive(Clone)]
pub struct HybridVerifier {
    chain_id: ChainId,
}

impl HybridVerifier {
    /// A verifier for `chain_id`.
    pub fn new(chain_id: ChainId) -> Self {
        Self { chain_id }
    }

    fn check(public_key: &PublicKey, message: &[u8], signature: &HybridSignature) -> VerificationResult {
        VerificationResult::from_bool(public_key.verify(message, &signature.0).is_ok())
    }
}

#[async_trait]
impl Verifier<PublicaContext> for HybridVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &ConsensusVote,
        signature: &HybridSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(match vote.body() {
            Some(body) => Self::check(public_key, &body.signing_bytes(&self.chain_id), signature),
            None => VerificationResult::Invalid,
        })
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &ConsensusProposal,
        signature: &HybridSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(match proposal.body() {
            Some(body) => Self::check(public_key, &body.signing_bytes(&self.chain_id), signature),
            None => VerificationResult::Invalid,
        })
    }

    async fn verify_signed_vote_extension(
        &self,
        _scope: &VoteExtensionScope<PublicaContext>,
        _extension: &(),
        _signature: &HybridSignature,
        _public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        // No extension is ever valid: Publica runs with extensions disabled.
        Ok(VerificationResult::Invalid)
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<PublicaContext>,
    ) -> Result<VerificationResult, SigningError> {
        let Ok(public_key) = PublicKey::from_bytes(&proof.public_key) else {
            return Ok(VerificationResult::Invalid);
        };
        let message = signing_message(VALIDATOR_PROOF_TAG, self.chain_id.as_str(), &proof.preimage());
        Ok(Self::check(&public_key, &message, &proof.signature))
    }
}
