//! An agency's vault of personal data: records kept encrypted beside the agency's node, released sealed to a
//! requester against an access committed on the ledger, erased by destroying their keys.
//!
//! Personal data never enters the ledger. The vault holds each record (a health summary, a customs declaration's
//! trader details) encrypted under a data key of its own, wrapped by the vault's key-encryption key
//! (`publica_crypto::envelope`); the ledger holds, per record, only a salted commitment to its fields, its owner,
//! its category and the agency (`publica_data`). Every access is a transaction: the vault answers only accesses
//! the ledger committed as pending, seals each release to the requester's recipient key
//! (`publica_crypto::kem`, X25519 + ML-KEM-768), reports its hash on the ledger before serving it, and every
//! requester checks it against the commitment.
//!
//! The vault talks to the ledger only through the node's REST API (`publica-client`), as a `data-controller` of its
//! agency: its reads of the queue and of records are signed reads, its answers are transactions.
//!
//! - [`store`]: the fjall store in `HOME/store`, and what an erasure does and does not guarantee;
//! - [`record`]: a record's rules, its encryption, its releases;
//! - [`ledger`]: what the vault asks of the ledger ([`Ledger`]), and the node that answers ([`NodeLedger`]);
//! - [`service`]: ingest, the loop that answers the queue, erasure and retention;
//! - [`server`]: the HTTP interface (`/vault/v1/…`).
//!
//! # A vault's home directory
//!
//! | file | what |
//! |---|---|
//! | `HOME/vault.toml` | [`VaultSettings`]: the agency, the node's API, the address to listen on, the controller's key file |
//! | `HOME/kek` | the key-encryption key, 64 hex digits, mode 0600, written once by [`init`] |
//! | `HOME/store/` | the store |
//!
//! # What it protects, and what it does not
//!
//! Whoever takes the store without the key-encryption key learns each record's category, size, number and
//! commitment, and nothing of its fields. Whoever holds both reads every record held: keep the key file apart from
//! the store's backups. The vault trusts its own agency's node (it does not check the proofs of what it reads), and
//! serves sealed releases to anyone who asks: only the recipient key opens them, and the ledger says which bytes
//! were released. An erasure destroys what the vault holds; it cannot reach copies taken before (see [`store`]).
//! Records and accesses in the logs are named by number and commitment, never by content; keys are never logged.

#![deny(missing_docs)]

pub mod error;
pub mod ledger;
pub mod record;
pub mod server;
pub mod service;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use publica_crypto::envelope::KeyEncryptionKey;
use publica_crypto::keystore::{KeyFile, Passphrase};
use publica_crypto::Keypair;
use publica_types::{Address, AgencyId, ChainId};
use serde::{Deserialize, Serialize};

pub use error::VaultError;
pub use ledger::{Ledger, LedgerError, NodeLedger};
pub use service::{LoopSettings, Pass, Service};
pub use store::Store;

/// Name of the settings file in a vault's home directory.
pub const SETTINGS_FILE: &str = "vault.toml";
/// Name of the key-encryption key file in a vault's home directory.
pub const KEK_FILE: &str = "kek";
/// Name of the store's directory in a vault's home directory.
pub const STORE_DIR: &str = "store";
/// Largest settings file read.
const MAX_SETTINGS_BYTES: u64 = 64 * 1024;

/// A vault's settings file, `HOME/vault.toml`:
///
/// ```toml
/// agency = "hospital"
/// api = "http://127.0.0.1:8080"
/// listen = "127.0.0.1:8090"
/// controller_key = "controller.key"   # relative to HOME, or absolute
/// # controller = "<40 hex>"            # the controller's account, when its key was rotated in
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultSettings {
    /// The agency whose records the vault holds.
    pub agency: AgencyId,
    /// The agency's node's REST API.
    pub api: String,
    /// The address the vault listens on.
    pub listen: SocketAddr,
    /// The controller's encrypted key file (`publica keys new`): an official of the agency holding
    /// `data-controller`. A relative path is relative to the home directory.
    pub controller_key: PathBuf,
    /// The controller's account, when its key was rotated in (else the key's own address, or the account the
    /// ledger's key index names for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<Address>,
}

