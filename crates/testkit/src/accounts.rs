//! Agencies, officials and citizens, written the way the accounts module stores them.

use publica_accounts::schema::{account_key, agency_key, commitment_key, key_index_key};
use publica_accounts::{AccountKind, AccountRecord, AgencyRecord};
use publica_crypto::sha256;
use publica_types::{codec, Address, AgencyId, PublicKeyBytes, Role, StateWrite};

use crate::keypair;

/// Writes the accounts a module test needs into a state, with the accounts module's own record types and keys:
/// agencies with the roles they may grant, officials holding roles, citizens. Accounts are made as at genesis
/// (height 0, registered by no one), active, each with the key [`keypair`] gives its name.
///
/// Nothing is checked: a test may give an official a role its agency may not grant, to see it refused.
pub struct Accounts<'a> {
    state: &'a mut dyn StateWrite,
}

impl<'a> Accounts<'a> {
    /// Write into `state`.
    pub fn new(state: &'a mut dyn StateWrite) -> Accounts<'a> {
        Accounts { state }
    }

    /// An agency `id` that may grant `roles` (besides `admin`) and may not register citizens.
    pub fn agency(&mut self, id: &str, roles: &[&str]) -> &mut Accounts<'a> {
        self.write_agency(id, roles, false)
    }

    /// An agency `id` that may grant `roles` (besides `admin`) and may register citizens.
    pub fn agency_registering_citizens(&mut self, id: &str, roles: &[&str]) -> &mut Accounts<'a> {
        self.write_agency(id, roles, true)
    }

    /// An official of `agency` holding `roles`, with the key of `name`; returns the address.
    pub fn official(&mut self, name: &str, agency: &str, roles: &[&str]) -> Address {
        let kind = AccountKind::Official { agency: agency_id(agency), roles: roles.iter().map(|r| role(r)).collect() };
        self.write_account(name, kind)
    }

    /// A citizen registered by `agency`, with the key of `name` and an identifier commitment derived from the name
    /// (also indexed, as the accounts module indexes it); returns the address.
    pub fn citizen(&mut self, name: &str, agency: &str) -> Address {
        let id_commitment = sha256(format!("id-commitment/{name}").as_bytes());
        let kind = AccountKind::Citizen { registered_by_agency: agency_id(agency), id_commitment };
        let address = self.write_account(name, kind);
        self.state.put(commitment_key(&id_commitment), address.0.to_vec());
        address
    }

    fn write_agency(&mut self, id: &str, roles: &[&str], can_register_citizens: bool) -> &mut Accounts<'a> {
        let record = AgencyRecord {
            id: agency_id(id),
            name: id.to_owned(),
            can_register_citizens,
            roles: roles.iter().map(|r| role(r)).collect(),
        };
        self.state.put(agency_key(&record.id), codec::encode(&record));
        self
    }

    fn write_account(&mut self, name: &str, kind: AccountKind) -> Address {
        let key = keypair(name);
        let address = key.address();
        let record = AccountRecord {
            address,
            public_key: PublicKeyBytes::from(key.public_key()),
            kind,
            active: true,
            created_at_height: 0,
            registered_by: None,
        };
        self.state.put(account_key(&address), codec::encode(&record));
        self.state.put(key_index_key(&address), address.0.to_vec());
        address
    }
}

fn agency_id(id: &str) -> AgencyId {
    id.parse().unwrap_or_else(|e| panic!("agency id {id:?}: {e}"))
}

fn role(name: &str) -> Role {
    Role::new(name).unwrap_or_else(|e| panic!("role {name:?}: {e}"))
}
