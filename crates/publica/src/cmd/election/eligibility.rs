//! `publica election roll eligible`: the roll computed from the civil registry's facts, as verifiable credentials
//! the citizens presented to the commission (`docs/elections.md`, "Eligibility").
//!
//! The ledger's citizen accounts carry no age and no address; the civil registry's accredited clerk issues them
//! as SD-JWT VCs (`…/vct/residence`, `…/vct/age-over-18`), and a citizen proves them by presenting those
//! credentials to the commission. This command checks a directory of presentations and writes the addresses of
//! the citizens who meet every requirement, one per line, for `publica election roll add ID --file`. It sends
//! nothing to the ledger.
//!
//! Each presentation is checked as `publica credential verify` checks one, with a bundle of ledger proofs fetched
//! from the node and verified against the genesis ([`publica_verify::verify_credential`]), and further:
//!
//! 1. **bound to this election**: its key-binding JWT names the audience [`audience`]
//!    (`publica:election:<chain-id>:<id>`) and, as nonce, the election's Belenios uuid, read from the ledger's
//!    proven record of the election. A presentation made for a bank, or for another election, is refused
//!    (`key_binding_audience`, `key_binding_nonce`).
//! 2. **bound to a citizen's account**: the credential's holder key (`cnf`) is the key the ledger lists now for
//!    the account, proven by the account's DID document; that account is the citizen the presentation counts for.
//! 3. **meets the requirements**: a requirement `TYPE` is met by a valid presentation of that type, and
//!    `TYPE:CLAIM=VALUE` by one that discloses that claim with that value (VALUE read as JSON when it parses as
//!    JSON, else as a string: `age_over_18=true` is the boolean, `municipality=Nordvik` the string). A citizen is
//!    eligible when every requirement is met by one of their presentations.
//!
//! The work is bounded: at most [`MAX_PRESENTATIONS`] files, each at most
//! [`publica_credentials::MAX_CREDENTIAL_BYTES`]. A file that cannot be read, parsed or verified is reported
//! with the check that failed and skipped; it never stops the others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::Value;

use publica_accounts::did::Did;
use publica_client::{Client, DidVersion, DEFAULT_API};
use publica_credentials::{HolderKey, VerifyPolicy};
use publica_types::{Address, Genesis, PublicKey};
use publica_verify::credential::{document_key, DEFAULT_MAX_STATUS_AGE_SECS};
use publica_verify::{CredentialPolicy, VerifiedSets};

/// Most presentation files read from the directory: a roll of a hundred thousand citizens, or fewer citizens with
/// several presentations each. A directory holding more is refused before any is checked.
pub const MAX_PRESENTATIONS: usize = 100_000;

/// Most `--require` given.
const MAX_REQUIREMENTS: usize = 64;

/// Default age a presentation's key binding may have: citizens send their presentations over the weeks before
/// the roll is drawn up, and a presentation is bound to this one election, so an old one is no replay risk.
const DEFAULT_MAX_PRESENTATION_AGE_SECS: u64 = 60 * 24 * 3600;

