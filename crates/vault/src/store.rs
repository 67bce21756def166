//! The vault's store: a fjall database in `HOME/store`, one keyspace per kind of entry, every value borsh. Every
//! write is one atomic batch, synced to the disk (`fdatasync`) before the call returns, so what the vault tells the
//! ledger or a client is on disk first.
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `records` | commitment (32 bytes) | [`StoredRecord`]: category, number of fields, times, the record's number once known, the wrapped data key and the encrypted content (owner, category, names, salts, values) |
//! | `ids` | record number (u64 big-endian) | commitment |
//! | `unregistered` | commitment | ingest time (u64 big-endian): records whose number is not known yet |
//! | `releases` | access number (u64 big-endian) | [`StoredRelease`]: the sealed release's bytes (borsh), SHA-256 and length, and whether `fulfil_access` is committed |
//! | `record_releases` | record number, access number (u64 big-endian each) | empty: the releases of a record, to erase with it |
//! | `unfulfilled` | access number | empty: releases stored whose `fulfil_access` is not committed |
//! | `erased` | record number | [`ErasedRecord`]: when, on whose order, the statement and its hash, the tombstone's transaction |
//! | `unrecorded` | record number | empty: erasures whose tombstone is not committed yet |
//! | `meta` | `identity`, `cursor` | the agency and chain the store belongs to; the [`QueueCursor`] |
//!
//! The category is kept in clear beside the ciphertext, so that retention rules (by category) are applied without
//! decrypting every record; the ledger names it too. The owner is only inside the ciphertext.
//!
//! # Erasure, and what it guarantees
//!
//! Erasing a record ([`Store::shred`]) deletes, in one synced batch, its entry (the wrapped data key and the
//! ciphertext: crypto-shredding), its number's index, its stored releases' sealed bytes, and writes the fact of
//! the erasure. From then on the vault cannot decrypt the record, serves none of its releases, and says so.
//!
//! fjall is a log-structured merge tree: a deletion writes a tombstone, and the deleted bytes stay in the files
//! until they are rewritten. After an erasure the store flushes every keyspace's memory table to disk (so the
//! write-ahead journal holding the old bytes can be retired) and runs a major compaction of the `records` and
//! `releases` keyspaces, which rewrites their tables without the deleted values. That is the most the store can
//! do, and it does **not** guarantee that the old bytes are physically gone: journal files are removed only once
//! fjall retires them, a compaction keeps values an open snapshot still needs, copy-on-write file systems and
//! snapshots keep old blocks, and an SSD's wear levelling keeps freed pages until it erases them. Copies of the
//! store or of the key-encryption key taken before the erasure (backups, replicas, disk images) are out of the
//! vault's reach entirely. What does reach them: rotating the key-encryption key (re-wrapping the data keys of the
//! records still held under a new key, then destroying the old key file and its backups) makes every leftover
//! wrapped key of an erased record unreadable, wherever its bytes survived.

use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use publica_crypto::envelope::{Sealed, WrappedKey};
use publica_data::call::ErasureOrder;
use publica_types::{AgencyId, ChainId, Hash, TxId};

use crate::error::VaultError;

/// Largest stored value decoded: a record entry of the largest record, or a sealed release.
const MAX_VALUE_BYTES: usize = 17 * 1024 * 1024;
/// Most entries one scan of a work list returns (the rest on the next pass).
pub const MAX_SCAN: usize = 1024;
/// Largest count the status reports exactly (see [`Store::counts`]).
pub const MAX_STATUS_COUNT: usize = 10_000;

const IDENTITY_KEY: &[u8] = b"identity";
const CURSOR_KEY: &[u8] = b"cursor";

