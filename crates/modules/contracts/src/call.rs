//! Calls of the contracts module, the payloads governance carries for it, and their size limits.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::codec::{hex_bytes, hex_hash, hex_hash_vec};
use publica_types::{AgencyId, Hash, Role};

/// The largest module `Upload` accepts, in bytes: what fits a transaction (`publica_types::MAX_TX_BYTES`, 128 KiB)
/// with its envelope and signature. The runtime's own limit (`publica_wasm::limits::MAX_CODE_BYTES`) is larger.
pub const MAX_UPLOAD_CODE_BYTES: usize = 120 * 1024;
/// The longest input of a contract call, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;
/// The longest instance name, in bytes (names are `[a-z0-9-]{1,64}`).
pub const MAX_NAME_BYTES: usize = 64;
/// The most fuel any call may be given, whatever a policy or an instance says: ten seconds of interpretation
/// at the slowest rate measured, so that no single transaction can stall a block.
pub const MAX_FUEL_PER_CALL: u64 = 100_000_000;
/// The most code hashes a policy may list.
pub const MAX_POLICY_CODE_HASHES: usize = 64;
/// The most native roles governance may grant one instance.
pub const MAX_INSTANCE_ROLES: usize = 16;

const _: () = assert!(MAX_UPLOAD_CODE_BYTES <= publica_wasm::limits::MAX_CODE_BYTES);
const _: () = assert!(MAX_UPLOAD_CODE_BYTES < publica_types::MAX_TX_BYTES);
const _: () = assert!(MAX_NAME_BYTES as u32 <= publica_wasm::limits::MAX_CONTRACT_ID_BYTES);

/// Calls of the contracts module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ContractsCall {
    /// An official holding `contract-developer` uploads a module (at most [`MAX_UPLOAD_CODE_BYTES`]); it is
    /// stored once under its SHA-256.
    Upload {
        /// The module's binary encoding.
        #[serde(with = "hex_bytes")]
        code: Vec<u8>,
    },
    /// An administrator of an agency deploys an instance of uploaded code for the agency, within the policy that
    /// governance set for it. Roles for native calls are never granted this way, only by a vote.
    Deploy {
        /// The instance's unique name, `[a-z0-9-]{1,64}`.
        name: String,
        /// The code to run.
        #[serde(with = "hex_hash")]
        code_hash: Hash,
        /// The most fuel one call may use.
        fuel_per_call: u64,
        /// The most fuel one sender may use on this instance in one UTC day.
        fuel_per_sender_day: u64,
    },
    /// Any active account calls an instance with an input and at most `fuel_limit` fuel.
    Call {
        /// The instance's number.
        instance: u64,
        /// The input (at most [`MAX_INPUT_BYTES`]).
        #[serde(with = "hex_bytes")]
        input: Vec<u8>,
        /// The most fuel the call may use; the fuel used is charged whether it succeeds or not.
        fuel_limit: u64,
    },
    /// An administrator of the owning agency freezes an instance: an emergency stop. Only a vote unfreezes it.
    Freeze {
        /// The instance's number.
        instance: u64,
    },
}

impl ContractsCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Upload { .. } => "upload",
            Self::Deploy { .. } => "deploy",
            Self::Call { .. } => "call",
            Self::Freeze { .. } => "freeze",
        }
    }
}

/// What an agency's administrators may do with contracts without a vote, and what its contracts may spend. Set
/// only by governance (`ValidatorChange::SetContractPolicy`).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Policy {
    /// Whether the agency's administrators may deploy without a vote.
    pub admin_deploy: bool,
    /// Code hashes they may deploy (at most [`MAX_POLICY_CODE_HASHES`]).
    #[serde(with = "hex_hash_vec")]
    pub code_hashes: Vec<Hash>,
    /// Whether they may also deploy any code uploaded by an official of the agency.
    pub any_agency_code: bool,
    /// The most fuel per call an instance deployed by an administrator may allow.
    pub max_fuel_per_call: u64,
    /// The fuel all the agency's instances may use in one UTC day, calls by vote-deployed instances included.
    pub fuel_per_day: u64,
    /// The most instances the agency may hold (deployed either way).
    pub max_instances: u32,
}

/// An instance deployed by a governance vote (`ValidatorChange::DeployContract`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Deployment {
    /// The owning agency, whose budget its calls spend.
    pub agency: AgencyId,
    /// The instance's unique name, `[a-z0-9-]{1,64}`.
    pub name: String,
    /// The code to run.
    #[serde(with = "hex_hash")]
    pub code_hash: Hash,
    /// The most fuel one call may use (at most [`MAX_FUEL_PER_CALL`]).
    pub fuel_per_call: u64,
    /// The most fuel one sender may use on this instance in one UTC day.
    pub fuel_per_sender_day: u64,
    /// The roles the instance holds for native calls (at most [`MAX_INSTANCE_ROLES`]), each one the agency may
    /// grant.
    pub roles: Vec<Role>,
}