/// Arguments of `publica election roll eligible`.
#[derive(Args)]
pub struct EligibleArgs {
    /// The election's number.
    id: u64,
    /// The directory of the presentations citizens sent (as `publica wallet present` writes them, one a file),
    /// made with the audience `publica:election:<chain-id>:<id>` and the election's uuid as nonce.
    #[arg(long, value_name = "DIR")]
    presentations: PathBuf,
    /// The network's genesis document: every ledger proof is checked with its validators' keys.
    #[arg(long, value_name = "FILE")]
    genesis: PathBuf,
    /// The network's validator history, needed after validator set changes (else fetched from --api and
    /// verified from the genesis).
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// A requirement every eligible citizen meets: a credential type (`vct`), optionally with a claim it must
    /// disclose, `TYPE:CLAIM=VALUE` (e.g. `https://publica.example/vct/residence:municipality=Nordvik`).
    /// Repeatable; all must be met.
    #[arg(long = "require", value_name = "TYPE[:CLAIM=VALUE]", required = true)]
    require: Vec<String>,
    /// Where to write the eligible citizens' addresses, sorted, one per line (for `roll add --file`).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// How old a presentation's key binding may be, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_MAX_PRESENTATION_AGE_SECS)]
    max_presentation_age: u64,
    /// Also accept the classical compact form (EdDSA only).
    #[arg(long)]
    accept_compact: bool,
    /// Accept only these trust roots at the top of the issuers' accreditation chains. Repeatable.
    #[arg(long, value_name = "ADDRESS")]
    trusted_root: Vec<Address>,
    /// The node's API, from which the election, the bundles of proofs and the holders' DID documents are read.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// The audience a presentation for election `id` of chain `chain_id` is bound to.
pub fn audience(chain_id: &str, id: u64) -> String {
    format!("publica:election:{chain_id}:{id}")
}

/// One `--require`: a credential type, and optionally a claim and the value it must have.
#[derive(Clone, Debug, PartialEq)]
struct Requirement {
    /// As given, for the report.
    text: String,
    vct: String,
    claim: Option<(String, Value)>,
}

impl Requirement {
    /// `TYPE` or `TYPE:CLAIM=VALUE`. A type is a URI with colons of its own, so the claim is what follows the last
    /// colon before the first `=`.
    fn parse(text: &str) -> Result<Requirement> {
        let text = text.trim();
        let (vct, claim) = match text.find('=') {
            None => (text, None),
            Some(eq) => {
                let colon = text[..eq].rfind(':').with_context(|| {
                    format!("--require {text:?}: a requirement is TYPE or TYPE:CLAIM=VALUE, the claim after a colon")
                })?;
                let name = &text[colon + 1..eq];
                let raw = &text[eq + 1..];
                let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
                (&text[..colon], Some((name.to_owned(), value)))
            }
        };
        if vct.is_empty() || vct.contains(char::is_whitespace) {
            bail!("--require {text:?}: the credential type is missing or has spaces; give TYPE or TYPE:CLAIM=VALUE");
        }
        if claim.as_ref().is_some_and(|(name, _)| name.is_empty() || name.contains(char::is_whitespace)) {
            bail!("--require {text:?}: the claim name is empty or has spaces; give TYPE:CLAIM=VALUE");
        }
        Ok(Requirement { text: text.to_owned(), vct: vct.to_owned(), claim })
    }

    /// Whether a valid presentation of type `vct` disclosing `claims` meets it; if not, why not.
    fn check(&self, vct: &str, claims: &serde_json::Map<String, Value>) -> Result<(), String> {
        if vct != self.vct {
            return Err(format!("a presentation of {vct}, not {}", self.vct));
        }
        match &self.claim {
            None => Ok(()),
            Some((name, wanted)) => match claims.get(name) {
                Some(value) if value == wanted => Ok(()),
                Some(value) => Err(format!("it discloses {name}={value}, not {wanted}")),
                None => Err(format!("it does not disclose {name}")),
            },
        }
    }
}

/// What one presentation file came to.
enum Checked {
    /// Valid, bound to this election and to `account`'s key.
    Valid { account: Address, vct: String, claims: serde_json::Map<String, Value> },
    /// Refused by the check named; `account` when the holder's key names one (unverified: for the report only).
    Refused { account: Option<Address>, vct: Option<String>, check: String, why: String },
}

/// `publica election roll eligible`.
pub fn run(args: EligibleArgs) -> Result<()> {
    let requirements: Vec<Requirement> = args.require.iter().map(|r| Requirement::parse(r)).collect::<Result<_>>()?;
    if requirements.len() > MAX_REQUIREMENTS {
        bail!("{} requirements given: at most {MAX_REQUIREMENTS}", requirements.len());
    }
    let files = presentation_files(&args.presentations)?;
    let genesis_bytes =
        crate::cmd::read_bounded(&args.genesis, publica_types::genesis::MAX_GENESIS_BYTES as u64, "genesis")?;
    let genesis = Genesis::from_json(&genesis_bytes).with_context(|| format!("reading {}", args.genesis.display()))?;
    let sets = crate::cmd::verify::sets_from(&genesis, args.history.as_deref(), Some(&args.api))?;
    let client = Client::new(&args.api)?;
    let (record, _) = super::proven_election(&client, &sets, args.id)?;
    let policy = CredentialPolicy {
        audience: audience(&genesis.chain_id.to_string(), args.id),
        nonce: record.uuid.clone(),
        now_secs: publica_client::now_ms() / 1000,
        presentation: VerifyPolicy {
            accept_compact: args.accept_compact,
            max_key_binding_age_secs: args.max_presentation_age,
            ..VerifyPolicy::default()
        },
        max_status_age_secs: DEFAULT_MAX_STATUS_AGE_SECS,
        trusted_roots: (!args.trusted_root.is_empty()).then_some(args.trusted_root.clone()),
    };
    println!(
        "election {} ({:?}): presentations must be bound to audience {} and nonce {}",
        args.id, record.name, policy.audience, policy.nonce
    );
    println!("checking {} in {}", crate::cmd::count(files.len(), "file"), args.presentations.display());

    // Per citizen: the valid presentations (type, claims) and the refused ones (file, type, check, why).
    type Valid = Vec<(String, serde_json::Map<String, Value>)>;
    type Refused = Vec<(String, Option<String>, String, String)>;
    let mut citizens: BTreeMap<Address, (Valid, Refused)> = BTreeMap::new();
    let mut unattributed = 0usize;
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match check_presentation(&client, &sets, &policy, path) {
            Checked::Valid { account, vct, claims } => {
                println!("  {name}: valid {vct} of {account}");
                citizens.entry(account).or_default().0.push((vct, claims));
            }
            Checked::Refused { account, vct, check, why } => {
                let whose = account.map(|a| format!(" (holder {a})")).unwrap_or_default();
                println!("  {name}: refused{whose}: {check}: {why}");
                match account {
                    Some(account) => citizens.entry(account).or_default().1.push((name, vct, check, why)),
                    None => unattributed += 1,
                }
            }
        }
    }

