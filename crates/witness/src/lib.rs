//! An independent witness of Publica notary logs: it cosigns a network's log checkpoints only after checking that
//! each one is signed by a quorum of the network's validators and extends every checkpoint it cosigned before, so
//! a log that forks or rewrites its history cannot get its signature (C2SP tlog-witness).
//!
//! A witness is run by someone the validators do not control: a court, a newspaper, an auditor, a foreign
//! agency. Citizens who require its cosignature on a receipt know that the log they see is the one everybody else
//! sees: to show them a different history, the validators would have to fool every witness they trust.
//!
//! # Protocol (C2SP tlog-witness, `add-checkpoint`)
//!
//! `POST <prefix>/add-checkpoint` with the body
//!
//! ```text
//! old <size of the latest checkpoint this witness cosigned for the log>
//! <base64 RFC 9162 consistency proof hash>...   (at most 63 lines)
//!
//! <signed checkpoint>
//! ```
//!
//! is answered, checks in this order:
//!
//! | status | when |
//! |---|---|
//! | 413 | the body is larger than [`MAX_BODY_BYTES`] |
//! | 400 | the body is malformed, or its old size exceeds the checkpoint size |
//! | 404 | the checkpoint's origin is not a log the witness follows |
//! | 403 | validators holding more than two thirds of the voting power did not sign it with BOTH their keys and cosignatures of one same time, or a validator's signature fails ([`publica_notary_log::checkpoint::verify_checkpoint`]) |
//! | 409 | the old size is not the size of the latest cosigned checkpoint; the body is that size and a newline, with `Content-Type: text/x.tlog.size` |
//! | 422 | a size-0 checkpoint without the empty-tree root, a proof from old size 0, a consistency proof that fails, or the same size with another root |
//! | 200 | two cosignature lines under the witness's name: ML-DSA-44 (type `0x06`) and Ed25519 (type `0x04`), both timestamped with the current time |
//!
//! The check of the old size and the update of the state happen under one lock per log, and the new state is on
//! disk before the cosignatures leave: two concurrent requests can never roll the witness back. Refusals are logged with their origin; an inconsistent checkpoint that carries valid
//! validator signatures is logged as an error, since it is evidence that the log misbehaved.
//!
//! `GET <prefix>/<hex SHA-256 of the origin>/checkpoint` serves the latest cosigned checkpoint with the
//! validators' and the witness's signatures (the tlog-witness monitoring endpoint); `GET <prefix>/vkeys` lists the
//! witness's verifier keys.
//!
//! # Keys
//!
//! The witness holds one hybrid Publica key (ML-DSA-65 + Ed25519, kept encrypted on disk). Its cosigning keys are
//! derived from it with `Keypair::log_key_seeds()`, the same derivation validators use for their checkpoint keys,
//! so the operator keeps one secret. A witness key must not be a validator's key.

mod error;
mod http;
mod state;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use publica_crypto::Keypair;
use publica_notary_log::checkpoint::{origin, validator_vkeys, verify_checkpoint};
use publica_tlog::{
    AddCheckpointRequest, Ed25519Cosigner, MlDsa44Cosigner, NoteSignature, SignedCheckpoint, TlogError, VerifierKey,
    MAX_SIGNATURES,
};
use publica_types::{ChainId, Genesis, Hash, ValidatorSet};
use serde::{Deserialize, Serialize};

pub use error::WitnessError;
pub use http::{router, serve, HttpSettings, MAX_BODY_BYTES};
pub use publica_http::{descriptor_limit, raise_descriptor_limit, ConnectionLimits};
pub use state::origin_hash;

/// Most logs one witness follows.
pub const MAX_LOGS: usize = 1024;

/// Largest witness settings file accepted.
const MAX_SETTINGS_BYTES: u64 = 64 * 1024;

/// A source of the current time, in seconds since the Unix epoch. Cosignature timestamps come from it.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock, in seconds since the Unix epoch (0 if the clock is set before 1970).
pub fn system_clock() -> Clock {
    Arc::new(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
}

/// A log the witness follows: a network's notary log and the validators whose quorum must sign its checkpoints.
#[derive(Clone, Debug)]
pub struct FollowedLog {
    /// The network; the log's origin is `publica/<chain id>/notary`.
    pub chain_id: ChainId,
    /// The validators whose signatures count.
    pub validators: ValidatorSet,
}

impl FollowedLog {
    /// The log of the network described by a genesis document, checked against its genesis validator set.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        FollowedLog { chain_id: genesis.chain_id.clone(), validators: genesis.validators.clone() }
    }

    /// The log's origin line.
    pub fn origin(&self) -> String {
        origin(&self.chain_id)
    }
}

