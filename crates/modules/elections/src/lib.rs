//! The elections module: end-to-end verifiable elections in the Belenios 2.0 format, with the ledger as their
//! bulletin board and the civil registry's citizens as their roll.
//!
//! - **Set-up**: an official of an electoral commission (role `electoral-commission`) creates an election:
//!   homomorphic questions, the vote's window, the trustees and their threshold, the credential authority.
//! - **Key generation**: the trustees run Belenios' threshold scheme (Pedersen) through the ledger, each message
//!   checked when it arrives; the ledger then writes the trustees object and the election object.
//! - **Roll and credentials**: the commission adds active citizens to the roll and freezes it; the credential
//!   authority publishes one public credential per voter and seals them, which writes the board's first event.
//! - **Voting**: a ballot is accepted between the opening and the closing time when every proof and the credential's
//!   signature verify; a later ballot with the same credential replaces the earlier one.
//! - **Tally**: after closing, the encrypted tally is the product of the counted ballots; the trustees' partial
//!   decryptions are checked as they arrive, and the one that completes the threshold decides the result.
//!
//! Everything on the board (objects and events) is stored as the exact bytes Belenios' archive holds
//! ([`schema`]), so that `belenios-tool election verify` checks an archive written from the state.
//!
//! The module has the shape every module shares: [`call`], [`schema`] (state layout, prefix `ele/`), [`tx`],
//! [`query`], [`error`] (codes 3800 to 3899); [`board`] holds the Belenios objects the ledger builds and checks.
//! `docs/elections.md` describes it.

pub mod board;
pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;

pub use call::ElectionsCall;

/// Whether a refused ballot counts against its credential's allowance of failed ballots at a node's admission:
/// only when its signature verified, so that only the credential's holder made it. A credential is public, so
/// anyone can put it in a ballot that fails any earlier check (a bad signature, another election, a copy of a
/// ballot already on the board, a closed vote), and must not use up its holder's allowance by doing so.
pub fn refusal_counts_against_credential(code: publica_types::Code) -> bool {
    code == error::BALLOT_INVALID
}
/// Verify a ballot ahead of its admission or of the execution of the block that carries it, on any thread, so that
/// the dry run or execution finds it among the verified ballots: a batch of ballots, or a block of ballots a
/// validator did not see at admission, is checked on every core instead of one ballot after another. Only a
/// speed-up, never a decision: a ballot that fails here is checked again, and refused, in order. The cheap checks
/// come first, as execution makes them: a ballot for an election that is not taking ballots, or naming a
/// credential the election does not have, costs no exponentiation.
pub fn prefetch_ballot(state: &dyn publica_types::StateRead, call: &ElectionsCall) {
    let ElectionsCall::Cast { election, ballot } = call else { return };
    let Some(record) = schema::election(state, *election) else { return };
    let (schema::ElectionStatus::Voting, Some(hash)) = (record.status, record.election_hash) else { return };
    let Ok(credential) = board::ballot_credential(ballot) else { return };
    if state.get(&schema::credential_key(*election, &credential)).is_none()
        || schema::revoked_at(state, *election, &credential).is_some()
    {
        return;
    }
    if let Some(election_bytes) = schema::object(state, *election, &hash) {
        // A good ballot is kept by the cache of verified ballots; a bad one is for the ordered check to refuse.
        let _ = board::verify_ballot(&election_bytes, ballot);
    }
}

pub use tx::{execute, COMMISSION_ROLE, CREDENTIAL_AUTHORITY_ROLE, MAX_BALLOTS_PER_CREDENTIAL};