    let mut eligible = BTreeSet::new();
    println!("citizens:");
    for (account, (valid, refused)) in &citizens {
        let mut failed = Vec::new();
        for requirement in &requirements {
            if valid.iter().any(|(vct, claims)| requirement.check(vct, claims).is_ok()) {
                continue;
            }
            failed.push(format!("{}: {}", requirement.text, why_unmet(requirement, valid, refused)));
        }
        if failed.is_empty() {
            println!("  {account} eligible");
            eligible.insert(*account);
        } else {
            println!("  {account} not eligible");
            for line in failed {
                println!("      unmet {line}");
            }
        }
    }
    if unattributed > 0 {
        println!(
            "  {} could not be attributed to any citizen (see above)",
            crate::cmd::count(unattributed, "refused file")
        );
    }
    let mut text = String::with_capacity(eligible.len() * 41);
    for account in &eligible {
        text.push_str(&format!("{account}\n"));
    }
    std::fs::write(&args.out, text).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{} of {} eligible, written to {}",
        eligible.len(),
        crate::cmd::count(citizens.len(), "citizen"),
        args.out.display()
    );
    if record.roll_frozen_at_height.is_some() {
        println!("note: the roll of election {} is frozen: `roll add` would be refused", args.id);
    } else if !eligible.is_empty() {
        println!(
            "next: `publica election roll add {} --file {}` (sender: the commission)",
            args.id,
            args.out.display()
        );
    }
    Ok(())
}

/// Why no presentation of a citizen meets `requirement`: the refusal of one of the type, or what a valid one of
/// the type disclosed, or that there is none.
fn why_unmet(
    requirement: &Requirement,
    valid: &[(String, serde_json::Map<String, Value>)],
    refused: &[(String, Option<String>, String, String)],
) -> String {
    if let Some((vct, claims)) = valid.iter().find(|(vct, _)| *vct == requirement.vct) {
        return requirement.check(vct, claims).err().unwrap_or_default();
    }
    if let Some((file, _, check, why)) = refused.iter().find(|(_, vct, _, _)| vct.as_deref() == Some(&requirement.vct))
    {
        return format!("{file} was refused: {check}: {why}");
    }
    format!("no valid presentation of {}", requirement.vct)
}

/// The files of `dir`, sorted by name, at most [`MAX_PRESENTATIONS`]; subdirectories and hidden files are skipped.
fn presentation_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let listing =
        std::fs::read_dir(dir).with_context(|| format!("reading the directory of presentations {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in listing {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden || !entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            continue;
        }
        if files.len() == MAX_PRESENTATIONS {
            bail!(
                "{} holds more than {MAX_PRESENTATIONS} files: split the presentations into several directories and \
                 join the rolls",
                dir.display()
            );
        }
        files.push(entry.path());
    }
    files.sort();
    Ok(files)
}