/// One followed log: its validators and the latest checkpoint cosigned for it.
struct Log {
    followed: FollowedLog,
    /// The validators' verifier keys; signature lines under other keys are not kept.
    validator_keys: Vec<VerifierKey>,
    /// The latest cosigned checkpoint. Its lock is held from the check of the old size until the new state is on
    /// disk, which is what makes check-and-update atomic.
    latest: Mutex<Option<SignedCheckpoint>>,
}

/// A witness: its name, its cosigning keys, the logs it follows and their state.
pub struct Witness {
    name: String,
    ml_dsa_44: MlDsa44Cosigner,
    ed25519: Ed25519Cosigner,
    logs: HashMap<String, Log>,
    state: state::StateDir,
    clock: Clock,
}

impl std::fmt::Debug for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witness").field("name", &self.name).field("logs", &self.logs.len()).finish_non_exhaustive()
    }
}

impl Witness {
    /// Open the witness named `name` (a C2SP key name such as `court.example/witness`: 1 to 255 bytes, no spaces
    /// or `+`), whose cosigning keys derive from `keypair`, following `logs`, with its state in `dir` (created if
    /// needed, locked against other processes). Fails on an unusable name, two logs with one origin, or a state
    /// file that does not hold what the witness wrote.
    pub fn open(dir: &Path, name: &str, keypair: &Keypair, logs: Vec<FollowedLog>) -> Result<Self, WitnessError> {
        if logs.len() > MAX_LOGS {
            return Err(WitnessError::Config(format!(
                "{} logs to follow; a witness follows at most {MAX_LOGS}",
                logs.len()
            )));
        }
        let (ml_dsa_44, ed25519) = cosigners(name, keypair)?;
        let state = state::StateDir::open(dir)?;
        let mut by_origin = HashMap::with_capacity(logs.len());
        for followed in logs {
            let origin = followed.origin();
            if by_origin.contains_key(&origin) {
                return Err(WitnessError::Config(format!(
                    "the log {origin:?} is given twice; give each network's genesis once"
                )));
            }
            // A key no verifier can parse is left out, as `verify_checkpoint` leaves it out: it signs nothing here,
            // and the rest of the set's checkpoints stay verifiable.
            let validator_keys: Vec<VerifierKey> = followed
                .validators
                .validators()
                .iter()
                .filter_map(|validator| validator_vkeys(&origin, validator).ok())
                .flatten()
                .collect();
            let latest = state.load(&origin)?;
            if let Some(latest) = &latest {
                tracing::info!(origin, size = latest.checkpoint.size, "following the log from its cosigned checkpoint");
            }
            by_origin.insert(origin, Log { followed, validator_keys, latest: Mutex::new(latest) });
        }
        Ok(Witness { name: name.to_owned(), ml_dsa_44, ed25519, logs: by_origin, state, clock: system_clock() })
    }

    /// Take cosignature timestamps from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The witness's name, which its cosignature lines carry.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The witness's verifier keys (C2SP vkeys): the ML-DSA-44 cosignature key, then the Ed25519 one. Logs and
    /// citizens configure these to accept the witness's cosignatures.
    pub fn vkeys(&self) -> [VerifierKey; 2] {
        [self.ml_dsa_44.verifier_key(), self.ed25519.verifier_key()]
    }

