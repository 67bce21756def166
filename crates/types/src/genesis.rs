//! The genesis document: the network's founding agencies, their administrators and the first validators.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{AgencyId, ChainId, Role, TypesError, Validator, ValidatorSet};
use publica_crypto::{sha256, PublicKey};

/// Largest genesis document accepted, in bytes of JSON.
pub const MAX_GENESIS_BYTES: usize = 4 * 1024 * 1024;
/// Most roles one agency may grant (besides `admin`), in genesis and after any governance change.
pub const MAX_AGENCY_ROLES: usize = 64;

/// The founding document of a network, stored as JSON next to every node's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The network's chain id.
    pub chain_id: ChainId,
    /// Time of the genesis, Unix milliseconds; the first block's time is later.
    pub genesis_time_ms: u64,
    /// The founding agencies.
    pub agencies: Vec<GenesisAgency>,
    /// The first validator set.
    pub validators: ValidatorSet,
}

/// A founding agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAgency {
    /// Short identifier, e.g. `land-registry`.
    pub id: AgencyId,
    /// Human-readable name (public).
    pub name: String,
    /// Whether officials of this agency may register citizens.
    pub can_register_citizens: bool,
    /// The roles, besides `admin`, that the agency's administrators may grant to its officials (see
    /// [`check_agency_roles`]). A role authorises an act only while the official's agency may grant it, so this
    /// list is what ties, say, `court` to the courts: a bank's administrator cannot mint a judge. It changes only by
    /// a governance vote of the validators (`ValidatorChange::SetAgencyRoles`).
    pub roles: Vec<Role>,
    /// Administrator accounts of the agency.
    pub admins: Vec<GenesisAccount>,
}

/// Check an agency's grantable roles: at most [`MAX_AGENCY_ROLES`], no repeats, and not `admin`, which every agency
/// grants (its administrators appoint their successors) and is therefore never listed. The same rule holds in
/// genesis and in governance.
pub fn check_agency_roles(roles: &[Role]) -> Result<(), String> {
    if roles.len() > MAX_AGENCY_ROLES {
        return Err(format!(
            "an agency grants at most {MAX_AGENCY_ROLES} roles besides admin, this list has {}",
            roles.len()
        ));
    }
    if roles.iter().any(|r| r.as_str() == Role::ADMIN) {
        return Err("admin is granted by every agency and is not listed among its roles; remove it".into());
    }
    let unique: BTreeSet<&Role> = roles.iter().collect();
    if unique.len() != roles.len() {
        return Err("a role is listed twice; list each role once".into());
    }
    Ok(())
}

/// An account created at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// The account's hybrid key; its address is derived from it.
    pub public_key: PublicKey,
}

impl Genesis {
    /// Parse and validate a genesis document.
    pub fn from_json(bytes: &[u8]) -> Result<Self, TypesError> {
        if bytes.len() > MAX_GENESIS_BYTES {
            return Err(TypesError::Genesis(format!(
                "genesis file is {} bytes, larger than {MAX_GENESIS_BYTES}",
                bytes.len()
            )));
        }
        let genesis: Genesis = serde_json::from_slice(bytes)
            .map_err(|e| TypesError::Genesis(format!("not a valid genesis document: {e}")))?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("genesis serializes")
    }

    /// Check the rules serde cannot: at least one agency, unique agency ids, unique accounts, names short enough,
    /// grantable roles by [`check_agency_roles`], validators' checkpoint key ids distinct on this network.
    pub fn validate(&self) -> Result<(), TypesError> {
        if self.agencies.is_empty() {
            return Err(TypesError::Genesis("at least one founding agency is required".into()));
        }
        let mut ids = BTreeSet::new();
        let mut accounts = BTreeSet::new();
        for agency in &self.agencies {
            if !ids.insert(agency.id.clone()) {
                return Err(TypesError::Genesis(format!("agency {} appears twice", agency.id)));
            }
            if agency.name.is_empty() || agency.name.len() > 200 {
                return Err(TypesError::Genesis(format!("agency {} needs a name of 1 to 200 bytes", agency.id)));
            }
            check_agency_roles(&agency.roles).map_err(|e| TypesError::Genesis(format!("agency {}: {e}", agency.id)))?;
            if agency.admins.is_empty() {
                return Err(TypesError::Genesis(format!("agency {} needs at least one administrator", agency.id)));
            }
            for admin in &agency.admins {
                if !accounts.insert(admin.public_key.address()) {
                    return Err(TypesError::Genesis(format!("account {} appears twice", admin.public_key.address())));
                }
            }
        }
        // The set's own rules (keys, power) were checked when it was built; the checkpoint key ids need the network.
        self.validators.check_log_key_ids(&self.chain_id).map_err(|e| TypesError::Genesis(e.to_string()))?;
        Ok(())
    }

    /// SHA-256 of the canonical JSON, identifying this genesis.
    pub fn hash(&self) -> [u8; 32] {
        sha256(serde_json::to_string(self).expect("genesis serializes").as_bytes())
    }

    /// The validators as a list.
    pub fn validator_list(&self) -> &[Validator] {
        self.validators.validators()
    }
}
