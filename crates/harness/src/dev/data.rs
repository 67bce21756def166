//! The demo's personal data, kept off the ledger (`publica_data`, `publica_vault`, `docs/privacy.md`), made by
//! ordinary transactions and by the health authority's vault, run in this process as its own process would run it:
//!
//! - the Nordvik Health Authority's vault has its home in `<home>/vaults/nordvik-health-authority/` (its
//!   key-encryption key, its store, its settings) and listens on a free port of 127.0.0.1, whose URL it writes to
//!   `url` there; it acts on the ledger as the authority's records officer, who holds `data-controller`;
//! - the authority keeps clinical-trial records ten years (a retention rule), and its records officer puts three
//!   records into the vault: citizen Ada's health summary, citizen Bruno's, and Bruno's record in the town's asthma
//!   inhaler trial; only their salted commitments reach the ledger;
//! - the research institute's epidemiologist proposes a study of the trial that reads four declared fields, the
//!   health authority's ethics board approves it, and Bruno consents to it;
//! - Ada consents to the hospital's doctor reading her health summary for treatment for a year; the doctor asks for
//!   it with a fresh recipient key (kept in `<home>/keys/doctor-recipient.json`, so that the README can show what
//!   the doctor received), the vault releases it sealed to that key, and the doctor's client checks it against the
//!   ledger;
//! - the epidemiologist asks for Bruno's trial record under his consent to the study and receives only the study's
//!   declared fields, checked the same way.
//!
//! The README goes on from there: Ada lists who read her record, revokes her consent, the doctor's next request is
//! refused, and she has the record erased, while a proof of it saved before still verifies.
//!
//! Seeding is resumable at the level of the whole: it runs only when the health authority has no retention rule for
//! clinical-trial records yet.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_client::api::vault::{IngestRequest, RecordFields};
use publica_client::vault::{ReleaseAnswer, VaultClient};
use publica_client::{Client, Signer};
use publica_crypto::kem::RecipientSecret;
use publica_data::call::{Basis, DataCall, Grantee, RecipientKey, DAY_MS};
use publica_data::schema::{retention_key, RetentionRule};
use publica_data::CONTROLLER_ROLE;
use publica_node::{NodeHandle, TxStatus};
use publica_types::outcome::AccessDecision;
use publica_types::{AgencyId, TxId, TxOutcome};
use publica_vault::{ControllerKey, LoopSettings, Vault, VaultConfig, VaultError, VaultSettings, SETTINGS_FILE};
use publica_verify::VerifiedSets;
use serde_json::json;

use super::{demo_key, DemoSigners};
use crate::home::free_local_addr;
use crate::node::wait_committed;

/// The health authority: its vault holds the demo's health records; its ethics board approves studies.
pub const HEALTH_AUTHORITY: &str = "nordvik-health-authority";
/// The hospital, whose doctor reads a patient's health summary under her consent.
pub const HOSPITAL: &str = "nordvik-hospital";
/// The research institute, whose epidemiologist runs a study.
pub const RESEARCH_INSTITUTE: &str = "nordvik-research-institute";
/// The data protection authority, whose auditor may read everything the data module holds.
pub const DATA_PROTECTION: &str = "data-protection-authority";

/// The health authority's records officer (`data-controller`): the vault signs as this official.
pub const RECORDS_OFFICER: &str = "health-records-officer";
/// The health authority's ethics board chair (`research-ethics-board`).
pub const ETHICS_BOARD: &str = "ethics-board-chair";
/// The hospital's doctor (`data-requester`).
pub const DOCTOR: &str = "doctor";
/// The research institute's epidemiologist (`researcher`, and `data-requester` to ask for records).
pub const RESEARCHER: &str = "epidemiologist";
/// The data protection authority's auditor (`data-protection-auditor`).
pub const PRIVACY_AUDITOR: &str = "privacy-auditor";