    /// The origins of the followed logs, sorted.
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.logs.keys().cloned().collect();
        origins.sort();
        origins
    }

    /// The latest checkpoint cosigned for `origin`, with the validators' signatures and the witness's
    /// cosignatures; `None` if the log is not followed or nothing was cosigned yet.
    pub fn latest(&self, origin: &str) -> Option<SignedCheckpoint> {
        self.logs.get(origin).and_then(|log| log.latest.lock().clone())
    }

    /// The latest cosigned checkpoint of the log whose origin hashes to `origin_hash` (see [`origin_hash`]).
    pub fn latest_by_hash(&self, origin_hash: &str) -> Option<SignedCheckpoint> {
        let origin = self.logs.keys().find(|origin| state::origin_hash(origin) == origin_hash)?;
        self.latest(origin)
    }

    /// Handle an `add-checkpoint` request body: check it (see the crate documentation for the order of the
    /// checks), record the checkpoint durably, and return the witness's cosignatures (ML-DSA-44, then Ed25519).
    /// Blocks on signature checks and disk writes: call it from a blocking context.
    pub fn add_checkpoint(&self, body: &[u8]) -> Result<Vec<NoteSignature>, WitnessError> {
        let result = self.check_and_cosign(body);
        if let Err(e) = &result {
            match e {
                WitnessError::Inconsistent { origin, reason } => tracing::error!(
                    origin,
                    reason,
                    "REFUSED a validly signed checkpoint that does not extend the cosigned log: keep it as possible \
                     evidence of log misbehaviour"
                ),
                WitnessError::Conflict { origin, size } => {
                    tracing::info!(origin, witness_size = size, "refused a checkpoint sent with a stale old size")
                }
                e if e.status() >= 500 => tracing::error!(error = %e, "witness failure; nothing was cosigned"),
                e => tracing::warn!(status = e.status(), error = %e, "refused a checkpoint"),
            }
        }
        result
    }

    fn check_and_cosign(&self, body: &[u8]) -> Result<Vec<NoteSignature>, WitnessError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(WitnessError::TooLarge { len: body.len(), max: MAX_BODY_BYTES });
        }
        let request = AddCheckpointRequest::parse(body).map_err(|e| match e {
            TlogError::TooLarge { len, .. } => WitnessError::TooLarge { len, max: MAX_BODY_BYTES },
            e => WitnessError::Malformed(e.to_string()),
        })?;
        let checkpoint = &request.checkpoint.checkpoint;
        let origin = &checkpoint.origin;
        let log = self.logs.get(origin).ok_or_else(|| WitnessError::UnknownOrigin(origin.clone()))?;
        verify_checkpoint(&log.followed.chain_id, &log.followed.validators, &request.checkpoint)
            .map_err(|e| WitnessError::Forbidden { origin: origin.clone(), reason: e.to_string() })?;

        // From here to the end the log's state is locked: the old size is checked against the state that the
        // update below replaces, so no other request can slip in between.
        let mut latest = log.latest.lock();
        let (size, root) = latest.as_ref().map_or((0, empty_root()), |s| (s.checkpoint.size, s.checkpoint.root));
        if request.old_size != size {
            return Err(WitnessError::Conflict { origin: origin.clone(), size });
        }
        request.verify_consistency(&root).map_err(|e| {
            let reason = if request.old_size == checkpoint.size && checkpoint.root != root {
                format!(
                    "size {size} was cosigned with root {}, this checkpoint has root {} (a fork)",
                    hex::encode(root),
                    hex::encode(checkpoint.root)
                )
            } else {
                format!("from cosigned size {size} to size {}: {e}", checkpoint.size)
            };
            WitnessError::Inconsistent { origin: origin.clone(), reason }
        })?;

        // The timestamp must never be 0 (tlog-witness): 0 would mean "no time" to a verifier.
        let timestamp = (self.clock)().max(1);
        let internal = |e: TlogError| WitnessError::Internal(format!("cosigning failed: {e}"));
        let cosignatures = vec![
            self.ml_dsa_44.cosign(checkpoint, timestamp).map_err(internal)?,
            self.ed25519.cosign(checkpoint, timestamp).map_err(internal)?,
        ];
        let recorded = self.recorded(log, &request.checkpoint, &cosignatures)?;
        self.state.store(&recorded)?;
        tracing::info!(origin, size = checkpoint.size, old_size = size, "cosigned a checkpoint");
        *latest = Some(recorded);
        Ok(cosignatures)
    }

    /// The note the witness keeps and serves for a cosigned checkpoint: the validators' signature lines (all of
    /// which verified, since a failing known key rejects the note) and the witness's cosignatures. Lines under
    /// other keys are dropped: the witness vouches only for what it checked.
    fn recorded(
        &self,
        log: &Log,
        submitted: &SignedCheckpoint,
        cosignatures: &[NoteSignature],
    ) -> Result<SignedCheckpoint, WitnessError> {
        let mut recorded = SignedCheckpoint::new(submitted.checkpoint.clone())
            .map_err(|e| WitnessError::Internal(format!("a parsed checkpoint does not re-encode: {e}")))?;
        // Room is kept for the witness's own lines, so the stored note always parses again.
        let room = MAX_SIGNATURES - cosignatures.len();
        let known =
            |sig: &&NoteSignature| log.validator_keys.iter().any(|k| k.name == sig.name && k.key_id == sig.key_id);
        for sig in submitted.note.signatures().iter().filter(known).take(room) {
            recorded.add_signature(sig.clone());
        }
        for sig in cosignatures {
            recorded.add_signature(sig.clone());
        }
        Ok(recorded)
    }
}

