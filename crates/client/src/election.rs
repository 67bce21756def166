//! The election kit: what the trustees, the credential authority and the voters of an election run on their own
//! machines, around the ledger's elections module (`docs/elections.md`). Each function returns the exact bytes
//! or the call the ledger takes; nothing here prints, and only the functions named `fetch_…` talk to a node.
//!
//! - **Trustees** ([`Trustee`], saved as a [`TrusteeKey`] file): the three messages of Belenios' threshold key
//!   generation, [`Trustee::certificate`] (step 1), [`Trustee::polynomial`] (step 3, from every certificate on the
//!   board), [`Trustee::verification_key`] (step 5, from the trustee's input that the node builds), then
//!   [`Trustee::partial_decryption`] of the encrypted tally once the vote is closed. Each goes into
//!   `ElectionsCall::TrusteeMessage { step }` or `ElectionsCall::PartialDecryption` as it is.
//! - **The credential authority**: [`issue_credentials`] makes one private credential per voter on the roll,
//!   [`credential_batches`] the `PublishCredentials` calls of their public forms, [`CredentialLetter`] carries
//!   each private credential to its citizen, sealed to the citizen's account key ([`publica_crypto::seal`]), and
//!   [`open_letter`] opens it with the citizen's key pair.
//! - **Voters**: [`build_ballot`] from the election object, the private credential and a [`Choice`] per question;
//!   [`cast_transaction`] is the anonymous transaction that submits it.
//! - **Everyone**: [`fetch_archive`] writes the election's Belenios archive (`.bel`) from the board, checked to end
//!   at the head the ledger proves; `belenios-tool election verify` checks it independently.
//!
//! Who knows what. The trustees' secrets (their Belenios seed, their polynomial, their share of the decryption key)
//! never leave their key files, which are encrypted under a passphrase. The private credentials exist on the
//! credential authority's machine while it issues them and in the letters; the list that pairs a citizen with a
//! public credential is never written to the ledger, which holds the roll (citizens, in the order they were added)
//! and the public credentials (in batches sorted by value, an order unrelated to the roll's) separately. That list
//! is what [`issue_credentials`] returns: who runs it (the credential authority's machine) can link a ballot to a
//! citizen, though not read the vote, so it should be dropped once the letters are delivered. A letter names its
//! citizen in clear but holds the credential only sealed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{anyhow, bail, ensure, Context, Result};
use publica_belenios::ballot::verify_ballot;
use publica_belenios::credential::{PrivateCredential, Uuid};
use publica_belenios::election::{sha256_b64, Election};
use publica_belenios::json::{self, Limits};
use publica_belenios::tally::{EncryptedTally, PartialDecryption};
use publica_belenios::trustee::{self, Seed, SignedMsg, Vinput};
use publica_belenios::Elem;
use publica_crypto::keystore::{self, KdfParams, KeyFile};
use publica_crypto::seal::{self, Sealed};
use publica_crypto::{Keypair, PublicKey};
use publica_elections::call::{
    ElectionsCall, PublishedCredential, MAX_CREDENTIALS_PER_CALL, MAX_ELEMENT_DIGITS, MAX_TRUSTEES,
    MAX_TRUSTEE_MESSAGE_BYTES, MAX_WEIGHT,
};
use publica_elections::schema::{ElectionRecord, CHUNK_BYTES};
use publica_tx::{Call, Transaction};
use publica_types::{Address, ChainId, Hash};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::api::{BoardEvent, BoardObject, ElectionResponse, LargeObject, ObjectChunkResponse, MAX_EVENTS_PAGE};
use crate::http::Client;
use crate::routes::Page;

/// Version of the trustee key file written and read here.
pub const TRUSTEE_KEY_VERSION: u32 = 1;
/// Version of the credential letter written and read here.
pub const LETTER_VERSION: u32 = 1;
/// Largest trustee key file or credential letter read, in bytes (real ones are a few KiB).
pub const MAX_KIT_FILE_BYTES: usize = 256 * 1024;
/// Most pages [`fetch_archive`] reads: enough for the largest board, every voter of the largest roll casting every
/// ballot their credential allows.
pub const MAX_ARCHIVE_PAGES: u64 = 2
    + (publica_elections::call::MAX_VOTERS * publica_elections::MAX_BALLOTS_PER_CREDENTIAL as u64
        + MAX_TRUSTEES as u64
        + 3)
        / MAX_EVENTS_PAGE as u64;

/// Limits of the trustees' messages and inputs as the kit parses them: those the ledger accepts.
const MESSAGE_LIMITS: Limits = Limits { max_bytes: MAX_TRUSTEE_MESSAGE_BYTES, max_depth: 8 };
/// Limits of an input of step 5, which holds every trustee's share and commitments.
const INPUT_LIMITS: Limits = Limits { max_bytes: MAX_TRUSTEE_MESSAGE_BYTES * MAX_TRUSTEES, max_depth: 8 };

// ---------------------------------------------------------------------------------------------------------------
// Files.

/// Read a JSON file of the kit (at most [`MAX_KIT_FILE_BYTES`]).
fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {what} {}", path.display()))?;
    ensure!(
        meta.len() <= MAX_KIT_FILE_BYTES as u64,
        "{what} {} has {} bytes, more than the {MAX_KIT_FILE_BYTES} a {what} can have",
        path.display(),
        meta.len()
    );
    let text = std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| format!("{} is not a {what}", path.display()))
}