/// A record as the store keeps it (key: its commitment).
#[derive(Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StoredRecord {
    /// Its category (in clear, for retention; the ledger names it too).
    pub category: String,
    /// How many fields it has.
    pub fields: u16,
    /// When the vault took it in, by its clock, Unix milliseconds.
    pub ingested_at_ms: u64,
    /// Its number on the ledger, once known.
    pub id: Option<u64>,
    /// Its registration's block time, once read from the ledger.
    pub registered_at_ms: Option<u64>,
    /// The last `register_record` transaction submitted for it.
    pub register_tx: Option<TxId>,
    /// Its data key, wrapped by the vault's key-encryption key.
    pub wrapped_key: WrappedKey,
    /// Its content, encrypted under its data key.
    pub sealed: Sealed,
}

impl std::fmt::Debug for StoredRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredRecord")
            .field("category", &self.category)
            .field("fields", &self.fields)
            .field("id", &self.id)
            .field("registered_at_ms", &self.registered_at_ms)
            .field("sealed", &self.sealed)
            .finish_non_exhaustive()
    }
}

/// Where a stored release stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ReleaseState {
    /// Sealed and stored; `fulfil_access` not committed yet (`tx`: the last one submitted).
    Stored {
        /// The last `fulfil_access` transaction submitted.
        tx: Option<TxId>,
    },
    /// `fulfil_access` is committed and the ledger records this release: it is served.
    Served {
        /// The committing transaction, when known.
        tx: Option<TxId>,
    },
    /// Never to be served: the access lapsed or was declined, or the record was erased. The sealed bytes are gone.
    Withdrawn {
        /// Why, as a machine name (`record_erased`, `lapsed`, …).
        reason: String,
        /// When, by the vault's clock.
        at_ms: u64,
    },
}

/// A release as the store keeps it (key: its access's number).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StoredRelease {
    /// The record released.
    pub record: u64,
    /// SHA-256 of the sealed release's borsh bytes, as reported to the ledger.
    pub sha256: Hash,
    /// Their length.
    pub bytes: u64,
    /// The sealed release's borsh bytes; `None` once withdrawn.
    pub sealed: Option<Vec<u8>>,
    /// Where it stands.
    pub state: ReleaseState,
}

/// The fact of a record's erasure (key: its number).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ErasedRecord {
    /// Its commitment (which stays on the ledger).
    pub commitment: Hash,
    /// On whose order.
    pub order: ErasureOrder,
    /// When the vault destroyed the data key and ciphertext, by its clock.
    pub erased_at_ms: u64,
    /// The vault's statement of what it destroyed (JSON text).
    pub statement: String,
    /// SHA-256 of the statement, as `record_erasure` reports it.
    pub statement_sha256: Hash,
    /// The last `record_erasure` transaction submitted.
    pub tx: Option<TxId>,
    /// Whether the tombstone is committed on the ledger.
    pub recorded: bool,
}

/// Where the vault stands in its queue (for its status).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct QueueCursor {
    /// The last access the vault answered.
    pub last_access: Option<u64>,
    /// The height of the last queue reading processed.
    pub height: Option<u64>,
    /// When the queue was last read, by the vault's clock.
    pub read_at_ms: Option<u64>,
    /// Pending accesses at that reading.
    pub pending_accesses: u64,
    /// Erasures ordered at that reading.
    pub pending_erasures: u64,
}

/// The agency and chain a store belongs to.
#[derive(BorshSerialize, BorshDeserialize)]
struct Identity {
    agency: String,
    chain_id: String,
}

/// The vault's open store.
pub struct Store {
    path: PathBuf,
    db: Database,
    records: Keyspace,
    ids: Keyspace,
    unregistered: Keyspace,
    releases: Keyspace,
    record_releases: Keyspace,
    unfulfilled: Keyspace,
    erased: Keyspace,
    unrecorded: Keyspace,
    meta: Keyspace,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn decode<T: BorshDeserialize>(what: &str, bytes: &[u8]) -> Result<T, VaultError> {
    if bytes.len() > MAX_VALUE_BYTES {
        return Err(VaultError::Corrupt(format!(
            "a stored {what} has {} bytes, more than any the vault writes",
            bytes.len()
        )));
    }
    borsh::from_slice(bytes).map_err(|e| VaultError::Corrupt(format!("a stored {what} does not decode: {e}")))
}

fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).expect("an in-memory value encodes")
}