/// The cosigners of the witness named `name` whose hybrid key is `keypair`.
fn cosigners(name: &str, keypair: &Keypair) -> Result<(MlDsa44Cosigner, Ed25519Cosigner), WitnessError> {
    check_name(name)?;
    let seeds = keypair.log_key_seeds();
    let key = |e: TlogError| WitnessError::Key(format!("cannot derive the cosigning keys for {name:?}: {e}"));
    let ml_dsa_44 = MlDsa44Cosigner::from_seed(name, &seeds.ml_dsa_44).map_err(key)?;
    let ed25519 = Ed25519Cosigner::from_seed(name, &seeds.ed25519).map_err(key)?;
    Ok((ml_dsa_44, ed25519))
}

/// The verifier keys of the witness named `name` whose hybrid key is `keypair`, as [`Witness::vkeys`] gives them,
/// without opening a state directory.
pub fn vkeys(name: &str, keypair: &Keypair) -> Result<[VerifierKey; 2], WitnessError> {
    let (ml_dsa_44, ed25519) = cosigners(name, keypair)?;
    Ok([ml_dsa_44.verifier_key(), ed25519.verifier_key()])
}

/// The root of the empty tree, SHA-256 of the empty string.
fn empty_root() -> Hash {
    publica_crypto::sha256(b"")
}

/// Check a witness name: a C2SP key name (non-empty, no Unicode space, no `+`, no control character) of at most
/// 255 bytes, the limit of the ML-DSA-44 cosigned message.
pub fn check_name(name: &str) -> Result<(), WitnessError> {
    let unusable = |reason: String| {
        WitnessError::Key(format!(
            "witness name {name:?} is not usable: {reason}; pick a name such as `court.example/witness`"
        ))
    };
    publica_tlog::check_key_name(name).map_err(|e| unusable(e.to_string()))?;
    if name.len() > 255 {
        return Err(unusable("it is longer than 255 bytes".into()));
    }
    Ok(())
}

/// A witness's home directory:
///
/// ```text
/// HOME/
///   witness.toml   settings: the witness's name, and the bounds on its HTTP connections
///   key.json       the witness's hybrid key, encrypted (keystore format of publica-crypto)
///   state/         the latest cosigned checkpoint of each log (see `Witness::open`)
/// ```
#[derive(Clone, Debug)]
pub struct WitnessHome {
    /// The home directory.
    pub dir: PathBuf,
}

impl WitnessHome {
    /// The layout of `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        WitnessHome { dir: dir.into() }
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.dir.join("witness.toml")
    }

    /// The encrypted key file.
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("key.json")
    }

    /// The state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }
}

/// The contents of `witness.toml`:
///
/// ```toml
/// name = "court.example/witness"
///
/// [http]              # optional, as is each of its keys; see `HttpSettings`
/// header_read_timeout_ms = 10000
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessSettings {
    /// The witness's name, which its cosignature lines and verifier keys carry.
    pub name: String,
    /// The bounds on the witness's HTTP connections.
    #[serde(default)]
    pub http: HttpSettings,
}

impl WitnessSettings {
    /// The settings of the witness named `name`, with the default bounds on its connections.
    pub fn new(name: impl Into<String>) -> Self {
        WitnessSettings { name: name.into(), http: HttpSettings::default() }
    }

    /// Read and check the settings of a home directory.
    pub fn load(home: &WitnessHome) -> Result<Self, WitnessError> {
        let path = home.settings_file();
        let meta = std::fs::metadata(&path).map_err(|e| WitnessError::io(&path, e))?;
        if meta.len() > MAX_SETTINGS_BYTES {
            return Err(WitnessError::Config(format!(
                "{} is {} bytes, more than {MAX_SETTINGS_BYTES}",
                path.display(),
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| WitnessError::io(&path, e))?;
        let settings: WitnessSettings = toml::from_str(&text)
            .map_err(|e| WitnessError::Config(format!("{} is not valid witness settings: {e}", path.display())))?;
        check_name(&settings.name)?;
        settings.http.check().map_err(|e| match e {
            WitnessError::Config(reason) => WitnessError::Config(format!("{}: {reason}", path.display())),
            e => e,
        })?;
        Ok(settings)
    }

    /// Write the settings of a home directory.
    pub fn save(&self, home: &WitnessHome) -> Result<(), WitnessError> {
        check_name(&self.name)?;
        self.http.check()?;
        let path = home.settings_file();
        let text = toml::to_string_pretty(self).map_err(|e| WitnessError::Internal(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| WitnessError::io(&path, e))
    }
}