/// Write `value` as pretty JSON to `path` atomically (a temporary file renamed into place), readable by its owner
/// only; missing directories are created. `may_replace` decides whether an existing file may be replaced.
fn write_json<T: Serialize>(path: &Path, value: &T, may_replace: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        may_replace(path)?;
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().ok_or_else(|| anyhow!("{} does not name a file", path.display()))?;
    let temp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let mut text = serde_json::to_vec_pretty(value).context("encoding JSON")?;
    text.push(b'\n');
    let written = (|| -> std::io::Result<()> {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(&text)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(error).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Trustees.

/// A trustee's key file, as saved: what it is for in clear, its secrets sealed.
///
/// The secrets (the Belenios seed from which the trustee's signing and encryption keys derive, its polynomial
/// after step 3, its sealed share of the decryption key after step 5) are sealed ([`publica_crypto::seal`]) to a
/// key of the file's own, `lock`, which is a key file of the project's keystore: encrypted with argon2id and
/// XChaCha20-Poly1305 under the trustee's passphrase. Updating the secrets after a step needs only the lock's
/// public key; reading them needs the passphrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteeKey {
    /// [`TRUSTEE_KEY_VERSION`].
    pub version: u32,
    /// The election's number on the ledger.
    pub election: u64,
    /// Belenios' identifier of the election.
    pub uuid: String,
    /// The trustee's number in the election, from 1.
    pub trustee: u32,
    /// The trustee's account, which signs its transactions.
    pub account: Address,
    /// The last step whose message this key made: 0 (none yet), 1, 3 or 5.
    pub step: u8,
    /// The threshold the polynomial was made for, after step 3.
    pub threshold: Option<u32>,
    /// The trustee's public share of the election key (`g^S_j`, decimal), after step 5.
    pub verification_key: Option<String>,
    /// The keystore file (argon2id, XChaCha20-Poly1305) of the key the secrets are sealed to.
    pub lock: serde_json::Value,
    /// The secrets, sealed to `lock`'s key under a context naming the election, the trustee and its account.
    pub secrets: Sealed,
}

impl TrusteeKey {
    /// Read a trustee key file.
    pub fn load(path: &Path) -> Result<TrusteeKey> {
        let key: TrusteeKey = read_json(path, "trustee key file")?;
        ensure!(
            key.version == TRUSTEE_KEY_VERSION,
            "trustee key file {} has version {}; this program reads version {TRUSTEE_KEY_VERSION}",
            path.display(),
            key.version
        );
        Ok(key)
    }

    /// Save the key file, replacing an older version of the same key (same election, trustee and lock) and
    /// refusing to replace any other file.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_json(path, self, |existing| {
            let old = TrusteeKey::load(existing).with_context(|| {
                format!("{} exists and is not a trustee key file; choose another path", existing.display())
            })?;
            ensure!(
                old.election == self.election && old.trustee == self.trustee && old.lock == self.lock,
                "{} holds another trustee key (election {}, trustee {}); it is never overwritten: choose another path",
                existing.display(),
                old.election,
                old.trustee
            );
            Ok(())
        })
    }

    fn context(&self) -> String {
        secrets_context(self.election, &self.uuid, self.trustee, &self.account)
    }
}

fn secrets_context(election: u64, uuid: &str, trustee: u32, account: &Address) -> String {
    format!("publica/trustee-key/v1\0{election}\0{uuid}\0{trustee}\0{account}")
}

/// The secret part of a trustee key, sealed in the file; wiped from memory when dropped.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrusteeSecrets {
    /// The Belenios PKI seed (22 base58 characters).
    seed: String,
    /// The trustee's polynomial as Belenios seals it to the trustee itself, after step 3.
    polynomial: Option<String>,
    /// The trustee's share of the decryption key as Belenios seals it to the trustee itself (the step-5 output's
    /// `private_key`, what belenios-tool's `.dkey` file holds), after step 5.
    decryption_key: Option<String>,
}

impl Drop for TrusteeSecrets {
    fn drop(&mut self) {
        self.seed.zeroize();
        self.polynomial.zeroize();
        self.decryption_key.zeroize();
    }
}

/// A trustee's key, opened: the public facts of its [`TrusteeKey`] and its secrets. Each step's function records
/// what it made; save the key ([`Trustee::key_file`], [`TrusteeKey::save`]) after each step, before sending the
/// message.
pub struct Trustee {
    public: TrusteeKey,
    lock: PublicKey,
    seed: Seed,
    secrets: TrusteeSecrets,
}

impl std::fmt::Debug for Trustee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Trustee(election {}, trustee {}, step {}, secrets redacted)",
            self.election(),
            self.trustee(),
            self.step()
        )
    }
}

fn parse_seed(text: &str) -> Result<Seed> {
    Seed::parse(text).map_err(|e| anyhow!("the trustee key's seed is not a Belenios seed: {e}"))
}