impl VaultSettings {
    /// Read `HOME/vault.toml`.
    pub fn load(home: &Path) -> Result<VaultSettings, VaultError> {
        use std::io::Read as _;
        let path = home.join(SETTINGS_FILE);
        let file = std::fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VaultError::Config(format!(
                "there is no {} in {}: make the vault's home with `publica vault init`",
                SETTINGS_FILE,
                home.display()
            )),
            _ => VaultError::io(&path, e),
        })?;
        let mut text = String::new();
        file.take(MAX_SETTINGS_BYTES + 1).read_to_string(&mut text).map_err(|e| VaultError::io(&path, e))?;
        if text.len() as u64 > MAX_SETTINGS_BYTES {
            return Err(VaultError::Config(format!("{} is larger than {MAX_SETTINGS_BYTES} bytes", path.display())));
        }
        toml::from_str(&text).map_err(|e| VaultError::Config(format!("{}: {e}", path.display())))
    }

    /// The controller's key file, resolved against `home`.
    pub fn controller_key_path(&self, home: &Path) -> PathBuf {
        if self.controller_key.is_absolute() {
            self.controller_key.clone()
        } else {
            home.join(&self.controller_key)
        }
    }
}

/// The controller's key: an encrypted key file with its passphrase, or a key already in memory (a vault started
/// in process by `publica dev`).
pub enum ControllerKey {
    /// An encrypted key file and its passphrase.
    Keystore {
        /// The key file.
        path: PathBuf,
        /// Its passphrase.
        passphrase: Passphrase,
    },
    /// The key itself.
    Keypair(Box<Keypair>),
}

impl std::fmt::Debug for ControllerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControllerKey::Keystore { path, .. } => write!(f, "Keystore({}, passphrase redacted)", path.display()),
            ControllerKey::Keypair(key) => write!(f, "{key:?}"),
        }
    }
}

impl ControllerKey {
    fn open(self) -> Result<Keypair, VaultError> {
        match self {
            ControllerKey::Keypair(key) => Ok(*key),
            ControllerKey::Keystore { path, passphrase } => {
                let file = KeyFile::load(&path)
                    .map_err(|e| VaultError::Config(format!("the controller's key file {}: {e}", path.display())))?;
                file.decrypt(passphrase.as_bytes()).map_err(|e| {
                    VaultError::Config(format!("opening the controller's key file {}: {e}", path.display()))
                })
            }
        }
    }
}

/// What a vault is started with.
#[derive(Debug)]
pub struct VaultConfig {
    /// Its home directory (the key-encryption key, the store).
    pub home: PathBuf,
    /// The agency's node's REST API.
    pub api_url: String,
    /// The address to listen on (port 0: any free port, see [`Vault::local_addr`]).
    pub listen: SocketAddr,
    /// The agency whose records it holds.
    pub agency: AgencyId,
    /// The controller's key.
    pub controller: ControllerKey,
    /// The controller's account, when its key was rotated in.
    pub sender: Option<Address>,
    /// How the loop paces itself.
    pub settings: LoopSettings,
}

impl VaultConfig {
    /// The configuration of the vault whose home is `home` (its `vault.toml`), with the controller's key file
    /// opened with `passphrase`.
    pub fn from_home(home: &Path, passphrase: Passphrase) -> Result<VaultConfig, VaultError> {
        let settings = VaultSettings::load(home)?;
        Ok(VaultConfig {
            home: home.to_owned(),
            api_url: settings.api.clone(),
            listen: settings.listen,
            agency: settings.agency.clone(),
            controller: ControllerKey::Keystore { path: settings.controller_key_path(home), passphrase },
            sender: settings.controller,
            settings: LoopSettings::default(),
        })
    }
}

/// Make a vault's home: the key-encryption key (`HOME/kek`, mode 0600, a new random key) and `HOME/vault.toml`.
/// Refuses to overwrite either: losing the key-encryption key loses every record.
pub fn init(home: &Path, settings: &VaultSettings) -> Result<(), VaultError> {
    if !home.exists() {
        std::fs::create_dir_all(home).map_err(|e| VaultError::io(home, e))?;
        // The home holds the key-encryption key and the store: only its owner enters it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| VaultError::io(home, e))?;
        }
    }
    let settings_path = home.join(SETTINGS_FILE);
    if settings_path.exists() {
        return Err(VaultError::Config(format!(
            "{} already exists: this home is initialised",
            settings_path.display()
        )));
    }
    let text = toml::to_string(settings).map_err(|e| VaultError::Internal(format!("writing the settings: {e}")))?;
    KeyEncryptionKey::generate()
        .save(home.join(KEK_FILE))
        .map_err(|e| VaultError::Config(format!("writing the key-encryption key: {e}")))?;
    std::fs::write(&settings_path, text).map_err(|e| VaultError::io(&settings_path, e))?;
    Ok(())
}

