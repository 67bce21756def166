//! Durable block and state store on fjall; one atomic batch per committed block.
//!
//! Keyspaces:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `meta` | `height`, `genesis` | last committed height (u64 BE); the genesis document (JSON) |
//! | `headers` | height (u64 BE) | borsh header |
//! | `blocks` | height | borsh block (header and transactions) |
//! | `certs` | height | borsh commit certificate |
//! | `hashes` | block hash | height |
//! | `txs` | transaction id | height (u64 BE) ‖ index in block (u32 BE) |
//! | `state` | state key | state value (the latest committed state) |
//!
//! A block, its certificate, its index entries, its state changes and the new last height are written in ONE
//! fjall batch, persisted with `fdatasync` before [`Store::commit_block`] returns. After a crash the store is
//! either before the block or after it, never in between.

use std::path::Path;

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};

use publica_types::{codec, Block, BlockHeader, CommitCertificate, Genesis, Hash, TxId};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("storage failure: {0}; check the disk and the data directory's permissions")]
    Db(#[from] fjall::Error),
    /// Stored bytes do not decode: the data directory is damaged or from an incompatible version.
    #[error("stored {what} is corrupt: {reason}; restore the data directory from a backup or resync the node")]
    Corrupt { what: &'static str, reason: String },
    /// A commit out of order.
    #[error("cannot commit height {got}: the next height is {expected}")]
    OutOfOrder { expected: u64, got: u64 },
    /// The store holds another network.
    #[error("the data directory belongs to another network (genesis differs); use a fresh directory")]
    GenesisMismatch,
}

type Result<T> = std::result::Result<T, StoreError>;

/// What one committed block writes.
pub struct BlockCommit<'a> {
    /// The block.
    pub block: &'a Block,
    /// Its commit certificate.
    pub certificate: &'a CommitCertificate,
    /// State changes, `None` deletes.
    pub changes: &'a [(Vec<u8>, Option<Vec<u8>>)],
}

/// The node's durable store.
pub struct Store {
    db: Database,
    meta: Keyspace,
    headers: Keyspace,
    blocks: Keyspace,
    certs: Keyspace,
    hashes: Keyspace,
    txs: Keyspace,
    state: Keyspace,
}

const HEIGHT_KEY: &[u8] = b"height";
const GENESIS_KEY: &[u8] = b"genesis";