impl Trustee {
    /// A new trustee key for trustee `trustee` (from 1) of election `election` (Belenios uuid `uuid`), whose
    /// account is `account`: a fresh seed, and a lock encrypted under `passphrase` with `params`
    /// ([`KdfParams::DEFAULT`] for real keys).
    pub fn generate(
        election: u64,
        uuid: &str,
        trustee: u32,
        account: Address,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<Trustee> {
        Uuid::parse(uuid).map_err(|e| anyhow!("election {election}'s uuid: {e}"))?;
        ensure!(
            (1..=MAX_TRUSTEES as u32).contains(&trustee),
            "a trustee's number is 1 to {MAX_TRUSTEES}; {trustee} is not"
        );
        let lock = Keypair::generate();
        let label = format!("trustee {trustee} of election {election}");
        let file = keystore::encrypt(&lock, passphrase, &label, params).context("encrypting the trustee key")?;
        let lock_json: serde_json::Value = serde_json::from_str(&file.to_json()).expect("a key file is JSON");
        let seed = Seed::generate(&mut OsRng);
        let secrets = TrusteeSecrets { seed: seed.as_str().to_owned(), polynomial: None, decryption_key: None };
        let plain = Zeroizing::new(serde_json::to_vec(&secrets).context("encoding the trustee's secrets")?);
        let context = secrets_context(election, uuid, trustee, &account);
        let sealed = seal::seal(lock.public_key(), context.as_bytes(), &plain)?;
        let public = TrusteeKey {
            version: TRUSTEE_KEY_VERSION,
            election,
            uuid: uuid.to_owned(),
            trustee,
            account,
            step: 0,
            threshold: None,
            verification_key: None,
            lock: lock_json,
            secrets: sealed,
        };
        Ok(Trustee { public, lock: lock.public_key().clone(), seed, secrets })
    }

    /// Open a trustee key file with its passphrase.
    pub fn open(file: &TrusteeKey, passphrase: &[u8]) -> Result<Trustee> {
        ensure!(
            file.version == TRUSTEE_KEY_VERSION,
            "the trustee key has version {}; this program reads version {TRUSTEE_KEY_VERSION}",
            file.version
        );
        let lock_file = KeyFile::from_json(&file.lock.to_string()).context("the trustee key's lock")?;
        let lock = lock_file.decrypt(passphrase).context("opening the trustee key")?;
        let plain = seal::open(&lock, file.context().as_bytes(), &file.secrets)
            .context("the trustee key's secrets do not open: the file was changed")?;
        let secrets: TrusteeSecrets =
            serde_json::from_slice(&plain).context("the trustee key's secrets are not what this program writes")?;
        let seed = parse_seed(&secrets.seed)?;
        Ok(Trustee { public: file.clone(), lock: lock.public_key().clone(), seed, secrets })
    }

    /// The key file to save, with the secrets as they are now sealed again.
    pub fn key_file(&self) -> Result<TrusteeKey> {
        let plain = Zeroizing::new(serde_json::to_vec(&self.secrets).context("encoding the trustee's secrets")?);
        let mut file = self.public.clone();
        file.secrets = seal::seal(&self.lock, file.context().as_bytes(), &plain)?;
        Ok(file)
    }

    /// The election's number.
    pub fn election(&self) -> u64 {
        self.public.election
    }

    /// Belenios' uuid of the election.
    pub fn uuid(&self) -> &str {
        &self.public.uuid
    }

    /// The trustee's number, from 1.
    pub fn trustee(&self) -> u32 {
        self.public.trustee
    }

    /// The trustee's account.
    pub fn account(&self) -> Address {
        self.public.account
    }

    /// The last step whose message this key made (0, 1, 3 or 5).
    pub fn step(&self) -> u8 {
        self.public.step
    }

    /// The trustee's public share of the election key (decimal), after step 5.
    pub fn public_share(&self) -> Option<&str> {
        self.public.verification_key.as_deref()
    }

    /// Step 1: the trustee's certificate (its Belenios verification and encryption keys, signed), the message of
    /// `ElectionsCall::TrusteeMessage { step: 1 }`. The keys derive from the seed, so a certificate made again
    /// announces the same keys.
    pub fn certificate(&mut self) -> Vec<u8> {
        self.public.step = self.public.step.max(1);
        trustee::make_cert(&self.seed, &mut OsRng).to_json().to_bytes()
    }

    /// Parse the certificates of every trustee (in trustee order, as the board holds them) and check that this
    /// trustee's is made from this key.
    fn certificates(&self, certificates: &[Vec<u8>]) -> Result<Vec<SignedMsg>> {
        ensure!(
            !certificates.is_empty() && certificates.len() <= MAX_TRUSTEES,
            "an election has 1 to {MAX_TRUSTEES} trustees; {} certificates were given",
            certificates.len()
        );
        let parsed = certificates
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let json = json::parse(bytes, MESSAGE_LIMITS).map_err(|e| anyhow!("certificate {}: {e}", i + 1))?;
                SignedMsg::from_json(&json).map_err(|e| anyhow!("certificate {}: {e}", i + 1))
            })
            .collect::<Result<Vec<_>>>()?;
        let j = self.trustee() as usize;
        let own = parsed
            .get(j - 1)
            .ok_or_else(|| anyhow!("this key is trustee {j}'s, but only {} certificates were given", parsed.len()))?;
        let announced = trustee::verify_cert(own, j).map_err(|e| anyhow!("certificate {j}: {e}"))?;
        let keys = self.seed.keys();
        ensure!(
            announced.verification == keys.vk && announced.encryption == keys.ek,
            "certificate {j} on the board was not made from this key: check that this is trustee {j}'s key file of \
             election {}",
            self.election()
        );
        Ok(parsed)
    }

    /// Step 3: the trustee's polynomial for `threshold`, from every trustee's certificate (their step-1 messages,
    /// in trustee order): the message of `ElectionsCall::TrusteeMessage { step: 3 }`. Records the polynomial.
    pub fn polynomial(&mut self, certificates: &[Vec<u8>], threshold: u32) -> Result<Vec<u8>> {
        let certs = self.certificates(certificates)?;
        let polynomial = trustee::make_polynomial(&self.seed, &certs, threshold as usize, &mut OsRng)
            .map_err(|e| anyhow!("making the polynomial: {e}"))?;
        self.secrets.polynomial = Some(polynomial.polynomial.clone());
        self.public.step = 3;
        self.public.threshold = Some(threshold);
        Ok(polynomial.to_json().to_bytes())
    }

    /// Step 5: the trustee's verification key, from every certificate and the trustee's input (the JSON of
    /// `GET /v1/elections/{id}/trustees/{j}/input`, built from every polynomial): the message of
    /// `ElectionsCall::TrusteeMessage { step: 5 }`. Checks every share the others sent against their commitments,
    /// and that the input holds the polynomial this key made; records the sealed share of the decryption key.
    pub fn verification_key(&mut self, certificates: &[Vec<u8>], input: &[u8]) -> Result<Vec<u8>> {
        let certs = self.certificates(certificates)?;
        let json = json::parse(input, INPUT_LIMITS).map_err(|e| anyhow!("the trustee's input: {e}"))?;
        let vinput = Vinput::from_json(&json).map_err(|e| anyhow!("the trustee's input: {e}"))?;
        if let Some(own) = &self.secrets.polynomial {
            ensure!(
                *own == vinput.polynomial,
                "the input holds another polynomial than the one this key made at step 3: the board has another \
                 step-3 message from trustee {}",
                self.trustee()
            );
        }
        let (voutput, _share) = trustee::process_vinput(&self.seed, &certs, &vinput, &mut OsRng)
            .map_err(|e| anyhow!("checking the trustee's input: {e}"))?;
        self.secrets.decryption_key = Some(voutput.private_key.clone());
        self.public.verification_key = Some(voutput.public_key.public_key.to_decimal());
        self.public.step = 5;
        Ok(voutput.to_json().to_bytes())
    }

    /// A partial decryption of the encrypted tally (the object the board's EncryptedTally event names) with the
    /// trustee's share, for `ElectionsCall::PartialDecryption`. `election_object` is the election's Belenios
    /// object (its fingerprint is in every proof). The result is checked against the trustee's verification key
    /// before it is returned.
    pub fn partial_decryption(&self, election_object: &[u8], encrypted_tally: &[u8]) -> Result<Vec<u8>> {
        let (Some(sealed), Some(public)) = (&self.secrets.decryption_key, &self.public.verification_key) else {
            bail!(
                "this key has no share of the decryption key yet: it is made at step 5 of the key generation \
                 (this key is at step {})",
                self.step()
            );
        };
        let election = Election::parse(election_object).map_err(|e| anyhow!("the election object: {e}"))?;
        ensure!(
            election.uuid().as_str() == self.uuid(),
            "the election object is election {}'s, this key is for election {} ({})",
            election.uuid(),
            self.election(),
            self.uuid()
        );
        let public = Elem::parse_member(public, "verification key").map_err(|e| anyhow!("the trustee key: {e}"))?;
        let secret = trustee::open_decryption_key(&self.seed, sealed, &public)
            .map_err(|e| anyhow!("opening the share of the decryption key: {e}"))?;
        let tally =
            EncryptedTally::parse_questions(encrypted_tally).map_err(|e| anyhow!("the encrypted tally: {e}"))?;
        let partial = PartialDecryption::create(&tally, &secret, election.fingerprint(), &mut OsRng);
        partial
            .verify(&tally, &public, election.fingerprint(), self.trustee() as usize)
            .map_err(|e| anyhow!("the partial decryption made does not verify: {e}"))?;
        Ok(partial.to_bytes())
    }
}

