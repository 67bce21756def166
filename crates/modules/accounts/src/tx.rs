//! Calls of the accounts module and the rules they enforce.
//!
//! Who may do what:
//! - `register_official`, `set_roles`, `set_active`: an active administrator (role `admin`) of the official's agency.
//!   Only roles the agency may grant are granted (its `roles`, from genesis, changed by governance through
//!   [`set_agency_roles`]; `admin` always), and [`require_role`] checks the agency again at every use.
//! - `register_citizen`: an active official holding `citizen-registrar` in an agency allowed to register citizens.
//!   A national identifier commitment backs at most one account.
//! - `rotate_key`: any active account, for itself; the new key proves possession by signing
//!   [`crate::call::rotate_key_message`].

use std::collections::BTreeSet;

use crate::call::AccountsCall;
use crate::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_types::{
    codec, Address, AgencyId, CallContext, Genesis, Hash, PublicKey, PublicKeyBytes, Role, Signature, StateRead,
    StateWrite, TxError, TxOutcome,
};

use crate::error;
use crate::query::{account, agency, next_nonce, read_agency, require_role, retired_count, retired_key};
use crate::schema::{
    account_key, agency_key, commitment_key, key_index_key, nonce_key, retired_count_key, retired_key_key, AccountKind,
    AccountRecord, AgencyRecord, RetiredKey,
};
use crate::MAX_ROLES;

/// Write the genesis agencies and their administrators.
pub fn apply_genesis(state: &mut dyn StateWrite, genesis: &Genesis) {
    for g in &genesis.agencies {
        let record = AgencyRecord {
            id: g.id.clone(),
            name: g.name.clone(),
            can_register_citizens: g.can_register_citizens,
            roles: g.roles.clone(),
        };
        state.put(agency_key(&g.id), codec::encode(&record));
        for admin in &g.admins {
            let address = admin.public_key.address();
            let record = AccountRecord {
                address,
                public_key: PublicKeyBytes::from(&admin.public_key),
                kind: AccountKind::Official { agency: g.id.clone(), roles: vec![Role::admin()] },
                active: true,
                created_at_height: 0,
                registered_by: None,
            };
            state.put(account_key(&address), codec::encode(&record));
            state.put(key_index_key(&address), address.0.to_vec());
        }
    }
}

/// Consume the sender's nonce. Called by execution once a transaction has succeeded.
pub fn bump_nonce(state: &mut dyn StateWrite, sender: &Address) {
    let next = next_nonce(state, sender).checked_add(1).expect("a nonce never reaches u64::MAX");
    state.put(nonce_key(sender), next.to_le_bytes().to_vec());
}

/// Execute one call: a registration reports the new account. On error the caller discards every write the call made.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &AccountsCall) -> Result<TxOutcome, TxError> {
    match call {
        AccountsCall::RegisterOfficial { public_key, agency, roles } => {
            register_official(state, ctx, public_key, agency, roles)
        }
        AccountsCall::SetRoles { account, roles } => set_roles(state, ctx, account, roles),
        AccountsCall::SetActive { account, active } => set_active(state, ctx, account, *active),
        AccountsCall::RegisterCitizen { public_key, id_commitment } => {
            register_citizen(state, ctx, public_key, id_commitment)
        }
        AccountsCall::RotateKey { new_public_key, possession } => rotate_key(state, ctx, new_public_key, possession),
    }
}

/// `register_official`: an administrator of `agency_id` registers an official with roles the agency may grant.
fn register_official(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    public_key: &PublicKey,
    agency_id: &AgencyId,
    roles: &[Role],
) -> Result<TxOutcome, TxError> {
    let admin = require_role(state, &ctx.sender, Role::ADMIN)?;
    if admin.agency() != Some(agency_id) {
        return Err(error::refuse(
            error::OFFICIAL_OF_OTHER_AGENCY_REGISTERED,
            format!(
                "an administrator of {} cannot register officials of {agency_id}",
                admin.agency().map(AgencyId::as_str).unwrap_or("no agency")
            ),
        ));
    }
    check_roles(state, agency_id, roles)?;
    create_account(state, ctx, public_key, AccountKind::Official { agency: agency_id.clone(), roles: roles.to_vec() })
}