/// Check one presentation file; never fails, a refusal names its check.
fn check_presentation(client: &Client, sets: &VerifiedSets, policy: &CredentialPolicy, path: &Path) -> Checked {
    let refused = |account, vct, check: &str, why: String| Checked::Refused { account, vct, check: check.into(), why };
    let text = match read_presentation(path) {
        Ok(text) => text,
        Err(e) => return refused(None, None, "file", format!("{e:#}")),
    };
    let claimed = match publica_credentials::peek(&text) {
        Ok(claimed) => claimed,
        Err(e) => return refused(None, None, e.check(), e.to_string()),
    };
    let vct = Some(claimed.vct.clone());
    let HolderKey::Hybrid(holder_key) = &claimed.holder else {
        // The compact form binds only the Ed25519 half, which names no account: it cannot be matched to a citizen.
        return refused(
            None,
            vct,
            "holder binding",
            "the credential binds only an Ed25519 key, not a citizen's account key: present the hybrid form".into(),
        );
    };
    let account = match client.sender_for(holder_key.address(), None) {
        Ok(account) => account,
        Err(e) => return refused(None, vct, "holder binding", format!("finding the holder's account: {e:#}")),
    };
    let bundle = match crate::cmd::credential::fetch_bundle(client, &text) {
        Ok(bundle) => bundle,
        Err(e) => return refused(Some(account), vct, "bundle", format!("{e:#}")),
    };
    let verified = match publica_verify::verify_credential(&text, &bundle, sets, policy) {
        Ok(verified) => verified,
        Err(e) => return refused(Some(account), vct, e.check(), e.to_string()),
    };
    if let Err(why) = holder_is_account(client, sets, &account, holder_key) {
        return refused(Some(account), vct, "holder binding", why);
    }
    Checked::Valid {
        account,
        vct: verified.presentation.credential.vct.clone(),
        claims: verified.presentation.claims.clone(),
    }
}

/// A presentation file, as text, at most the credential module's size limit.
fn read_presentation(path: &Path) -> Result<String> {
    let bytes = crate::cmd::read_bounded(path, publica_credentials::MAX_CREDENTIAL_BYTES as u64, "a presentation")?;
    Ok(String::from_utf8(bytes).context("not text")?.trim().to_owned())
}

/// The ledger proves that `account`'s key now is `key`, and that the account is not suspended.
fn holder_is_account(client: &Client, sets: &VerifiedSets, account: &Address, key: &PublicKey) -> Result<(), String> {
    let did = Did::new(sets.chain_id().clone(), *account);
    let resolution = client.did(&did.to_string(), DidVersion::Latest).map_err(|e| format!("resolving {did}: {e:#}"))?;
    let verified = publica_verify::verify_resolution(&resolution, sets)
        .map_err(|e| format!("the node's proof of {did} does not verify: {e}"))?;
    if verified.did != did {
        return Err(format!("the node resolved {} when asked for {did}", verified.did));
    }
    if verified.metadata.deactivated {
        return Err(format!("the account {account} is suspended"));
    }
    let listed = document_key(&verified.document).map_err(|e| e.to_string())?;
    if listed != *key {
        return Err(format!(
            "the credential is bound to a key that is not the account {account}'s key now (rotated?): the citizen \
             asks the civil registry for a credential bound to the current key"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requirement_is_a_type_or_a_type_with_a_claim_after_its_last_colon() {
        let r = Requirement::parse("https://publica.example/vct/residence:municipality=Nordvik").unwrap();
        assert_eq!(r.vct, "https://publica.example/vct/residence");
        assert_eq!(r.claim, Some(("municipality".into(), Value::String("Nordvik".into()))));
        let r = Requirement::parse("https://publica.example/vct/age-over-18:age_over_18=true").unwrap();
        assert_eq!(r.claim, Some(("age_over_18".into(), Value::Bool(true))));
        let r = Requirement::parse("https://publica.example/vct/age-over-18").unwrap();
        assert_eq!((r.vct.as_str(), r.claim), ("https://publica.example/vct/age-over-18", None));
        // A value may hold colons and equals signs of its own.
        let r = Requirement::parse("urn:x:t:address=Harbour Road 1: a=b").unwrap();
        assert_eq!(r.vct, "urn:x:t");
        assert_eq!(r.claim, Some(("address".into(), Value::String("Harbour Road 1: a=b".into()))));
        for bad in ["", "noclaim=1", ":a=1", "https://x:=1", "a b"] {
            assert!(Requirement::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_requirement_is_met_only_by_its_type_with_the_claim_disclosed_and_equal() {
        let r = Requirement::parse("t:age_over_18=true").unwrap();
        let claims = |v: Value| serde_json::Map::from_iter([("age_over_18".to_owned(), v)]);
        assert!(r.check("t", &claims(Value::Bool(true))).is_ok());
        assert!(r.check("t", &claims(Value::String("true".into()))).unwrap_err().contains("not true"));
        assert!(r.check("t", &serde_json::Map::new()).unwrap_err().contains("does not disclose"));
        assert!(r.check("u", &claims(Value::Bool(true))).is_err());
    }
}