/// Every trustee's certificate (step 1) of election `id` with `trustees` trustees, from the node, in trustee order.
pub fn fetch_certificates(client: &Client, id: u64, trustees: u32) -> Result<Vec<Vec<u8>>> {
    ensure!(trustees as usize <= MAX_TRUSTEES, "an election has at most {MAX_TRUSTEES} trustees");
    (1..=trustees)
        .map(|j| {
            let answer = client.trustee_message(id, j, 1).with_context(|| format!("trustee {j}'s certificate"))?;
            ensure!(
                (answer.election, answer.trustee, answer.step) == (id, j, 1),
                "the node answered with election {}'s trustee {} step {} for trustee {j}'s certificate",
                answer.election,
                answer.trustee,
                answer.step
            );
            Ok(answer.message)
        })
        .collect()
}

/// Trustee `trustee`'s input for step 5 of election `id`, from the node.
pub fn fetch_trustee_input(client: &Client, id: u64, trustee: u32) -> Result<Vec<u8>> {
    let answer = client.trustee_input(id, trustee)?;
    ensure!(
        (answer.election, answer.trustee) == (id, trustee),
        "the node answered with election {}'s trustee {} input",
        answer.election,
        answer.trustee
    );
    Ok(answer.input)
}

/// The encrypted tally of a closed election `id`: the object its record's `tally_hash` names, read from the last
/// events of the board and checked by its hash.
pub fn fetch_encrypted_tally(client: &Client, id: u64) -> Result<Vec<u8>> {
    let first = client.election_events(id, Page { from: Some(0), limit: Some(1) })?;
    let record = first.election;
    let tally = record
        .tally_hash
        .ok_or_else(|| anyhow!("election {id} is not closed ({:?}): it has no encrypted tally yet", record.status))?;
    // After the tally come at most one partial decryption per trustee and the result.
    let from = record.events.saturating_sub(MAX_TRUSTEES as u64 + 3);
    let page = client.election_events(id, Page { from: Some(from), limit: Some(MAX_EVENTS_PAGE) })?;
    page.objects
        .into_iter()
        .find(|o| o.hash == tally && publica_types::sha256(&o.bytes) == tally)
        .map(|o| o.bytes)
        .ok_or_else(|| anyhow!("the node's last events of election {id} do not carry its encrypted tally"))
}

