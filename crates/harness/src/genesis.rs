//! Genesis documents: the demo agencies every local network founds, and one way to assemble a genesis.

use anyhow::Result;
use publica_crypto::keystore::KdfParams;
use publica_crypto::Keypair;
use publica_types::{AgencyId, ChainId, Genesis, GenesisAccount, GenesisAgency, Role, ValidatorSet};

/// The founding agencies of the demo: id, name, may register citizens, the roles (besides `admin`) it may grant.
/// `publica dev` and `publica testnet init` found these agencies, and `publica init` gives these roles to agencies
/// of these ids. The first one is the agency whose administrator `publica load` uses by default.
pub const AGENCIES: &[(&str, &str, bool, &[&str])] = &[
    ("civil-registry", "Civil Registry Office", true, &["citizen-registrar", "clerk", "trust-root"]),
    ("land-registry", "National Land Registry", false, &["registrar", "surveyor"]),
    ("business-registry", "Business Register", false, &["company-registrar"]),
    ("notary-office", "Public Notary Office", false, &["notary"]),
    (
        "building-authority",
        "Municipal Building Authority",
        false,
        &["permit-officer", "spending-officer", "treasurer", "procuring-entity", "evaluator"],
    ),
    ("demo-bank", "Demo Savings Bank", false, &["bank"]),
    ("district-court", "District Court", false, &["court", "probate-court", "election-trustee"]),
    ("education-ministry", "Ministry of Education", false, &["trust-root"]),
    ("nordvik-university", "University of Nordvik", false, &["credential-issuer", "election-trustee"]),
    ("maritime-authority", "Maritime Authority", false, &["trust-root"]),
    ("nordic-class", "Nordic Classification Society", false, &["credential-issuer"]),
    ("coastal-bank", "Coastal Credit Union", false, &["bank"]),
    // The town's elections: the board is their electoral commission and credential authority; election trustees
    // (here and at the court and the university) hold a share of an election's key. The elections module asks of a
    // trustee only an active account: the role says what the official is for.
    (
        "nordvik-election-board",
        "Nordvik Election Board",
        false,
        &["electoral-commission", "credential-authority", "election-trustee"],
    ),
    // The town's money: the central bank issues the krona and supervises banks; the council enacts the budget; the
    // finance office allocates it and holds the treasury account that pays it; social services run the child
    // benefit; the audit office reads any private account.
    ("nordvik-central-bank", "Nordvik Central Bank", false, &["currency-issuer", "bank-supervisor"]),
    ("nordvik-town-council", "Nordvik Town Council", false, &["parliament"]),
    ("nordvik-finance-office", "Nordvik Finance Office", false, &["budget-officer", "treasurer"]),
    (
        "nordvik-social-services",
        "Nordvik Social Services",
        false,
        &["spending-officer", "treasurer", "welfare-officer"],
    ),
    ("nordvik-audit-office", "Nordvik Audit Office", false, &["finance-auditor", "key-holder"]),
    // The town's procurement: the procurement agency starts the key ceremonies of the key that bids are sealed to,
    // whose shares its own official, the audit office's and the integrity office's hold (any two open a tender's
    // bids after its opening time); the building authority buys; the review board decides complaints.
    ("nordvik-procurement-agency", "Nordvik Procurement Agency", false, &["procurement-authority", "key-holder"]),
    ("nordvik-integrity-office", "Nordvik Integrity Office", false, &["key-holder"]),
    ("procurement-review-board", "Public Procurement Review Board", false, &["review-body"]),
    // Personal data, kept off the ledger in agencies' vaults: the health authority keeps health records in its vault
    // (its controllers), declares public-health emergencies, and its ethics board approves other agencies' studies;
    // the hospital's doctors ask for records (and a hospital may keep a vault of its own); the research institute's
    // researchers propose studies and ask for their declared fields (a request needs `data-requester`); the data
    // protection authority audits everything the data module holds. The district court's `court` issues court
    // orders and appoints legal representatives.
    (
        "nordvik-health-authority",
        "Nordvik Health Authority",
        false,
        &["health-authority", "data-controller", "research-ethics-board"],
    ),
    ("nordvik-hospital", "Nordvik General Hospital", false, &["data-requester", "data-controller"]),
    ("nordvik-research-institute", "Nordvik Institute for Health Research", false, &["researcher", "data-requester"]),
    ("data-protection-authority", "Data Protection Authority", false, &["data-protection-auditor"]),
];