/// The patient whose summary the doctor reads, and the trial's participant.
const PATIENT: &str = "citizen-ada";
const PARTICIPANT: &str = "citizen-bruno";
/// The categories of the demo's records.
const SUMMARY: &str = "health.summary";
const TRIAL: &str = "health.clinical-trial";
/// How long the health authority keeps clinical-trial records.
const TRIAL_KEEP_DAYS: u32 = 3_650;
/// The fields the study declares: all its researchers ever get of a record.
const STUDY_FIELDS: [&str; 4] = ["trial_arm", "age_band", "fev1_change_ml", "adverse_events"];
/// The doctor's recipient key file, in the demo's keys directory.
pub const DOCTOR_RECIPIENT: &str = "doctor-recipient.json";
/// Name of the file, in the vault's home, that holds the vault's URL.
const URL_FILE: &str = "url";
/// Pause between two passes of the demo vault's loop: shorter than a production vault's, so that a release or an
/// erasure follows its transaction within a second.
const VAULT_PASS_INTERVAL: Duration = Duration::from_millis(300);
/// Longest wait for the vault's releases while seeding.
const RELEASE_WAIT: Duration = Duration::from_secs(60);

fn agency(id: &str) -> AgencyId {
    id.parse().expect("a demo agency id")
}

/// The health authority's vault's home directory in the demo's `home`.
pub fn vault_home(home: &Path) -> PathBuf {
    home.join("vaults").join(HEALTH_AUTHORITY)
}

/// The file that holds the URL of the health authority's vault (written at each start).
pub fn vault_url_file(home: &Path) -> PathBuf {
    vault_home(home).join(URL_FILE)
}

/// The health authority's vault, running in this process.
pub(crate) struct DemoVault {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub(crate) url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), VaultError>>,
}

impl DemoVault {
    /// Stop the vault's HTTP interface and its loop, and wait for them.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the health authority's vault stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "the health authority's vault failed"),
        }
    }
}

/// Start the health authority's vault, its node's API at `api`: made on the first run, opened again after. `None`
/// when the home's genesis predates the demo's personal data (no health authority granting `data-controller`, or no
/// records officer).
pub(crate) async fn start_vault(node: &NodeHandle, home: &Path, api: SocketAddr) -> Result<Option<DemoVault>> {
    if !ready(node) {
        return Ok(None);
    }
    let home = home.to_owned();
    // Opening reads files and asks the node: off the async runtime.
    let vault = tokio::task::spawn_blocking(move || open_vault(&home, api)).await??;
    let addr = vault.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(vault.run(async move {
        let _ = stopped.await;
    }));
    Ok(Some(DemoVault { url: format!("http://{addr}"), stop, task }))
}

/// Whether the ledger has the health authority, granting `data-controller`, and its records officer.
fn ready(node: &NodeHandle) -> bool {
    let view = node.live_state();
    publica_accounts::agency(&view, &agency(HEALTH_AUTHORITY)).is_some_and(|a| a.grants(CONTROLLER_ROLE))
        && publica_accounts::account(&view, &demo_key(RECORDS_OFFICER).public_key().address()).is_some()
}