// ---------------------------------------------------------------------------------------------------------------
// The credential authority.

/// One voter's credential, as the credential authority issues it. Only the credential authority's machine holds
/// these: `voter` next to `public` is the link the ledger never sees.
#[derive(Clone, Debug)]
pub struct IssuedCredential {
    /// The citizen's account.
    pub voter: Address,
    /// The credential's weight (1 for one person, one vote).
    pub weight: u64,
    /// The private credential (`XXX-XXX-XXX-XXX-XXX`), wiped from memory when dropped.
    pub private: PrivateCredential,
    /// The public credential `g^s` in decimal, as `PublishCredentials` takes it.
    pub public: String,
}

/// One private credential per voter of the election `uuid`, with its public form and weight. Refuses a voter named
/// twice and a weight of 0.
pub fn issue_credentials(uuid: &str, voters: &[(Address, u64)]) -> Result<Vec<IssuedCredential>> {
    let uuid = Uuid::parse(uuid).map_err(|e| anyhow!("the election's uuid: {e}"))?;
    let mut seen = BTreeSet::new();
    let mut publics = BTreeSet::new();
    voters
        .iter()
        .map(|&(voter, weight)| {
            ensure!(seen.insert(voter), "{voter} is named twice; a voter has one credential");
            ensure!(
                (1..=publica_elections::call::MAX_WEIGHT).contains(&weight),
                "{voter}'s weight is {weight}; a weight is 1 to {}",
                publica_elections::call::MAX_WEIGHT
            );
            let private = PrivateCredential::generate(&mut OsRng);
            let public = private.public(&uuid).to_decimal();
            // Two equal credentials would mean a broken random number generator: stop rather than publish them.
            ensure!(
                publics.insert(public.clone()),
                "two credentials came out equal: the system's randomness is broken"
            );
            Ok(IssuedCredential { voter, weight, private, public })
        })
        .collect()
}

/// The public credentials in `PublishCredentials` batches of at most [`MAX_CREDENTIALS_PER_CALL`], sorted by value
/// (numerically): the order of the roll is public, so the batches must not follow it.
pub fn credential_batches(issued: &[IssuedCredential]) -> Vec<Vec<PublishedCredential>> {
    let mut all: Vec<PublishedCredential> =
        issued.iter().map(|c| PublishedCredential { credential: c.public.clone(), weight: c.weight }).collect();
    all.sort_by(|a, b| (a.credential.len(), &a.credential).cmp(&(b.credential.len(), &b.credential)));
    all.chunks(MAX_CREDENTIALS_PER_CALL).map(<[PublishedCredential]>::to_vec).collect()
}

/// The calls that publish `issued` for election `election`, then seal them (the last call).
pub fn credential_calls(election: u64, issued: &[IssuedCredential]) -> Vec<ElectionsCall> {
    credential_batches(issued)
        .into_iter()
        .map(|credentials| ElectionsCall::PublishCredentials { election, credentials })
        .chain(std::iter::once(ElectionsCall::SealCredentials { election }))
        .collect()
}

/// A private credential on its way to its citizen: who it is for and from in clear, the credential sealed to the
/// citizen's account key under a context naming the chain, the election, the citizen and the authority, so it
/// opens for nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialLetter {
    /// [`LETTER_VERSION`].
    pub version: u32,
    /// The chain the election is on.
    pub chain_id: ChainId,
    /// The election's number.
    pub election: u64,
    /// Belenios' identifier of the election (the private credential's public form depends on it).
    pub uuid: String,
    /// The citizen it is for.
    pub voter: Address,
    /// The credential authority that issued it.
    pub authority: Address,
    /// The credential's weight.
    pub weight: u64,
    /// The private credential, sealed to the citizen's key.
    pub credential: Sealed,
}

fn letter_context(chain_id: &ChainId, election: u64, uuid: &str, voter: &Address, authority: &Address) -> String {
    format!("publica/credential-letter/v1\0{chain_id}\0{election}\0{uuid}\0{voter}\0{authority}")
}