/// `set_roles`: an administrator replaces the roles of an official of their agency, but never drops their own admin
/// role.
fn set_roles(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    target: &Address,
    roles: &[Role],
) -> Result<TxOutcome, TxError> {
    let mut record = official_of_senders_agency(state, ctx, target)?;
    let agency_id = record.agency().cloned().expect("an official has an agency");
    check_roles(state, &agency_id, roles)?;
    if let AccountKind::Official { roles: r, .. } = &mut record.kind {
        *r = roles.to_vec();
    }
    if *target == ctx.sender && !record.has_role(Role::ADMIN) {
        return Err(error::refuse(
            error::OWN_ADMIN_ROLE_REMOVED,
            "an administrator cannot remove their own admin role; another administrator must do it",
        ));
    }
    state.put(account_key(target), codec::encode(&record));
    Ok(TxOutcome::None)
}

/// `set_active`: an administrator suspends or reinstates an official of their agency other than themselves.
fn set_active(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    target: &Address,
    active: bool,
) -> Result<TxOutcome, TxError> {
    if *target == ctx.sender {
        return Err(error::refuse(
            error::OWN_ACCOUNT_SUSPENDED,
            "an administrator cannot suspend or reinstate their own account",
        ));
    }
    let mut record = official_of_senders_agency(state, ctx, target)?;
    record.active = active;
    state.put(account_key(target), codec::encode(&record));
    Ok(TxOutcome::None)
}

/// `register_citizen`: a citizen registrar of an agency allowed to register citizens registers a citizen whose
/// identifier commitment backs no other account.
fn register_citizen(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    public_key: &PublicKey,
    id_commitment: &Hash,
) -> Result<TxOutcome, TxError> {
    let registrar = require_role(state, &ctx.sender, Role::CITIZEN_REGISTRAR)?;
    let agency_id = registrar.agency().cloned().expect("officials have an agency");
    let can_register = read_agency(state, &agency_id, |a| a.can_register_citizens())
        .ok_or_else(|| error::unknown_agency(&agency_id))?;
    if !can_register {
        return Err(error::refuse(
            error::CITIZEN_REGISTRATION_NOT_ALLOWED,
            format!("agency {agency_id} is not authorised to register citizens"),
        ));
    }
    if state.get(&commitment_key(id_commitment)).is_some() {
        return Err(TxError::new(
            error::ID_COMMITMENT_REGISTERED,
            "a citizen with this identifier commitment is already registered",
        ));
    }
    let outcome = create_account(
        state,
        ctx,
        public_key,
        AccountKind::Citizen { registered_by_agency: agency_id, id_commitment: *id_commitment },
    )?;
    state.put(commitment_key(id_commitment), public_key.address().0.to_vec());
    Ok(outcome)
}

/// `rotate_key`: the sender replaces its own key with one that proves possession and backs no other account.
fn rotate_key(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    new_public_key: &PublicKey,
    possession: &Signature,
) -> Result<TxOutcome, TxError> {
    let mut record = account(state, &ctx.sender).ok_or_else(|| error::unknown_account(&ctx.sender))?;
    if record.public_key == *new_public_key {
        return Err(error::refuse(error::NEW_KEY_IS_CURRENT, "the new key is the current key"));
    }
    let body = rotate_key_message(&ctx.sender, ctx.nonce);
    let signed = publica_types::signing_message(ROTATE_KEY_TAG, ctx.chain_id.as_str(), &body);
    new_public_key.verify(&signed, possession).map_err(|e| {
        TxError::new(error::KEY_POSSESSION_INVALID, format!("the new key's proof of possession does not verify: {e}"))
    })?;
    // The new key must not already back another account, or two accounts would share a signer.
    let new_key = new_public_key.address();
    if account(state, &new_key).is_some() || state.get(&key_index_key(&new_key)).is_some() {
        return Err(error::account_exists(&new_key));
    }
    state.delete(key_index_key(&record.public_key.address()));
    state.put(key_index_key(&new_key), ctx.sender.0.to_vec());
    retire_key(state, ctx, &record);
    record.public_key = PublicKeyBytes::from(new_public_key);
    state.put(account_key(&ctx.sender), codec::encode(&record));
    Ok(TxOutcome::None)
}

/// Keep the key `record` holds now in the account's key history: in force from the account's creation or its
/// previous rotation, until this block.
fn retire_key(state: &mut dyn StateWrite, ctx: &CallContext, record: &AccountRecord) {
    let count = retired_count(state, &ctx.sender);
    let (from_height, from_ms) = match count.checked_sub(1) {
        None => (record.created_at_height, None),
        Some(last) => retired_key(state, &ctx.sender, last)
            .map(|k| (k.until_height, Some(k.until_ms)))
            .expect("every retired key below the count is stored"),
    };
    let retired = RetiredKey {
        public_key: record.public_key.clone(),
        from_height,
        from_ms,
        until_height: ctx.height,
        until_ms: ctx.time_ms,
    };
    state.put(retired_key_key(&ctx.sender, count), codec::encode(&retired));
    // One rotation per transaction: the count cannot reach 2^64.
    state.put(retired_count_key(&ctx.sender), (count + 1).to_le_bytes().to_vec());
}

