//! The ledger's shared vocabulary: identifiers, block headers, consensus certificates, evidence, genesis, error
//! codes, transaction outcomes and the state traits modules execute against, with a canonical size-limited codec;
//! no I/O.
//!
//! The modules' calls are not here: each module owns its calls, and `publica-tx` gathers them into the transaction
//! envelope (`Call`, `Transaction`, `Block`). A change to one module's calls therefore rebuilds only that module
//! and what sits above the envelope, never this crate or the modules beside it.
//!
//! Every byte string that crosses a trust boundary (a transaction submitted to the API, a block received from a
//! peer, a certificate inside a proof) is decoded here, through [`codec::decode_canonical`], which enforces a size
//! limit and rejects any input that does not re-encode to exactly the same bytes. Hashes and signatures are
//! therefore always computed over one canonical form.

pub mod block;
pub mod codec;
pub mod consensus;
pub mod error;
pub mod evidence;
pub mod extension;
pub mod genesis;
pub mod ids;
pub mod outcome;
pub mod state;
pub mod time;
pub mod tx;

pub use block::{BlockHeader, HEADER_VERSION};
pub use codec::{decode_canonical, encode, CodecError};
pub use consensus::{
    log_origin, CommitCertificate, CommitSignature, ProposalBody, Validator, ValidatorSet, VoteBody, VoteKind,
};
pub use error::{Code, ErrorCode, TxError, TypesError};
pub use evidence::{
    EvidenceKind, Misbehavior, SignedProposal, SignedVote, MAX_BLOCK_EVIDENCE, MAX_EVIDENCE_AGE_HEIGHTS,
    MAX_EVIDENCE_BYTES, MAX_EVIDENCE_PER_VALIDATOR,
};
pub use extension::{
    DecidedExtensions, SignedVoteExtension, MAX_DECIDED_EXTENSIONS_BYTES, MAX_VOTE_EXTENSION_BYTES, VOTE_EXTENSION_TAG,
};
pub use genesis::{check_agency_roles, Genesis, GenesisAccount, GenesisAgency, MAX_AGENCY_ROLES};
pub use ids::{AgencyId, ChainId, RecordId, Role};
pub use outcome::TxOutcome;
pub use publica_crypto::{sha256, signing_message, Address, Hash, Keypair, PublicKey, PublicKeyBytes, Signature};
pub use state::{CallContext, Overlay, StateRead, StateWrite, Writes};
pub use tx::TxId;

/// Largest encoded transaction accepted anywhere (API, mempool, block).
pub const MAX_TX_BYTES: usize = 128 * 1024;
/// Most transactions in one block.
pub const MAX_BLOCK_TXS: usize = 16 * 1024;
/// Largest encoded block: every transaction at its maximum would not fit, the proposer stops adding before this.
pub const MAX_BLOCK_BYTES: usize = 64 * 1024 * 1024;
/// Most validators in a set; bounds certificate size and decoding.
pub const MAX_VALIDATORS: usize = 256;
/// Largest total voting power of a validator set (2^50, about 1.1 * 10^15): a policy limit, enforced when a set is
/// built (genesis, governance, decoding). Thresholds are computed as multiples of the total (the consensus engine
/// multiplies it by 2 and 3 in `u64`, and panics on overflow), so the limit stays far below `u64::MAX / 3`; it is
/// also below 2^53, so that every power and total is exact as a JSON number in any client.
pub const MAX_TOTAL_VOTING_POWER: u64 = 1 << 50;

const _: () = assert!(MAX_TX_BYTES < MAX_BLOCK_BYTES);
// Room for every threshold product (3 x total, plus a vote's weight) without overflow, and exact JSON numbers.
const _: () = assert!(MAX_TOTAL_VOTING_POWER <= u64::MAX / 16);
const _: () = assert!(MAX_TOTAL_VOTING_POWER <= 1 << 53);
const _: () = assert!(MAX_BLOCK_TXS * 4096 <= MAX_BLOCK_BYTES);
