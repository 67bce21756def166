//! Signing and verifying consensus messages with the hybrid scheme.
//!
//! | message | signed bytes |
//! |---|---|
//! | vote | `VoteBody::signing_bytes(chain_id)` = `signing_message("publica/vote", chain_id, borsh(VoteBody))` |
//! | proposal | `ProposalBody::signing_bytes(chain_id)` = `signing_message("publica/proposal", chain_id, borsh(ProposalBody))` |
//! | vote extension | `SignedVoteExtension::signing_bytes` = `signing_message("publica/vote-extension", chain_id, borsh((height, round, block_hash, validator, extension)))` |
//! | proposal stream | `signing_message("publica/proposal-parts", chain_id, SHA-256(borsh(init) ‖ block))` (see `parts`) |
//! | validator proof | `signing_message("publica/validator-proof", chain_id, "PoV" ‖ len ‖ public_key ‖ len ‖ peer_id)` |
//!
//! Because a vote's signature covers exactly its `VoteBody`, every precommit signature the engine collects is
//! also a valid `publica_types::CommitSignature`, and every extension signature the engine collects is also a valid
//! `publica_types::SignedVoteExtension` signature.

use std::sync::Arc;

use arc_malachitebft_app_channel::app::types::core::{SignedMessage, ValidatorProof, VoteExtensionScope};
use arc_malachitebft_app_channel::{Signer, Verifier};
use arc_malachitebft_signing::{Error as SigningError, VerificationResult};
use async_trait::async_trait;
use publica_crypto::{signing_message, Keypair, PublicKey};
use publica_types::{ChainId, SignedVoteExtension, MAX_VOTE_EXTENSION_BYTES};

use crate::context::{ConsensusProposal, ConsensusVote, HybridSignature, PublicaContext, VoteExtension};

/// Signature tag of validator proofs (binding a validator key to its libp2p peer id).
pub const VALIDATOR_PROOF_TAG: &str = "publica/validator-proof";

fn refuse(reason: &str) -> SigningError {
    SigningError::from_source(reason.to_string())
}

/// The bytes signed for `extension` in `scope`, or `None` if the scope has a nil round (no precommit has one).
fn extension_signing_bytes(
    chain_id: &ChainId,
    scope: &VoteExtensionScope<PublicaContext>,
    extension: &VoteExtension,
) -> Option<Vec<u8>> {
    let round = scope.round.as_u32()?;
    Some(SignedVoteExtension::signing_bytes(
        chain_id,
        scope.height.0,
        round,
        &scope.value_id.0,
        &scope.validator_address.0,
        extension.as_bytes(),
    ))
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
        scope: VoteExtensionScope<PublicaContext>,
        extension: VoteExtension,
    ) -> Result<SignedMessage<PublicaContext, VoteExtension>, SigningError> {
        if scope.validator_address.0 != self.keypair.address() {
            // The engine only asks for this validator's own extensions; signing one in another's name would be
            // useless to everyone and is refused rather than produced.
            return Err(refuse("cannot sign a vote extension in another validator's name"));
        }
        let bytes = extension_signing_bytes(&self.chain_id, &scope, &extension)
            .ok_or_else(|| refuse("cannot sign a vote extension with a nil round"))?;
        let signature = self.keypair.sign(&bytes);
        Ok(SignedMessage::new(extension, HybridSignature(signature)))
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
        scope: &VoteExtensionScope<PublicaContext>,
        extension: &VoteExtension,
        signature: &HybridSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        // `VoteExtension` cannot be built over the limit; checked again because this is the consensus-critical rule.
        if extension.as_bytes().len() > MAX_VOTE_EXTENSION_BYTES {
            return Ok(VerificationResult::Invalid);
        }
        Ok(match extension_signing_bytes(&self.chain_id, scope, extension) {
            Some(bytes) => Self::check(public_key, &bytes, signature),
            None => VerificationResult::Invalid,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{BlockHeight, BlockId, ValidatorAddress};
    use arc_malachitebft_app_channel::app::types::core::Round;
    use publica_crypto::Address;

    fn scope(height: u64, round: u32, hash: u8, validator: Address) -> VoteExtensionScope<PublicaContext> {
        VoteExtensionScope::new(
            BlockHeight(height),
            Round::new(round),
            BlockId([hash; 32]),
            ValidatorAddress(validator),
        )
    }

    #[tokio::test]
    async fn extensions_verify_only_in_the_scope_they_were_signed_for() {
        let chain = ChainId::new("signing-test").expect("valid");
        let keypair = Arc::new(Keypair::from_seed(&[9; 32]));
        let me = keypair.address();
        let signer = HybridSigner::new(Arc::clone(&keypair), chain.clone());
        let verifier = HybridVerifier::new(chain.clone());
        let extension = VoteExtension::new(b"checkpoint".to_vec()).expect("small");
        let signed = signer.sign_vote_extension(scope(4, 1, 2, me), extension.clone()).await.expect("signs");

        // The signature is exactly a `SignedVoteExtension` signature.
        let publica = SignedVoteExtension {
            validator: me,
            round: 1,
            extension: extension.as_bytes().to_vec(),
            signature: signed.signature.0.clone(),
        };
        publica.verify(&chain, 4, &[2; 32], keypair.public_key()).expect("verifies without the engine");

        let verify = |s: VoteExtensionScope<PublicaContext>, e: VoteExtension| {
            let verifier = verifier.clone();
            let signature = signed.signature.clone();
            let key = keypair.public_key().clone();
            async move {
                let result = verifier.verify_signed_vote_extension(&s, &e, &signature, &key).await;
                result.expect("runs").is_valid()
            }
        };
        assert!(verify(scope(4, 1, 2, me), extension.clone()).await);
        assert!(!verify(scope(5, 1, 2, me), extension.clone()).await, "other height");
        assert!(!verify(scope(4, 0, 2, me), extension.clone()).await, "other round");
        assert!(!verify(scope(4, 1, 3, me), extension.clone()).await, "other block");
        assert!(!verify(scope(4, 1, 2, Address([1; 20])), extension.clone()).await, "other validator");
        let other = VoteExtension::new(b"checkpoinT".to_vec()).expect("small");
        assert!(!verify(scope(4, 1, 2, me), other).await, "other bytes");
        let mut nil = scope(4, 1, 2, me);
        nil.round = Round::Nil;
        assert!(!verify(nil.clone(), extension.clone()).await, "nil round");

        assert!(signer.sign_vote_extension(nil, extension.clone()).await.is_err());
        assert!(signer.sign_vote_extension(scope(4, 1, 2, Address([1; 20])), extension).await.is_err());
    }
}