/// Make the vault's home on the first run (a new key-encryption key, its settings), and open it: on the port of the
/// last run when it is free, else on another, which the settings and the URL file then name.
fn open_vault(home: &Path, api: SocketAddr) -> Result<Vault> {
    let dir = vault_home(home);
    let api_url = format!("http://{api}");
    if !dir.join(SETTINGS_FILE).exists() {
        let settings = VaultSettings {
            agency: agency(HEALTH_AUTHORITY),
            api: api_url.clone(),
            listen: free_local_addr()?,
            // The demo's key file, relative to the vault's home, for `publica vault serve --home` (this process
            // gives the vault the key itself).
            controller_key: Path::new("../../keys").join(format!("{RECORDS_OFFICER}.json")),
            controller: None,
        };
        publica_vault::init(&dir, &settings)?;
    }
    let mut settings = VaultSettings::load(&dir)?;
    let port_free = std::net::TcpListener::bind(settings.listen).is_ok();
    if !port_free || settings.api != api_url {
        if !port_free {
            settings.listen = free_local_addr()?;
        }
        settings.api = api_url;
        let text = toml::to_string(&settings).context("writing the vault's settings")?;
        let path = dir.join(SETTINGS_FILE);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let config = VaultConfig {
        home: dir.clone(),
        api_url: settings.api.clone(),
        listen: settings.listen,
        agency: settings.agency.clone(),
        controller: ControllerKey::Keypair(Box::new(demo_key(RECORDS_OFFICER))),
        sender: None,
        settings: LoopSettings { interval: VAULT_PASS_INTERVAL, ..LoopSettings::default() },
    };
    let vault =
        Vault::open(config).with_context(|| format!("opening the health authority's vault in {}", dir.display()))?;
    let url_file = dir.join(URL_FILE);
    std::fs::write(&url_file, format!("http://{}\n", vault.local_addr()?))
        .with_context(|| format!("writing {}", url_file.display()))?;
    Ok(vault)
}

/// Send `calls`, each signed by its demo sender, and wait until all are committed.
fn phase(node: &NodeHandle, signers: &mut DemoSigners<'_>, calls: Vec<(&str, DataCall)>) -> Result<Vec<TxId>> {
    let ids = calls.into_iter().map(|(sender, call)| signers.send(sender, call)).collect::<Result<Vec<_>>>()?;
    wait_committed(node, &ids, Duration::from_secs(60))?;
    Ok(ids)
}

/// What a committed transaction created.
fn created(node: &NodeHandle, id: &TxId) -> Result<TxOutcome> {
    match node.tx_status(id) {
        TxStatus::Committed { outcome: Some(outcome), .. } => Ok(outcome),
        other => bail!("transaction {id} is not committed with an outcome: {other:?}"),
    }
}

/// A record's fields.
fn fields(value: serde_json::Value) -> RecordFields {
    serde_json::from_value(value).expect("the demo's records are JSON objects of distinct fields")
}

/// A recipient key's public half, as a request names it.
fn recipient(secret: &RecipientSecret) -> RecipientKey {
    let public = secret.public_key();
    RecipientKey { x25519: public.x25519, ml_kem: public.ml_kem.clone() }
}

/// An access the seeding waits for: its number, who asked, the recipient key's secret, the fields it must disclose.
struct Awaited {
    access: u64,
    requester: &'static str,
    secret: RecipientSecret,
    expected: BTreeMap<String, String>,
}

/// Seed the demo's personal data through the vault at `vault_url`, the node's API at `api`; returns how many
/// transactions were committed (0 when it was seeded before, or when the home's genesis predates it).
pub(crate) fn seed(node: &NodeHandle, home: &Path, api: SocketAddr, vault_url: &str) -> Result<usize> {
    let skip = {
        let view = node.live_state();
        let officials = [RECORDS_OFFICER, ETHICS_BOARD, DOCTOR, RESEARCHER];
        let ready = officials
            .iter()
            .all(|name| publica_accounts::account(&view, &demo_key(name).public_key().address()).is_some());
        let rule: Option<RetentionRule> =
            publica_data::schema::get(&view, &retention_key(&agency(HEALTH_AUTHORITY), TRIAL));
        !ready || rule.is_some()
    };
    if skip {
        return Ok(0);
    }
    let mut signers = DemoSigners::new(node);
    let mut count = 0;
    let address = |name: &str| demo_key(name).public_key().address();
    let now = publica_client::now_ms();

    // The retention rule (sent as the vault's controller, before the vault has anything to send) and the study.
    let protocol = "Nordvik asthma inhaler trial, secondary analysis: lung function after 12 weeks by arm and age \
                    band. Protocol version 1.";
    let ids = phase(
        node,
        &mut signers,
        vec![
            (RECORDS_OFFICER, DataCall::SetRetention { category: TRIAL.into(), keep_days: TRIAL_KEEP_DAYS }),
            (
                RESEARCHER,
                DataCall::ProposeStudy {
                    title: "Asthma inhalers and lung function in Nordvik".into(),
                    categories: vec![TRIAL.into()],
                    fields: STUDY_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
                    purpose: "research".into(),
                    until_ms: now + 730 * DAY_MS,
                    protocol_sha256: publica_crypto::sha256(protocol.as_bytes()),
                },
            ),
        ],
    )?;
    count += ids.len();
    let TxOutcome::Study { id: study } = created(node, &ids[1])? else {
        bail!("the study's proposal created no study")
    };

    // The study's approval and Ada's consent go to the ledger while the records go into the vault. Bruno's consent
    // follows in another block, so that the numbers the README names are always the same: Ada's consent is the
    // first, and so is the doctor's access.
    let consent_to_doctor = DataCall::GrantConsent {
        owner: address(PATIENT),
        grantee: Grantee::Account(address(DOCTOR)),
        category: SUMMARY.into(),
        purpose: "treatment".into(),
        until_ms: now + 365 * DAY_MS,
    };
    let base_ids =
        vec![signers.send(ETHICS_BOARD, DataCall::ApproveStudy { study })?, signers.send(PATIENT, consent_to_doctor)?];
    let records = [
        (
            PATIENT,
            SUMMARY,
            fields(json!({
                "blood_type": "A+",
                "allergies": ["penicillin"],
                "medications": ["salbutamol inhaler, as needed"],
                "conditions": ["asthma (mild, since 2009)"],
                "vaccinations": ["tetanus 2021", "influenza 2025", "covid-19 2024"],
            })),
        ),
        (
            PARTICIPANT,
            SUMMARY,
            fields(json!({
                "blood_type": "O-",
                "allergies": [],
                "medications": ["budesonide inhaler, twice daily"],
                "conditions": ["asthma (moderate)"],
                "vaccinations": ["tetanus 2019", "influenza 2025"],
            })),
        ),
        (
            PARTICIPANT,
            TRIAL,
            fields(json!({
                "participant_code": "NAIT-0042",
                "trial_arm": "B",
                "age_band": "40-49",
                "fev1_change_ml": 180,
                "adverse_events": "none reported",
                "investigator_notes": "Good adherence; follow-up visit booked.",
            })),
        ),
    ];
    let vault = VaultClient::new(vault_url)?;
    let controller = demo_key(RECORDS_OFFICER);
    let chain_id = node.chain_id().clone();
    let mut held = Vec::new();
    // One at a time: the vault's controller sends its registrations one after another, so the records are numbered
    // in this order.
    for (owner, category, fields) in records {
        let request = IngestRequest {
            agency: agency(HEALTH_AUTHORITY),
            owner: address(owner),
            category: category.into(),
            fields: fields.clone(),
            controller: controller.address(),
            at_ms: 0,
        };
        let answer = vault
            .ingest_as(&controller, &chain_id, request)
            .with_context(|| format!("putting the {category} record of {owner} into the health authority's vault"))?;
        let id = answer.record.with_context(|| {
            format!("the vault took the {category} record of {owner} in, but its registration is not committed yet")
        })?;
        held.push((id, fields));
        count += 1;
    }
    wait_committed(node, &base_ids, Duration::from_secs(60))?;
    count += base_ids.len();
    let consent = |id: &TxId| match created(node, id)? {
        TxOutcome::DataConsent { id } => Ok(id),
        other => bail!("a consent created {other:?}"),
    };
    let ada_consent = consent(&base_ids[1])?;

    // The doctor's request, with Bruno's consent to the study; then the epidemiologist's request under it.
    let texts = |fields: &RecordFields| fields.texts().into_iter().collect::<BTreeMap<_, _>>();
    let request = |record: u64, purpose: &str, consent: u64, secret: &RecipientSecret| DataCall::RequestAccess {
        record,
        purpose: purpose.into(),
        basis: Basis::Consent(consent),
        recipient: recipient(secret),
    };
    let pending = |id: &TxId| match created(node, id)? {
        TxOutcome::Access { id, state: AccessDecision::Pending } => Ok(id),
        other => bail!("a demo request for a record was not granted: {other:?}"),
    };
    let doctor_secret = RecipientSecret::generate();
    let consent_to_study = DataCall::GrantConsent {
        owner: address(PARTICIPANT),
        grantee: Grantee::Study(study),
        category: TRIAL.into(),
        purpose: "research".into(),
        until_ms: now + 730 * DAY_MS,
    };
    let ids = phase(
        node,
        &mut signers,
        vec![(DOCTOR, request(held[0].0, "treatment", ada_consent, &doctor_secret)), (PARTICIPANT, consent_to_study)],
    )?;
    count += ids.len();
    let (doctor_access, bruno_consent) = (pending(&ids[0])?, consent(&ids[1])?);
    let researcher_secret = RecipientSecret::generate();
    let ids = phase(
        node,
        &mut signers,
        vec![(RESEARCHER, request(held[2].0, "research", bruno_consent, &researcher_secret))],
    )?;
    count += ids.len();
    let researcher_access = pending(&ids[0])?;
    let awaited = [
        Awaited { access: doctor_access, requester: DOCTOR, secret: doctor_secret, expected: texts(&held[0].1) },
        Awaited {
            access: researcher_access,
            requester: RESEARCHER,
            secret: researcher_secret,
            expected: texts(&held[2].1).into_iter().filter(|(name, _)| STUDY_FIELDS.contains(&name.as_str())).collect(),
        },
    ];

    // The vault releases both; each requester's client checks its release against the ledger.
    let client = Client::new(&format!("http://{api}"))?;
    let sets = VerifiedSets::genesis_only(node.genesis());
    let deadline = Instant::now() + RELEASE_WAIT;
    for Awaited { access, requester, secret, expected } in &awaited {
        let sealed = loop {
            match vault.release(*access)? {
                ReleaseAnswer::Sealed(sealed) => break sealed,
                ReleaseAnswer::Gone(message) => bail!("the vault will not release access {access}: {message}"),
                ReleaseAnswer::NotYet(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                ReleaseAnswer::NotYet(message) => {
                    bail!("the vault did not release access {access} within {RELEASE_WAIT:?}: {message}")
                }
            }
        };
        let signer = Signer::new(demo_key(requester), chain_id.clone(), 0);
        let checked = client
            .verified_release(&signer, *access, &sets, secret, &sealed)
            .with_context(|| format!("the {requester}'s check of the release of access {access}"))?;
        ensure!(
            checked.fields == *expected,
            "the release of access {access} disclosed {:?}, not the fields its access allows",
            checked.fields.keys().collect::<Vec<_>>()
        );
        // The vault's fulfilment of the access.
        count += 1;
    }
    // The doctor keeps the recipient key, so that the README can fetch the release again.
    let path = home.join("keys").join(DOCTOR_RECIPIENT);
    if path.exists() {
        // Left by a seeding that was interrupted: its access was never granted on this ledger.
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    awaited[0].secret.save(&path).with_context(|| format!("writing {}", path.display()))?;
    Ok(count)
}

/// The guide's personal data lines.
pub(crate) fn print_guide(home: &Path, keys: &Path, api: SocketAddr, vault: &str) {
    let pass = format!("--passphrase-file {}/dev-passphrase", home.display());
    let ada = format!("--key {}/citizen-ada.json {pass} --api http://{api}", keys.display());
    println!();
    println!(
        "Personal data (Ada's health summary in the health authority's vault, {vault}; a hospital doctor read it \
         with her consent):"
    );
    println!("  publica data records {ada}");
    println!("  publica data log {ada}   (who read her records)");
    println!(
        "  publica data fetch --access 1 --recipient-key {}/{DOCTOR_RECIPIENT} --vault {vault} \\",
        keys.display()
    );
    println!(
        "      --key {}/{DOCTOR}.json {pass} --api http://{api}   (what the doctor received, checked)",
        keys.display()
    );
    println!("  publica data consent revoke 1 {ada}   (then the doctor's next request is refused; erasure: README.md)");
    println!("  publica data study show 1 --api http://{api}   (a study's public counters: declared fields only)");
}