fn number(what: &str, key: &[u8]) -> Result<u64, VaultError> {
    let bytes: [u8; 8] =
        key.try_into().map_err(|_| VaultError::Corrupt(format!("a {what} key has {} bytes, not 8", key.len())))?;
    Ok(u64::from_be_bytes(bytes))
}

fn hash(what: &str, bytes: &[u8]) -> Result<Hash, VaultError> {
    bytes.try_into().map_err(|_| VaultError::Corrupt(format!("a stored {what} has {} bytes, not 32", bytes.len())))
}

impl Store {
    /// Open (or create) the store in `path`, for `agency` on `chain_id`: a store made for another agency or chain is
    /// refused ([`Store::claim`]), and so is one another process has open.
    pub fn open(path: &Path, agency: &AgencyId, chain_id: &ChainId) -> Result<Store, VaultError> {
        let store = Store::open_unclaimed(path)?;
        store.claim(agency, chain_id)?;
        Ok(store)
    }

    /// Open (or create) the store in `path` without saying whose it is yet (see [`Store::identity`] and
    /// [`Store::claim`]).
    pub fn open_unclaimed(path: &Path) -> Result<Store, VaultError> {
        std::fs::create_dir_all(path).map_err(|e| VaultError::io(path, e))?;
        let db = Database::builder(path).open().map_err(|e| match e {
            fjall::Error::Locked => VaultError::Locked { path: path.to_owned() },
            e => VaultError::Store(format!("opening {}: {e}", path.display())),
        })?;
        let ks = |name: &str| db.keyspace(name, KeyspaceCreateOptions::default);
        Ok(Store {
            records: ks("records")?,
            ids: ks("ids")?,
            unregistered: ks("unregistered")?,
            releases: ks("releases")?,
            record_releases: ks("record_releases")?,
            unfulfilled: ks("unfulfilled")?,
            erased: ks("erased")?,
            unrecorded: ks("unrecorded")?,
            meta: ks("meta")?,
            path: path.to_owned(),
            db,
        })
    }

    /// The agency and chain the store belongs to (their ids' text), once claimed.
    pub fn identity(&self) -> Result<Option<(String, String)>, VaultError> {
        let Some(bytes) = self.meta.get(IDENTITY_KEY)? else { return Ok(None) };
        let Identity { agency, chain_id } = decode("identity", &bytes)?;
        Ok(Some((agency, chain_id)))
    }

    /// Make the store `agency`'s on `chain_id`, or check that it is: a store holding another agency's or another
    /// chain's records is refused.
    pub fn claim(&self, agency: &AgencyId, chain_id: &ChainId) -> Result<(), VaultError> {
        let expected = Identity { agency: agency.as_str().to_owned(), chain_id: chain_id.as_str().to_owned() };
        match self.identity()? {
            None => {
                let mut batch = self.batch();
                batch.insert(&self.meta, IDENTITY_KEY, encode(&expected));
                batch.commit()?;
                Ok(())
            }
            Some((found_agency, found_chain)) => {
                if found_agency != expected.agency || found_chain != expected.chain_id {
                    return Err(VaultError::Config(format!(
                        "the store {} holds the records of agency {found_agency} on chain {found_chain}, not of {} on \
                         {}: give this vault its own home directory",
                        self.path.display(),
                        expected.agency,
                        expected.chain_id
                    )));
                }
                Ok(())
            }
        }
    }

    fn batch(&self) -> fjall::OwnedWriteBatch {
        self.db.batch().durability(Some(PersistMode::SyncData))
    }

    // --- Records ------------------------------------------------------------------------------------------------