impl CredentialLetter {
    /// The letter of `issued` for the citizen whose account key is `voter_key`, from `authority`.
    pub fn new(
        chain_id: &ChainId,
        election: u64,
        uuid: &str,
        authority: Address,
        issued: &IssuedCredential,
        voter_key: &PublicKey,
    ) -> Result<CredentialLetter> {
        ensure!(
            voter_key.address() == issued.voter,
            "the key given is {}'s, the credential is for {}",
            voter_key.address(),
            issued.voter
        );
        let context = letter_context(chain_id, election, uuid, &issued.voter, &authority);
        let credential = seal::seal(voter_key, context.as_bytes(), issued.private.as_str().as_bytes())?;
        Ok(CredentialLetter {
            version: LETTER_VERSION,
            chain_id: chain_id.clone(),
            election,
            uuid: uuid.to_owned(),
            voter: issued.voter,
            authority,
            weight: issued.weight,
            credential,
        })
    }

    /// Read a letter.
    pub fn load(path: &Path) -> Result<CredentialLetter> {
        let letter: CredentialLetter = read_json(path, "credential letter")?;
        ensure!(
            letter.version == LETTER_VERSION,
            "credential letter {} has version {}; this program reads version {LETTER_VERSION}",
            path.display(),
            letter.version
        );
        Ok(letter)
    }

    /// Save the letter; an existing file is never replaced (a second letter would hold another credential).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_json(path, self, |existing| {
            bail!("{} already exists; a credential letter is never overwritten", existing.display())
        })
    }
}

/// Open a letter with the citizen's key pair: the private credential, checked (its form and checksum).
pub fn open_letter(keypair: &Keypair, letter: &CredentialLetter) -> Result<PrivateCredential> {
    ensure!(
        keypair.address() == letter.voter,
        "the letter is for {}; the key given is {}'s",
        letter.voter,
        keypair.address()
    );
    let context = letter_context(&letter.chain_id, letter.election, &letter.uuid, &letter.voter, &letter.authority);
    let plain = seal::open(keypair, context.as_bytes(), &letter.credential).context("opening the credential letter")?;
    let text = std::str::from_utf8(&plain).map_err(|_| anyhow!("the letter's credential is not text"))?;
    PrivateCredential::parse(text).map_err(|e| anyhow!("the letter's credential: {e}"))
}

/// The public form (decimal) of `credential` in the election `uuid`: what the board lists and
/// `GET /v1/elections/{id}/credentials/{credential}` finds.
pub fn public_credential(credential: &PrivateCredential, uuid: &str) -> Result<String> {
    let uuid = Uuid::parse(uuid).map_err(|e| anyhow!("the election's uuid: {e}"))?;
    Ok(credential.public(&uuid).to_decimal())
}

// ---------------------------------------------------------------------------------------------------------------
// Voters.

/// A voter's choice on one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// A blank vote, where the question allows one.
    Blank,
    /// The chosen answers, numbered from 1 in the question's order (none: a vote for no answer, where the
    /// question's minimum is 0).
    Answers(Vec<u32>),
}

impl std::str::FromStr for Choice {
    type Err = anyhow::Error;