/// An open vault: its service (store, key, ledger) and its listening socket, ready to [`run`](Vault::run).
pub struct Vault {
    service: Arc<Service>,
    listener: std::net::TcpListener,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("service", &self.service)
            .field("listen", &self.listener.local_addr().ok())
            .finish()
    }
}

impl Vault {
    /// Open the vault `config` describes: load the key-encryption key, open the controller's key, reach the node
    /// (its chain id; a store that knows its chain opens while the node is down), open the store, and bind the
    /// listening address.
    ///
    /// Blocking (files, the node): call it outside an async runtime, or in `tokio::task::spawn_blocking`.
    pub fn open(config: VaultConfig) -> Result<Vault, VaultError> {
        let VaultConfig { home, api_url, listen, agency, controller, sender, settings } = config;
        let kek_path = home.join(KEK_FILE);
        let kek = KeyEncryptionKey::load(&kek_path).map_err(|e| {
            VaultError::Config(format!(
                "the vault's key-encryption key {}: {e} (`publica vault init` makes it; restore it from its backup if \
                 it was lost)",
                kek_path.display()
            ))
        })?;
        let key = controller.open()?;
        let store = Store::open_unclaimed(&home.join(STORE_DIR))?;
        let ledger = match NodeLedger::reach(&api_url, &key.address(), sender) {
            Ok((chain, sender)) => NodeLedger::offline(&api_url, key, Some(sender), chain)?,
            Err(LedgerError::Unavailable(reason)) => {
                let Some((_, chain)) = store.identity()? else {
                    return Err(VaultError::Unavailable(format!(
                        "{reason}; the vault learns its chain from the node on its first start: start the node first"
                    )));
                };
                let chain: ChainId =
                    chain.parse().map_err(|e| VaultError::Corrupt(format!("the stored chain id: {e}")))?;
                tracing::warn!(%reason, "the node cannot be reached; the vault starts and retries");
                NodeLedger::offline(&api_url, key, sender, chain)?
            }
            Err(LedgerError::Refused { code, message }) => return Err(VaultError::Refused { code, message }),
        };
        store.claim(&agency, ledger.chain_id())?;
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| VaultError::Config(format!("listening on {listen}: {e}")))?;
        listener.set_nonblocking(true).map_err(|e| VaultError::Config(format!("listening on {listen}: {e}")))?;
        let service = Service::new(agency, kek, store, Box::new(ledger)).with_settings(settings);
        Ok(Vault { service: Arc::new(service), listener })
    }

    /// The address the vault listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, VaultError> {
        self.listener.local_addr().map_err(|e| VaultError::Internal(format!("the listening address: {e}")))
    }

    /// The vault's service (to take records in from the same process, or to read its status).
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Serve the HTTP interface and run the loop (on a thread of its own) until `shutdown` completes; then stop the
    /// loop and wait for it (a transaction being waited for is given up: the next start resumes it).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), VaultError> {
        let Vault { service, listener } = self;
        let addr = listener.local_addr().map_err(|e| VaultError::Internal(format!("the listening address: {e}")))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| VaultError::Config(format!("listening on {addr}: {e}")))?;
        let limits = server::connection_limits(publica_http::descriptor_limit())?;
        let worker = Arc::clone(&service);
        let loop_thread = std::thread::Builder::new()
            .name("vault-loop".into())
            .spawn(move || worker.run())
            .map_err(|e| VaultError::Internal(format!("starting the vault's loop: {e}")))?;
        tracing::info!(%addr, agency = %service.agency(), "vault listening");
        let served = server::serve(Arc::clone(&service), listener, limits, shutdown).await;
        service.stop();
        // The loop and the node's client block: they are joined and dropped off the async runtime.
        let joined = tokio::task::spawn_blocking(move || {
            let joined = loop_thread.join();
            drop(service);
            joined
        })
        .await;
        if !matches!(joined, Ok(Ok(()))) {
            tracing::error!("the vault's loop ended with a panic");
        }
        served.map_err(|e| VaultError::Internal(format!("serving on {addr}: {e}")))
    }
}