    /// Store a new record under its commitment, as not yet registered. A commitment already stored is refused (it
    /// names the same content with the same salts: it cannot happen for a record made with fresh salts).
    pub fn put_record(&self, commitment: &Hash, record: &StoredRecord) -> Result<(), VaultError> {
        if self.records.contains_key(commitment)? {
            return Err(VaultError::Internal(format!("the store already holds record {}", hex::encode(commitment))));
        }
        let mut batch = self.batch();
        batch.insert(&self.records, commitment.as_slice(), encode(record));
        if record.id.is_none() {
            batch.insert(&self.unregistered, commitment.as_slice(), be(record.ingested_at_ms).as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    /// The record stored under `commitment`.
    pub fn record(&self, commitment: &Hash) -> Result<Option<StoredRecord>, VaultError> {
        self.records.get(commitment)?.map(|bytes| decode("record", &bytes)).transpose()
    }

    /// The commitment of record number `id`, if the vault holds it.
    pub fn commitment_of(&self, id: u64) -> Result<Option<Hash>, VaultError> {
        self.ids.get(be(id))?.map(|bytes| hash("commitment", &bytes)).transpose()
    }

    /// Record the `register_record` transaction submitted for a record.
    pub fn set_register_tx(&self, commitment: &Hash, tx: TxId) -> Result<(), VaultError> {
        let Some(mut record) = self.record(commitment)? else { return Ok(()) };
        record.register_tx = Some(tx);
        let mut batch = self.batch();
        batch.insert(&self.records, commitment.as_slice(), encode(&record));
        batch.commit()?;
        Ok(())
    }

    /// Record that the record stored under `commitment` is number `id` on the ledger (registered at
    /// `registered_at_ms` when known). Refused when the number is already another record's.
    pub fn set_registered(&self, commitment: &Hash, id: u64, registered_at_ms: Option<u64>) -> Result<(), VaultError> {
        let Some(mut record) = self.record(commitment)? else {
            return Err(VaultError::NotFound(format!("the vault holds no record {}", hex::encode(commitment))));
        };
        if let Some(other) = self.commitment_of(id)?.filter(|other| other != commitment) {
            return Err(VaultError::Corrupt(format!(
                "record number {id} is already stored for commitment {}, not {}",
                hex::encode(other),
                hex::encode(commitment)
            )));
        }
        record.id = Some(id);
        record.registered_at_ms = registered_at_ms.or(record.registered_at_ms);
        let mut batch = self.batch();
        batch.insert(&self.records, commitment.as_slice(), encode(&record));
        batch.insert(&self.ids, be(id).as_slice(), commitment.as_slice());
        batch.remove(&self.unregistered, commitment.as_slice());
        batch.commit()?;
        Ok(())
    }

    /// The records whose number is not known yet, in commitment order (at most [`MAX_SCAN`]), with
    /// their ingest times.
    pub fn unregistered(&self) -> Result<Vec<(Hash, u64)>, VaultError> {
        let mut found = Vec::new();
        for item in self.unregistered.iter().take(MAX_SCAN) {
            let (key, value) = item.into_inner()?;
            found.push((hash("commitment", &key)?, number("ingest time", &value)?));
        }
        Ok(found)
    }

    /// Every record held with a number (for retention): `(commitment, record)`, calling `each` until it returns
    /// false.
    pub fn for_each_record(&self, mut each: impl FnMut(Hash, StoredRecord) -> bool) -> Result<(), VaultError> {
        for item in self.records.iter() {
            let (key, value) = item.into_inner()?;
            if !each(hash("commitment", &key)?, decode("record", &value)?) {
                break;
            }
        }
        Ok(())
    }

    /// Delete a record that never reached the ledger (its registration was refused): its entry goes, wrapped key
    /// and ciphertext with it, as in an erasure, but no fact of erasure is kept (there is no tombstone to name).
    pub fn discard_unregistered(&self, commitment: &Hash) -> Result<(), VaultError> {
        let mut batch = self.batch();
        batch.remove(&self.records, commitment.as_slice());
        batch.remove(&self.unregistered, commitment.as_slice());
        batch.commit()?;
        self.compact();
        Ok(())
    }

    // --- Erasure ------------------------------------------------------------------------------------------------

    /// Erase record number `id`: delete its entry (wrapped data key and ciphertext) and its index, withdraw its
    /// releases (their sealed bytes deleted), and keep `erased` as the fact, in one synced batch; then flush and
    /// compact (see the module's documentation for what that does and does not guarantee). Returns the accesses
    /// whose releases were withdrawn. Erasing a record already erased changes nothing and returns none.
    pub fn shred(&self, id: u64, erased: &ErasedRecord, now_ms: u64) -> Result<Vec<u64>, VaultError> {
        if self.erased.contains_key(be(id))? {
            return Ok(Vec::new());
        }
        let accesses = self.releases_of(id)?;
        let mut batch = self.batch();
        batch.remove(&self.records, erased.commitment.as_slice());
        batch.remove(&self.unregistered, erased.commitment.as_slice());
        batch.remove(&self.ids, be(id).as_slice());
        for access in &accesses {
            if let Some(mut release) = self.release(*access)? {
                release.sealed = None;
                release.state = ReleaseState::Withdrawn { reason: "record_erased".into(), at_ms: now_ms };
                batch.insert(&self.releases, be(*access).as_slice(), encode(&release));
            }
            batch.remove(&self.unfulfilled, be(*access).as_slice());
            batch.remove(&self.record_releases, [be(id), be(*access)].concat());
        }
        batch.insert(&self.erased, be(id).as_slice(), encode(erased));
        if !erased.recorded {
            batch.insert(&self.unrecorded, be(id).as_slice(), []);
        }
        batch.commit()?;
        self.compact();
        Ok(accesses)
    }

    /// Write every keyspace's memory table to the store's table files (the journal can then be retired). The store
    /// does it after each erasure; a backup taken from the files alone needs it first.
    pub fn flush(&self) -> Result<(), VaultError> {
        for keyspace in self.keyspaces() {
            keyspace.rotate_memtable_and_wait()?;
        }
        Ok(())
    }

    fn keyspaces(&self) -> [&Keyspace; 9] {
        [
            &self.records,
            &self.ids,
            &self.unregistered,
            &self.releases,
            &self.record_releases,
            &self.unfulfilled,
            &self.erased,
            &self.unrecorded,
            &self.meta,
        ]
    }

    /// Push deleted bytes out of the store's files as far as fjall allows: flush every keyspace's memory table (so
    /// that the journal holding them can be retired), then major-compact the keyspaces that held record content.
    /// Failures are logged, not returned: the erasure itself is already durable.
    fn compact(&self) {
        for keyspace in self.keyspaces() {
            if let Err(e) = keyspace.rotate_memtable_and_wait() {
                tracing::warn!(error = %e, "flushing a keyspace after an erasure failed; its deleted bytes stay until the next compaction");
            }
        }
        for keyspace in [&self.records, &self.releases] {
            if let Err(e) = keyspace.major_compact() {
                tracing::warn!(error = %e, "compacting after an erasure failed; deleted bytes stay in the store's tables until the next compaction");
            }
        }
    }

    /// The fact of record `id`'s erasure, if the vault erased it.
    pub fn erased(&self, id: u64) -> Result<Option<ErasedRecord>, VaultError> {
        self.erased.get(be(id))?.map(|bytes| decode("erasure", &bytes)).transpose()
    }

    /// Record the `record_erasure` transaction submitted for record `id`, and whether it is committed.
    pub fn set_erasure_tx(&self, id: u64, tx: Option<TxId>, recorded: bool) -> Result<(), VaultError> {
        let Some(mut erased) = self.erased(id)? else { return Ok(()) };
        erased.tx = tx.or(erased.tx);
        erased.recorded = recorded;
        let mut batch = self.batch();
        batch.insert(&self.erased, be(id).as_slice(), encode(&erased));
        if recorded {
            batch.remove(&self.unrecorded, be(id).as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    /// Erasures whose tombstone is not committed yet (at most [`MAX_SCAN`]).
    pub fn unrecorded(&self) -> Result<Vec<(u64, ErasedRecord)>, VaultError> {
        let mut found = Vec::new();
        for item in self.unrecorded.iter().take(MAX_SCAN) {
            let id = number("record", &item.key()?)?;
            if let Some(erased) = self.erased(id)? {
                found.push((id, erased));
            }
        }
        Ok(found)
    }

    // --- Releases -----------------------------------------------------------------------------------------------

    /// Store a sealed release for `access`, before `fulfil_access` is submitted.
    pub fn put_release(&self, access: u64, release: &StoredRelease) -> Result<(), VaultError> {
        let mut batch = self.batch();
        batch.insert(&self.releases, be(access).as_slice(), encode(release));
        batch.insert(&self.record_releases, [be(release.record), be(access)].concat(), []);
        if matches!(release.state, ReleaseState::Stored { .. }) {
            batch.insert(&self.unfulfilled, be(access).as_slice(), []);
        } else {
            batch.remove(&self.unfulfilled, be(access).as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    /// The release stored for `access`.
    pub fn release(&self, access: u64) -> Result<Option<StoredRelease>, VaultError> {
        self.releases.get(be(access))?.map(|bytes| decode("release", &bytes)).transpose()
    }

    /// Change a stored release's state; a withdrawn release loses its sealed bytes.
    pub fn set_release_state(&self, access: u64, state: ReleaseState) -> Result<(), VaultError> {
        let Some(mut release) = self.release(access)? else { return Ok(()) };
        if matches!(state, ReleaseState::Withdrawn { .. }) {
            release.sealed = None;
        }
        release.state = state;
        self.put_release(access, &release)
    }

    /// Releases stored whose `fulfil_access` is not committed (at most [`MAX_SCAN`]).
    pub fn unfulfilled(&self) -> Result<Vec<(u64, StoredRelease)>, VaultError> {
        let mut found = Vec::new();
        for item in self.unfulfilled.iter().take(MAX_SCAN) {
            let access = number("access", &item.key()?)?;
            if let Some(release) = self.release(access)? {
                found.push((access, release));
            }
        }
        Ok(found)
    }

    /// The accesses whose releases of `record` are stored (served, waiting, or withdrawn).
    pub fn releases_of(&self, record: u64) -> Result<Vec<u64>, VaultError> {
        let mut accesses = Vec::new();
        for item in self.record_releases.prefix(be(record)) {
            let key = item.key()?;
            accesses.push(number("access", key.get(8..).unwrap_or_default())?);
        }
        Ok(accesses)
    }

    // --- The queue's cursor and counts --------------------------------------------------------------------------

    /// Where the vault stands in its queue.
    pub fn cursor(&self) -> Result<QueueCursor, VaultError> {
        Ok(self.meta.get(CURSOR_KEY)?.map(|bytes| decode("cursor", &bytes)).transpose()?.unwrap_or_default())
    }

    /// Keep where the vault stands in its queue.
    pub fn set_cursor(&self, cursor: &QueueCursor) -> Result<(), VaultError> {
        let mut batch = self.batch();
        batch.insert(&self.meta, CURSOR_KEY, encode(cursor));
        batch.commit()?;
        Ok(())
    }

    /// Counts for the status: records held, records erased, releases waiting for their commit; each exact up to
    /// [`MAX_STATUS_COUNT`], which stands for "at least that many" (the status stays cheap for any store; the
    /// store's approximate lengths count overwritten and deleted entries too).
    pub fn counts(&self) -> (u64, u64, u64) {
        let count = |keyspace: &Keyspace| keyspace.iter().take(MAX_STATUS_COUNT).count() as u64;
        (count(&self.records), count(&self.erased), count(&self.unfulfilled))
    }
}
