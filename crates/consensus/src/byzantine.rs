//! A Byzantine test validator: the engine's network proxy, set up to make this validator equivocate.
//!
//! The proxy sits between the engine's consensus actor and the real network. For every vote this validator
//! publishes (also when the engine rebroadcasts it), it sends the vote and then a second vote of the same height,
//! round and kind for another block ([`Equivocation::conflicting_hash`] of the original, or of nothing for a nil
//! vote), signed with this validator's own hybrid key. For every proposal, it sends the proposal and then a second
//! signed proposal for another block. Peers therefore receive two valid, conflicting messages signed by this
//! validator, which is exactly what misbehaviour evidence is made of.

use arc_malachitebft_app_channel::{ByzantineContext, NetworkIdentity};
use arc_malachitebft_engine_byzantine::{ByzantineConfig, Trigger};
use publica_crypto::Address;

use crate::codec::PublicaCodec;
use crate::context::{BlockId, PublicaContext, ValidatorAddress};
use crate::signing::HybridSigner;
use crate::Equivocation;

/// The proxy's configuration for `mode`: the chosen messages are equivocated at every height and round.
fn config(mode: Equivocation) -> ByzantineConfig {
    let (votes, proposals) = match mode {
        Equivocation::None | Equivocation::FutureRoundProposals => (false, false),
        Equivocation::Votes => (true, false),
        Equivocation::Proposals => (false, true),
        Equivocation::VotesAndProposals => (true, true),
    };
    let when = |on: bool| if on { Trigger::Always } else { Trigger::Never };
    ByzantineConfig::default().with_equivocate_votes(when(votes)).with_equivocate_proposals(when(proposals))
}

/// Everything the engine's builder needs to put the proxy in front of the real network.
pub(crate) fn context(
    identity: NetworkIdentity,
    mode: Equivocation,
    signer: HybridSigner,
    address: Address,
) -> ByzantineContext<PublicaContext, PublicaCodec> {
    ByzantineContext {
        identity,
        codec: PublicaCodec,
        config: config(mode),
        signer: Box::new(signer),
        address: ValidatorAddress(address),
        conflicting_value_fn: Some(Box::new(|value: &BlockId| BlockId(Equivocation::conflicting_hash(Some(&value.0))))),
        conflicting_vote_value_fn: Some(Box::new(|value: Option<&BlockId>| {
            BlockId(Equivocation::conflicting_hash(value.map(|v| &v.0)))
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_equivocates_exactly_the_messages_it_names() {
        let c = config(Equivocation::Votes);
        assert_eq!((c.equivocate_votes, c.equivocate_proposals), (Trigger::Always, Trigger::Never));
        let c = config(Equivocation::Proposals);
        assert_eq!((c.equivocate_votes, c.equivocate_proposals), (Trigger::Never, Trigger::Always));
        let c = config(Equivocation::VotesAndProposals);
        assert_eq!((c.equivocate_votes, c.equivocate_proposals), (Trigger::Always, Trigger::Always));
        assert!(!config(Equivocation::None).is_active());
        assert!(config(Equivocation::Votes).validate().is_ok());
    }

    #[test]
    fn conflicting_hashes_differ_from_the_original_and_from_each_other() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ca = Equivocation::conflicting_hash(Some(&a));
        assert_ne!(ca, a);
        assert_ne!(ca, Equivocation::conflicting_hash(Some(&b)));
        assert_ne!(ca, Equivocation::conflicting_hash(None));
    }
}