    /// `blank`, or answer numbers from 1 separated by commas (`1`, `1,3`); an empty string chooses no answer.
    fn from_str(text: &str) -> Result<Choice> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("blank") {
            return Ok(Choice::Blank);
        }
        if text.is_empty() {
            return Ok(Choice::Answers(Vec::new()));
        }
        text.split(',')
            .map(|n| {
                n.trim()
                    .parse::<u32>()
                    .map_err(|_| anyhow!("{n:?} is not an answer number: give numbers from 1, or blank"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Choice::Answers)
    }
}

/// The 0/1 values of a ballot for `choices` (one per question): one per answer, after the blank flag where the
/// question allows a blank vote.
fn choice_values(election: &Election, choices: &[Choice]) -> Result<Vec<Vec<u32>>> {
    let questions = election.questions();
    ensure!(
        choices.len() == questions.len(),
        "the election has {} question(s); {} choice(s) were given",
        questions.len(),
        choices.len()
    );
    questions
        .iter()
        .zip(choices)
        .enumerate()
        .map(|(i, (q, choice))| {
            let n = i + 1;
            let blank = q.blank_allowed();
            let mut values = vec![0u32; q.slots()];
            let offset = usize::from(blank);
            match choice {
                Choice::Blank => {
                    ensure!(blank, "question {n} does not allow a blank vote");
                    values[0] = 1;
                }
                Choice::Answers(answers) => {
                    let mut seen = BTreeSet::new();
                    for &a in answers {
                        ensure!(
                            (1..=q.answers.len() as u32).contains(&a),
                            "question {n} has answers 1 to {}; {a} is not one",
                            q.answers.len()
                        );
                        ensure!(seen.insert(a), "question {n}: answer {a} is chosen twice");
                        values[offset + a as usize - 1] = 1;
                    }
                    let count = answers.len() as u32;
                    ensure!(
                        (q.min..=q.max).contains(&count),
                        "question {n} takes {} to {} answers; {count} were chosen{}",
                        q.min,
                        q.max,
                        if blank { " (or blank)" } else { "" }
                    );
                }
            }
            Ok(values)
        })
        .collect()
}

/// A ballot, ready to cast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// Its exact bytes (canonical JSON), the `ballot` of `ElectionsCall::Cast`.
    pub bytes: Vec<u8>,
    /// Its SHA-256: the receipt, which `GET /v1/elections/{id}/ballots/{hash}` finds on the board.
    pub hash: Hash,
    /// Belenios' smart ballot tracker: the SHA-256 in unpadded base64, as belenios-tool shows it.
    pub tracker: String,
}

impl Ballot {
    /// The receipt in hex, as the API names ballots.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }
}

/// The election object of an answer of `GET /v1/elections/{id}`, checked against the hash its proven record holds.
pub fn election_object(answer: &ElectionResponse) -> Result<&[u8]> {
    let id = answer.election.id;
    let (Some(bytes), Some(hash)) = (&answer.election_object, answer.election.election_hash) else {
        bail!(
            "election {id} has no election object yet: its trustees have not made its key ({:?})",
            answer.election.status
        );
    };
    ensure!(
        publica_types::sha256(bytes) == hash,
        "the node's election object of election {id} is not the one its record names (SHA-256 {})",
        hex::encode(hash)
    );
    Ok(bytes)
}

/// Build a ballot for the election whose Belenios object is `election_object`, with `credential` and one
/// [`Choice`] per question. The ballot is verified as the ledger will verify it before it is returned.
pub fn build_ballot(election_object: &[u8], credential: &PrivateCredential, choices: &[Choice]) -> Result<Ballot> {
    let election = Election::parse(election_object).map_err(|e| anyhow!("the election object: {e}"))?;
    let values = choice_values(&election, choices)?;
    let bytes = publica_belenios::ballot::build_ballot(&election, credential, &values, &mut OsRng)
        .map_err(|e| anyhow!("building the ballot: {e}"))?;
    let verified = verify_ballot(&election, &bytes).map_err(|e| anyhow!("the ballot built does not verify: {e}"))?;
    let hash = publica_types::sha256(&bytes);
    debug_assert_eq!(verified.tracker, hash);
    Ok(Ballot { hash, tracker: sha256_b64(&bytes), bytes })
}

/// The transaction that casts `ballot` in election `election`: anonymous (its credential's signature inside the
/// ballot authenticates it), expiring at `expires_at_ms`.
pub fn cast_transaction(chain_id: ChainId, expires_at_ms: u64, election: u64, ballot: &Ballot) -> Transaction {
    Transaction::anonymous(
        chain_id,
        expires_at_ms,
        Call::Elections(ElectionsCall::Cast { election, ballot: ballot.bytes.clone() }),
    )
}

// ---------------------------------------------------------------------------------------------------------------
// The archive.

/// Largest object of a board other than the public credentials that [`fetch_archive`] accepts: a trustees object
/// is made of every trustee's messages of the three steps (each at most [`MAX_TRUSTEE_MESSAGE_BYTES`]), each byte
/// written at most twice once quoted; the module keeps every other object smaller (a ballot or a partial
/// decryption at most 96 KiB, the election object and the encrypted tally under 1 MiB).
pub const MAX_BOARD_OBJECT_BYTES: u64 = 2 * 3 * MAX_TRUSTEES as u64 * MAX_TRUSTEE_MESSAGE_BYTES as u64;
/// Longest entry of the public credentials object: a credential of [`MAX_ELEMENT_DIGITS`] digits, a comma and a
/// weight of at most [`MAX_WEIGHT`], quoted, and the comma after it.
const MAX_CREDENTIAL_ENTRY_BYTES: u64 = MAX_ELEMENT_DIGITS as u64 + 1 + (MAX_WEIGHT.ilog10() as u64 + 1) + 3;

/// The most bytes object `hash` of `record`'s board can have: for the public credentials object, what the
/// credentials the record counts take; for any other, [`MAX_BOARD_OBJECT_BYTES`].
pub fn board_object_bytes_max(record: &ElectionRecord, hash: &Hash) -> u64 {
    if record.credentials_hash == Some(*hash) {
        2 + record.credentials_count.saturating_mul(MAX_CREDENTIAL_ENTRY_BYTES)
    } else {
        MAX_BOARD_OBJECT_BYTES
    }
}

/// An object of `record`'s board that a page lists as too large to carry, read one stored chunk at a time with
/// `chunk` (`GET /v1/elections/{id}/objects/{hash}/chunks/{index}`, [`Client::election_object_chunk`]) and
/// checked: its length within what the record implies ([`board_object_bytes_max`]) and stored in as many chunks
/// as that length takes, every chunk of the object asked for and of the length its place gives it, and the
/// whole hashing to the object's name.
pub fn fetch_large_object(
    record: &ElectionRecord,
    object: &LargeObject,
    mut chunk: impl FnMut(u32) -> Result<ObjectChunkResponse>,
) -> Result<BoardObject> {
    let (id, name, len) = (record.id, hex::encode(object.hash), object.len);
    let max = board_object_bytes_max(record, &object.hash);
    ensure!(len <= max, "object {name} of election {id} is said to have {len} bytes; its record allows at most {max}");
    let chunks = len.div_ceil(CHUNK_BYTES as u64).max(1);
    ensure!(
        u64::from(object.chunks) == chunks,
        "object {name} of election {id} is said to have {len} bytes in {} chunks; {len} bytes take {chunks}",
        object.chunks
    );
    let mut bytes = Vec::with_capacity(len as usize);
    for index in 0..object.chunks {
        let got = chunk(index).with_context(|| format!("reading chunk {index} of object {name} of election {id}"))?;
        let expected = (len - bytes.len() as u64).min(CHUNK_BYTES as u64);
        ensure!(
            (got.election, got.hash, got.index, got.len, got.chunks) == (id, object.hash, index, len, object.chunks)
                && got.bytes.len() as u64 == expected,
            "the node's chunk {index} of object {name} of election {id} is not the one asked for ({} bytes of chunk \
             {} of {} of an object of {} bytes, expected {expected} bytes of chunk {index} of {} of {len} bytes)",
            got.bytes.len(),
            got.index,
            got.chunks,
            got.len,
            object.chunks
        );
        bytes.extend_from_slice(&got.bytes);
    }
    let hash = publica_types::sha256(&bytes);
    let got = hex::encode(hash);
    ensure!(hash == object.hash, "object {name} of election {id}, put together from its chunks, hashes to {got}");
    Ok(BoardObject { hash, bytes })
}

/// The election's Belenios archive (`.bel`), read from the node page by page (and the objects too large for a page
/// chunk by chunk, [`fetch_large_object`]), checked and assembled as [`assemble_archive`] does against the record
/// of the first page.
pub fn fetch_archive(client: &Client, id: u64) -> Result<Vec<u8>> {
    let mut events: Vec<BoardEvent> = Vec::new();
    let mut objects: Vec<BoardObject> = Vec::new();
    let mut fetched: BTreeSet<Hash> = BTreeSet::new();
    let mut record: Option<ElectionRecord> = None;
    for _ in 0..MAX_ARCHIVE_PAGES {
        let from = events.len() as u64;
        let page = client
            .election_events(id, Page { from: Some(from), limit: Some(MAX_EVENTS_PAGE) })
            .with_context(|| format!("reading election {id}'s board from event {from}"))?;
        let record = record.get_or_insert(page.election);
        let got = page.events.len();
        events.extend(page.events);
        objects.extend(page.objects);
        for large in page.large_objects {
            if fetched.insert(large.hash) {
                objects.push(fetch_large_object(record, &large, |index| {
                    client.election_object_chunk(id, &large.hash, index)
                })?);
            }
        }
        if events.len() as u64 >= record.events {
            events.truncate(record.events as usize);
            return assemble_archive(record, &events, &objects);
        }
        ensure!(
            got > 0,
            "the node gave no events of election {id} from {from}, while its record counts {}",
            record.events
        );
    }
    bail!("election {id}'s board did not end within {MAX_ARCHIVE_PAGES} pages")
}

/// The archive of `record`'s board from its `events` (all of them, from height 0) and the `objects` they name:
/// every event must be at its height, hash to its name and have the previous event's hash as its parent, and the
/// last must be the record's head, with as many events as the record counts; every object must hash to its name.
pub fn assemble_archive(record: &ElectionRecord, events: &[BoardEvent], objects: &[BoardObject]) -> Result<Vec<u8>> {
    let id = record.id;
    ensure!(
        events.len() as u64 == record.events,
        "election {id}'s record counts {} events on its board; {} were given",
        record.events,
        events.len()
    );
    let mut parent: Option<Hash> = None;
    for (height, event) in events.iter().enumerate() {
        let height = height as u64;
        ensure!(event.height == height, "the event at height {height} of election {id} says height {}", event.height);
        let hash = publica_types::sha256(&event.bytes);
        ensure!(
            hash == event.hash,
            "event {height} of election {id} does not hash to its name {} (it hashes to {})",
            hex::encode(event.hash),
            hex::encode(hash)
        );
        let json: serde_json::Value = serde_json::from_slice(&event.bytes)
            .with_context(|| format!("event {height} of election {id} is not JSON"))?;
        let says_parent = json.get("parent").and_then(|p| p.as_str()).map(str::to_owned);
        let expected = parent.map(hex::encode);
        ensure!(
            says_parent == expected,
            "event {height} of election {id} names parent {}, the previous event is {}",
            says_parent.as_deref().unwrap_or("none"),
            expected.as_deref().unwrap_or("none (it is the first)")
        );
        ensure!(
            json.get("height").and_then(|h| h.as_u64()) == Some(height),
            "event {height} of election {id} does not say height {height}"
        );
        parent = Some(hash);
    }
    ensure!(
        parent == record.head,
        "election {id}'s board ends at {}, its proven record's head is {}",
        parent.map(hex::encode).as_deref().unwrap_or("nothing"),
        record.head.map(hex::encode).as_deref().unwrap_or("nothing")
    );
    let mut by_hash: BTreeMap<Hash, &[u8]> = BTreeMap::new();
    for object in objects {
        let hash = publica_types::sha256(&object.bytes);
        ensure!(
            hash == object.hash,
            "an object of election {id}'s board named {} hashes to {}",
            hex::encode(object.hash),
            hex::encode(hash)
        );
        by_hash.insert(hash, &object.bytes);
    }
    let bytes: Vec<Vec<u8>> = events.iter().map(|e| e.bytes.clone()).collect();
    publica_elections::board::archive(record.created_at_ms / 1000, &bytes, |h| by_hash.get(h).map(|b| b.to_vec()))
        .map_err(|e| anyhow!("writing election {id}'s archive: {e}"))
}