impl Store {
    /// Open (or create) the store in `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let db = Database::builder(path).open()?;
        let ks = |name: &str| db.keyspace(name, KeyspaceCreateOptions::default);
        Ok(Self {
            meta: ks("meta")?,
            headers: ks("headers")?,
            blocks: ks("blocks")?,
            certs: ks("certs")?,
            hashes: ks("hashes")?,
            txs: ks("txs")?,
            state: ks("state")?,
            db,
        })
    }

    /// The genesis stored at initialisation, if any.
    pub fn genesis(&self) -> Result<Option<Genesis>> {
        match self.meta.get(GENESIS_KEY)? {
            None => Ok(None),
            Some(bytes) => Genesis::from_json(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt { what: "genesis", reason: e.to_string() }),
        }
    }

    /// Write the genesis state, once. A store already initialised with the same genesis is left as it is; one
    /// initialised with another genesis is refused.
    pub fn init_genesis(&self, genesis: &Genesis, changes: &[(Vec<u8>, Option<Vec<u8>>)]) -> Result<()> {
        if let Some(existing) = self.genesis()? {
            return if existing.hash() == genesis.hash() { Ok(()) } else { Err(StoreError::GenesisMismatch) };
        }
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncData));
        for (k, v) in changes {
            match v {
                Some(v) => batch.insert(&self.state, k.as_slice(), v.as_slice()),
                None => batch.remove(&self.state, k.as_slice()),
            }
        }
        batch.insert(&self.meta, HEIGHT_KEY, 0u64.to_be_bytes().as_slice());
        batch.insert(&self.meta, GENESIS_KEY, genesis.to_json().as_bytes());
        batch.commit()?;
        Ok(())
    }

    /// The last committed height (0 when only genesis is committed).
    pub fn last_height(&self) -> Result<u64> {
        match self.meta.get(HEIGHT_KEY)? {
            None => Ok(0),
            Some(b) => Ok(u64::from_be_bytes(
                b.as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt { what: "height", reason: "not 8 bytes".into() })?,
            )),
        }
    }

    /// Commit a block atomically and durably.
    pub fn commit_block(&self, commit: BlockCommit<'_>) -> Result<()> {
        let header = &commit.block.header;
        let expected = self.last_height()? + 1;
        if header.height != expected {
            return Err(StoreError::OutOfOrder { expected, got: header.height });
        }
        let height = header.height.to_be_bytes();
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncData));
        batch.insert(&self.headers, height.as_slice(), codec::encode(header));
        batch.insert(&self.blocks, height.as_slice(), commit.block.encode());
        batch.insert(&self.certs, height.as_slice(), codec::encode(commit.certificate));
        batch.insert(&self.hashes, commit.block.hash().as_slice(), height.as_slice());
        for (index, tx) in commit.block.txs.iter().enumerate() {
            let mut location = [0u8; 12];
            location[..8].copy_from_slice(&height);
            location[8..].copy_from_slice(&(index as u32).to_be_bytes());
            batch.insert(&self.txs, tx.id().0.as_slice(), location.as_slice());
        }
        for (k, v) in commit.changes {
            match v {
                Some(v) => batch.insert(&self.state, k.as_slice(), v.as_slice()),
                None => batch.remove(&self.state, k.as_slice()),
            }
        }
        batch.insert(&self.meta, HEIGHT_KEY, height.as_slice());
        batch.commit()?;
        Ok(())
    }

    /// The header at `height`.
    pub fn header(&self, height: u64) -> Result<Option<BlockHeader>> {
        self.headers
            .get(height.to_be_bytes())?
            .map(|b| BlockHeader::decode(&b).map_err(|e| StoreError::Corrupt { what: "header", reason: e.to_string() }))
            .transpose()
    }

    /// The block at `height`.
    pub fn block(&self, height: u64) -> Result<Option<Block>> {
        self.blocks
            .get(height.to_be_bytes())?
            .map(|b| Block::decode(&b).map_err(|e| StoreError::Corrupt { what: "block", reason: e.to_string() }))
            .transpose()
    }

    /// The commit certificate of the block at `height`.
    pub fn certificate(&self, height: u64) -> Result<Option<CommitCertificate>> {
        self.certs
            .get(height.to_be_bytes())?
            .map(|b| {
                CommitCertificate::decode(&b)
                    .map_err(|e| StoreError::Corrupt { what: "certificate", reason: e.to_string() })
            })
            .transpose()
    }

    /// The height of the block with this hash.
    pub fn height_of(&self, hash: &Hash) -> Result<Option<u64>> {
        self.hashes.get(hash)?.map(|b| decode_u64("block hash index", &b)).transpose()
    }

    /// Where a committed transaction is: (height, index in block).
    pub fn tx_location(&self, id: &TxId) -> Result<Option<(u64, u32)>> {
        self.txs
            .get(id.0)?
            .map(|b| {
                if b.len() != 12 {
                    return Err(StoreError::Corrupt { what: "transaction index", reason: "not 12 bytes".into() });
                }
                let height = u64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
                let index = u32::from_be_bytes(b[8..].try_into().expect("4 bytes"));
                Ok((height, index))
            })
            .transpose()
    }

    /// The committed value under a state key.
    pub fn state_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.state.get(key)?.map(|v| v.to_vec()))
    }

    /// Up to `limit` committed state entries whose keys start with `prefix`, in key order.
    pub fn state_scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self.state.prefix(prefix).take(limit) {
            let (k, v) = item.into_inner()?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Visit every committed state entry in key order (to rebuild the state tree at start-up).
    pub fn state_for_each(&self, mut f: impl FnMut(&[u8], &[u8])) -> Result<()> {
        for item in self.state.iter() {
            let (k, v) = item.into_inner()?;
            f(&k, &v);
        }
        Ok(())
    }

    /// Bytes on disk.
    pub fn disk_space(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }
}

fn decode_u64(what: &'static str, bytes: &[u8]) -> Result<u64> {
    Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| StoreError::Corrupt { what, reason: "not 8 bytes".into() })?))
}