/// Check roles to be granted to an official of `agency_id`: 1 to [`MAX_ROLES`], no repeats, each one the agency may
/// grant.
fn check_roles(state: &dyn StateRead, agency_id: &AgencyId, roles: &[Role]) -> Result<(), TxError> {
    if roles.is_empty() || roles.len() > MAX_ROLES {
        return Err(error::refuse(
            error::ROLE_COUNT_OUT_OF_RANGE,
            format!("an official holds 1 to {MAX_ROLES} roles, got {}", roles.len()),
        ));
    }
    let unique: BTreeSet<&Role> = roles.iter().collect();
    if unique.len() != roles.len() {
        return Err(error::refuse(error::ROLE_REPEATED, format!("roles repeat: {}", error::role_list(roles))));
    }
    let foreign: Vec<Role> =
        read_agency(state, agency_id, |agency| roles.iter().filter(|r| !agency.grants(r.as_str())).cloned().collect())
            .ok_or_else(|| error::unknown_agency(agency_id))?;
    if !foreign.is_empty() {
        // Decoded only to list what it grants in the refusal.
        let agency = agency(state, agency_id).ok_or_else(|| error::unknown_agency(agency_id))?;
        return Err(error::refuse(
            error::ROLE_NOT_GRANTABLE,
            format!(
                "agency {} may not grant the role(s) {}; it grants admin and {}. An agency's roles change only by a \
             governance vote",
                agency.id,
                error::role_list(&foreign),
                if agency.roles.is_empty() { "no other".to_owned() } else { error::role_list(&agency.roles) }
            ),
        ));
    }
    Ok(())
}

/// Replace the roles `agency` may grant (governance, once a `SetAgencyRoles` change is approved; the caller has
/// checked the vote). Officials keep the roles they hold, but [`require_role`] refuses every role the agency no
/// longer grants, so a removed role stops authorising anything in this very block; granting it back restores it.
pub fn set_agency_roles(state: &mut dyn StateWrite, agency_id: &AgencyId, roles: &[Role]) -> Result<(), TxError> {
    check_agency_roles(agency_id, roles)?;
    let mut record = agency(state, agency_id).ok_or_else(|| error::unknown_agency(agency_id))?;
    record.roles = roles.to_vec();
    state.put(agency_key(agency_id), codec::encode(&record));
    Ok(())
}

/// Check a proposed list of grantable roles for `agency` before it is written: the agency exists and the list
/// keeps the genesis rule ([`publica_types::check_agency_roles`]).
pub fn check_agency_roles(agency_id: &AgencyId, roles: &[Role]) -> Result<(), TxError> {
    publica_types::check_agency_roles(roles)
        .map_err(|e| error::refuse(error::AGENCY_ROLES_INVALID, format!("roles of agency {agency_id}: {e}")))
}

/// The record of `target`, checking that the sender administers `target`'s agency.
fn official_of_senders_agency(
    state: &dyn StateWrite,
    ctx: &CallContext,
    target: &Address,
) -> Result<AccountRecord, TxError> {
    let admin = require_role(state, &ctx.sender, Role::ADMIN)?;
    let record = account(state, target).ok_or_else(|| error::unknown_account(target))?;
    match record.agency() {
        Some(a) if Some(a) == admin.agency() => Ok(record),
        Some(a) => Err(error::refuse(
            error::OFFICIAL_OF_OTHER_AGENCY,
            format!("account {target} belongs to agency {a}, not the sender's"),
        )),
        None => Err(error::refuse(error::NOT_AN_OFFICIAL, format!("account {target} is a citizen, not an official"))),
    }
}

/// Open an account for `public_key`, reporting its address.
fn create_account(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    public_key: &PublicKey,
    kind: AccountKind,
) -> Result<TxOutcome, TxError> {
    let address = public_key.address();
    if account(state, &address).is_some() || state.get(&key_index_key(&address)).is_some() {
        return Err(error::account_exists(&address));
    }
    let record = AccountRecord {
        address,
        public_key: PublicKeyBytes::from(public_key),
        kind,
        active: true,
        created_at_height: ctx.height,
        registered_by: Some(ctx.sender),
    };
    state.put(account_key(&address), codec::encode(&record));
    state.put(key_index_key(&address), address.0.to_vec());
    Ok(TxOutcome::Account { address })
}