/// The roles a founding agency of this id grants in the demo (`None` for an id the demo does not know).
pub fn demo_roles(agency: &str) -> Option<Vec<Role>> {
    AGENCIES
        .iter()
        .find(|(id, ..)| *id == agency)
        .map(|(_, _, _, roles)| roles.iter().map(|r| r.parse::<Role>().expect("the demo's roles are valid")).collect())
}

/// The demo agencies of [`AGENCIES`], each with one administrator whose key `admin_key(id)` gives.
pub fn demo_agencies(admin_key: impl Fn(&str) -> Keypair) -> Result<Vec<GenesisAgency>> {
    AGENCIES
        .iter()
        .map(|(id, name, citizens, _)| {
            Ok(GenesisAgency {
                id: id.parse()?,
                name: (*name).to_owned(),
                can_register_citizens: *citizens,
                roles: demo_roles(id).expect("a demo agency"),
                admins: vec![GenesisAccount { public_key: admin_key(id).public_key().clone() }],
            })
        })
        .collect()
}

/// A founding agency with one administrator, `admin`. Without `roles`, it may grant the demo's roles for its id
/// ([`demo_roles`], none for an id the demo does not know); an agency whose officials register citizens may always
/// grant `citizen-registrar`.
pub fn founding_agency(
    id: AgencyId,
    name: &str,
    roles: Option<Vec<Role>>,
    can_register_citizens: bool,
    admin: &Keypair,
) -> GenesisAgency {
    let mut roles = roles.unwrap_or_else(|| demo_roles(id.as_str()).unwrap_or_default());
    if can_register_citizens && !roles.contains(&Role::citizen_registrar()) {
        roles.push(Role::citizen_registrar());
    }
    GenesisAgency {
        id,
        name: name.to_owned(),
        can_register_citizens,
        roles,
        admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
    }
}

/// A genesis document starting now, checked.
pub fn new_genesis(chain_id: ChainId, agencies: Vec<GenesisAgency>, validators: ValidatorSet) -> Result<Genesis> {
    let genesis = Genesis { chain_id, genesis_time_ms: publica_client::now_ms(), agencies, validators };
    genesis.validate()?;
    Ok(genesis)
}

/// Key derivation for demo key files: their keys are public anyway, so a light KDF keeps start-up quick.
pub fn demo_kdf() -> KdfParams {
    KdfParams { m_kib: 8 * 1024, t: 1, p: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_agencies_found_a_valid_genesis() {
        let key = |id: &str| Keypair::from_seed(&publica_crypto::sha256(id.as_bytes()));
        let validator = key("validator");
        let genesis =
            new_genesis("t".parse().unwrap(), demo_agencies(key).unwrap(), ValidatorSet::single(&validator)).unwrap();
        assert_eq!(genesis.agencies.len(), AGENCIES.len());
        assert!(demo_roles("land-registry").unwrap().contains(&"surveyor".parse().unwrap()));
        assert!(demo_roles("nowhere").is_none());
        let board = demo_roles("nordvik-election-board").unwrap();
        for role in ["electoral-commission", "credential-authority"] {
            assert!(board.contains(&role.parse().unwrap()), "the election board grants {role}");
        }
        let health = demo_roles("nordvik-health-authority").unwrap();
        for role in
            [publica_data::CONTROLLER_ROLE, publica_data::HEALTH_AUTHORITY_ROLE, publica_data::ETHICS_BOARD_ROLE]
        {
            assert!(health.contains(&role.parse().unwrap()), "the health authority grants {role}");
        }
    }
}
