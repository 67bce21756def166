//! The witness's durable state: for each log, the latest checkpoint it cosigned.
//!
//! Each log has one file in the state directory, named after the lowercase hex SHA-256 of its origin (the same
//! name the tlog-witness monitoring path uses) with the extension `.checkpoint`. It holds the cosigned checkpoint
//! as a C2SP signed note: the validators' signatures the witness verified and the witness's own cosignatures, so
//! the file is also what `GET /<origin hash>/checkpoint` serves.
//!
//! A file is replaced atomically: the new note is written to a temporary file, flushed to disk, renamed over the
//! old one, and the directory is flushed, so that after a crash the file holds either the old or the new
//! checkpoint, never a mix, and a cosignature is never returned for a state that could be lost. One process owns
//! a directory at a time, enforced with an exclusive lock on `LOCK`.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use publica_tlog::{SignedCheckpoint, MAX_NOTE_BYTES};

use crate::WitnessError;

/// Extension of a log's state file.
const STATE_EXTENSION: &str = "checkpoint";
/// Extension of a state file being written.
const TEMP_EXTENSION: &str = "checkpoint.tmp";
/// Name of the lock file.
const LOCK_FILE: &str = "LOCK";

/// The lowercase hex SHA-256 of an origin: the log's key in state file names and monitoring URLs.
pub fn origin_hash(origin: &str) -> String {
    hex::encode(publica_crypto::sha256(origin.as_bytes()))
}

/// An open, exclusively locked state directory.
#[derive(Debug)]
pub(crate) struct StateDir {
    dir: PathBuf,
    /// Held for the life of the witness: the lock is released when the file is closed.
    _lock: File,
}

impl StateDir {
    /// Create (if needed) and lock `dir`, and remove temporary files a crash may have left.
    pub(crate) fn open(dir: &Path) -> Result<Self, WitnessError> {
        std::fs::create_dir_all(dir).map_err(|e| WitnessError::io(dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| WitnessError::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(WitnessError::Locked { path: lock_path }),
            Err(std::fs::TryLockError::Error(e)) => return Err(WitnessError::io(&lock_path, e)),
        }
        for entry in std::fs::read_dir(dir).map_err(|e| WitnessError::io(dir, e))? {
            let path = entry.map_err(|e| WitnessError::io(dir, e))?.path();
            if path.to_str().is_some_and(|p| p.ends_with(TEMP_EXTENSION)) {
                // A write that crashed before its rename: the old file is still the state.
                std::fs::remove_file(&path).map_err(|e| WitnessError::io(&path, e))?;
            }
        }
        Ok(StateDir { dir: dir.to_owned(), _lock: lock })
    }

    /// The state file of `origin`.
    pub(crate) fn path(&self, origin: &str) -> PathBuf {
        self.dir.join(format!("{}.{STATE_EXTENSION}", origin_hash(origin)))
    }

    /// The latest cosigned checkpoint of `origin`, if the witness ever cosigned one.
    pub(crate) fn load(&self, origin: &str) -> Result<Option<SignedCheckpoint>, WitnessError> {
        let path = self.path(origin);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(WitnessError::io(&path, e)),
        };
        // One byte more than a note may have, so an oversized file is detected rather than cut.
        let mut bytes = Vec::new();
        file.take(MAX_NOTE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| WitnessError::io(&path, e))?;
        let corrupt = |reason: String| WitnessError::Corrupt { path: path.clone(), reason };
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(corrupt(format!("the file is larger than a checkpoint note ({MAX_NOTE_BYTES} bytes)")));
        }
        let signed =
            SignedCheckpoint::parse(&bytes).map_err(|e| corrupt(format!("it is not a signed checkpoint: {e}")))?;
        if signed.checkpoint.origin != origin {
            return Err(corrupt(format!(
                "it holds a checkpoint of {:?}, but its name is that of {origin:?}",
                signed.checkpoint.origin
            )));
        }
        Ok(Some(signed))
    }

    /// Durably replace the state of the checkpoint's log with `signed`.
    pub(crate) fn store(&self, signed: &SignedCheckpoint) -> Result<(), WitnessError> {
        let path = self.path(&signed.checkpoint.origin);
        let temp = path.with_extension(TEMP_EXTENSION);
        let bytes = signed.to_bytes();
        let mut file = File::create(&temp).map_err(|e| WitnessError::io(&temp, e))?;
        file.write_all(&bytes).map_err(|e| WitnessError::io(&temp, e))?;
        file.sync_all().map_err(|e| WitnessError::io(&temp, e))?;
        drop(file);
        std::fs::rename(&temp, &path).map_err(|e| WitnessError::io(&path, e))?;
        // The rename is durable only once the directory entry is.
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| WitnessError::io(&self.dir, e))?;
        Ok(())
    }
}
