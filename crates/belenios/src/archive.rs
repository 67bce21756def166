//! The `.bel` election archive of Belenios 2.0: an append-only chain of events in a minimal tar file, written
//! byte for byte as belenios-tool writes it, and read back strictly.
//!
//! `belenios-tool election verify` rebuilds the whole archive from the events it parsed and compares the
//! result with the file block by block, so an archive is accepted only if it is exactly the canonical one.
//! The only freedom is the timestamp, which must still be the same in the `BELENIOS` entry and in every
//! header. [`ArchiveWriter`] produces that canonical form and nothing else; [`read`] accepts that form and
//! nothing else, naming the first defect it meets.
//!
//! # Framing: a V7-style tar without end blocks
//!
//! The file is a sequence of entries. Each entry is a 512-byte header followed by the content and NUL padding
//! up to a multiple of 512 bytes. There are no end-of-archive zero blocks: the file ends right after the last
//! entry's padding. Header fields (every byte not listed is NUL; there is no `ustar` magic and no user or
//! group name):
//!
//! | offset | bytes | content |
//! |---|---|---|
//! | 0 | 100 | the entry name in ASCII, NUL-padded |
//! | 100 | 8 | `0000644\0` (mode) |
//! | 108 | 8 | `0000000\0` (uid) |
//! | 116 | 8 | `0000000\0` (gid) |
//! | 124 | 12 | the content length: 11 octal digits, zero-padded, then `\0` |
//! | 136 | 12 | the archive timestamp, the same in every entry: 11 octal digits, then `\0` |
//! | 148 | 8 | the checksum: 6 octal digits, `\0`, space. It is the sum of the 512 header bytes, counting these 8 bytes as spaces |
//! | 156 | 1 | `0` (a regular file) |
//!
//! # Entries
//!
//! 1. `BELENIOS`, always first, holding exactly `{"version":1,"timestamp":"<unix seconds>"}` (the timestamp is
//!    a JSON string of its decimal digits).
//! 2. For each event in chain order: the data records its payload refers to, in field order, then the payload
//!    record, then the event. Data records are named `<hex sha256 of the content>.data.json` and events
//!    `<hex sha256 of the content>.event.json` (64 lowercase hex digits). Nothing is deduplicated: a record
//!    referred to twice is written twice.
//!
//! | event | records before the event | payload record |
//! |---|---|---|
//! | `Setup` | election, trustees, public credentials | `{"election":H,"trustees":H,"credentials":H}` |
//! | `Ballot` | none | the ballot |
//! | `EndBallots` | none | none (the event has no `payload`) |
//! | `EncryptedTally` | the encrypted tally | `{"num_tallied":n,"total_weight":w,"encrypted_tally":H}` |
//! | `PartialDecryption` | the partial decryption | `{"owner":k,"payload":H}` |
//! | `Result` | none | the result |
//!
//! where H is the hex SHA-256 of the referenced record, and `w` is a JSON number up to 2^30 − 1 and a JSON
//! string of its digits above (the Belenios weight encoding).
//!
//! # Events and the chain
//!
//! An event is the canonical JSON `{"parent":P,"height":h,"type":"T","payload":H}`: compact, in that key
//! order, `parent` (the hex SHA-256 of the previous event's bytes) absent at height 0, `payload` (the hex
//! SHA-256 of the payload record) absent for `EndBallots`. Heights count from 0. The hash of the last event is
//! the head of the chain; it commits to the whole archive but the timestamp.
//!
//! Data records are hashed as stored, with no trailing newline. Belenios accepts data records that are not in
//! canonical JSON; this module writes the records it builds (setup data, the sized tally, the owned partial
//! decryption) canonically and takes the others (election, trustees, credentials, ballots, tally, partial
//! decryption, result) as the caller gives them.
//!
//! # Order of events
//!
//! Belenios' verifier does not enforce a grammar of events, but its server and tool only ever produce
//! `Setup, Ballot*, EndBallots, EncryptedTally, PartialDecryption+, Result`, possibly cut after any event.
//! The writer and the reader enforce that sequence, which also leaves out the `Shuffle` and `EndShuffles`
//! events of non-homomorphic questions: Publica supports homomorphic questions only.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: an entry's name, an event's parent, the chain's head.
pub type Hash = [u8; 32];

/// The name of the archive's first entry.
pub const HEADER_ENTRY_NAME: &str = "BELENIOS";
/// The tar block size.
pub const BLOCK_BYTES: usize = 512;
/// The largest value 11 octal digits hold: the bound on an entry's size and on the timestamp.
pub const MAX_OCTAL_FIELD: u64 = 0o77777777777;
/// The weight encoding switches from a JSON number to a JSON string above this value.
pub const MAX_WEIGHT_AS_NUMBER: u64 = (1 << 30) - 1;

/// Bounds on what [`read`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The size of the whole archive.
    pub archive_bytes_max: usize,
    /// The number of entries, `BELENIOS` included.
    pub entries_max: usize,
    /// The size of one entry's content.
    pub entry_bytes_max: usize,
}

impl Default for ArchiveLimits {
    /// Room for an election of 100,000 ballots of a few kilobytes each: 1 GiB, 250,000 entries, 16 MiB per
    /// record (the trustees record of a large threshold set and the tally of many questions stay far below).
    fn default() -> Self {
        ArchiveLimits { archive_bytes_max: 1 << 30, entries_max: 250_000, entry_bytes_max: 16 << 20 }
    }
}

/// The type of an event, as named in its `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// The election, its trustees and its public credentials.
    Setup,
    /// One ballot.
    Ballot,
    /// The end of voting.
    EndBallots,
    /// The encrypted tally.
    EncryptedTally,
    /// One trustee's partial decryption of the tally.
    PartialDecryption,
    /// The result.
    Result,
}

impl EventType {
    /// The name in the event JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Setup => "Setup",
            EventType::Ballot => "Ballot",
            EventType::EndBallots => "EndBallots",
            EventType::EncryptedTally => "EncryptedTally",
            EventType::PartialDecryption => "PartialDecryption",
            EventType::Result => "Result",
        }
    }

    fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "Setup" => EventType::Setup,
            "Ballot" => EventType::Ballot,
            "EndBallots" => EventType::EndBallots,
            "EncryptedTally" => EventType::EncryptedTally,
            "PartialDecryption" => EventType::PartialDecryption,
            "Result" => EventType::Result,
            _ => return None,
        })
    }
}

/// An event's content, with the records it refers to as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// The three setup records.
    Setup {
        /// The election record.
        election: Vec<u8>,
        /// The trustees record.
        trustees: Vec<u8>,
        /// The public credentials record.
        credentials: Vec<u8>,
    },
    /// The ballot bytes.
    Ballot(Vec<u8>),
    /// No content.
    EndBallots,
    /// The encrypted tally record and the counts of its sized record.
    EncryptedTally {
        /// The encrypted tally record.
        encrypted_tally: Vec<u8>,
        /// The number of ballots counted.
        num_tallied: u64,
        /// The sum of their weights.
        total_weight: u64,
    },
    /// The partial decryption record of trustee `owner` (numbered from 1 across all trustees).
    PartialDecryption {
        /// The trustee number, from 1.
        owner: u32,
        /// The partial decryption record.
        partial_decryption: Vec<u8>,
    },
    /// The result record.
    Result(Vec<u8>),
}

impl EventBody {
    /// The type of the event carrying this body.
    pub fn event_type(&self) -> EventType {
        match self {
            EventBody::Setup { .. } => EventType::Setup,
            EventBody::Ballot(_) => EventType::Ballot,
            EventBody::EndBallots => EventType::EndBallots,
            EventBody::EncryptedTally { .. } => EventType::EncryptedTally,
            EventBody::PartialDecryption { .. } => EventType::PartialDecryption,
            EventBody::Result(_) => EventType::Result,
        }
    }
}

/// One event of a read archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its position in the chain, from 0.
    pub height: u64,
    /// The SHA-256 of its bytes: its entry name and the next event's parent.
    pub hash: Hash,
    /// The previous event's hash; none at height 0.
    pub parent: Option<Hash>,
    /// The payload record's bytes (none for `EndBallots`).
    pub payload: Option<Vec<u8>>,
    /// The payload and the records it refers to.
    pub body: EventBody,
}

/// A read archive: its timestamp and its events in chain order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// Unix seconds, from the `BELENIOS` entry (and every header).
    pub timestamp: u64,
    /// The events, heights 0, 1, 2 …
    pub events: Vec<Event>,
}

impl Archive {
    /// The hash of the last event, if any.
    pub fn head(&self) -> Option<Hash> {
        self.events.last().map(|e| e.hash)
    }
}

/// Why an archive or an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Archive of N bytes is larger than the limit.
    #[error("archive of {0} bytes is larger than the limit")]
    TooLarge(usize),
    /// Archive has more than N entries.
    #[error("archive has more than {0} entries")]
    TooManyEntries(usize),
    /// Entry `index` holds `size` bytes, more than the limit.
    #[error("entry {index} holds {size} bytes, more than the limit")]
    EntryTooLarge {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// The size it declares.
        size: u64,
    },
    /// Archive length N is not a whole number of 512-byte blocks.
    #[error("archive length {0} is not a whole number of 512-byte blocks")]
    NotBlockAligned(usize),
    /// Entry `index` runs past the end of the archive.
    #[error("entry {index} runs past the end of the archive")]
    Truncated {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Entry `index` is an end-of-archive zero block: Belenios archives have none.
    #[error("entry {index} is an end-of-archive zero block: Belenios archives have none")]
    EndBlock {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Entry `index`: header field `field` is not as Belenios writes it.
    #[error("entry {index}: header field {field} is not as Belenios writes it")]
    HeaderField {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// The header field.
        field: &'static str,
    },
    /// Entry `index`: header checksum does not match.
    #[error("entry {index}: header checksum does not match")]
    HeaderChecksum {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Entry `index`: padding after the content is not all NUL.
    #[error("entry {index}: padding after the content is not all NUL")]
    Padding {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Entry `index`: mtime `mtime` differs from the archive timestamp `timestamp`.
    #[error("entry {index}: mtime {mtime} differs from the archive timestamp {timestamp}")]
    MtimeMismatch {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// The entry's mtime.
        mtime: u64,
        /// The archive timestamp.
        timestamp: u64,
    },
    /// The archive is empty or does not start with the BELENIOS entry.
    #[error("the archive is empty or does not start with the BELENIOS entry")]
    MissingHeaderEntry,
    /// The BELENIOS entry is not exactly `{"version":1,"timestamp":"<seconds>"}`.
    #[error("the BELENIOS entry is not {{\"version\":1,\"timestamp\":\"<seconds>\"}}")]
    BadHeaderEntry,
    /// Entry `index`: its name is not `<64 lowercase hex>.data.json` or `.event.json`.
    #[error("entry {index}: name {name:?} is not <64 lowercase hex>.data.json or .event.json")]
    BadName {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// The entry name.
        name: String,
    },
    /// Entry `index`: content hashes to `actual`, not to its name `name`.
    #[error("entry {index}: content hashes to {actual}, not to its name {name}")]
    HashMismatch {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// The entry name.
        name: String,
        /// The hex SHA-256 of the content.
        actual: String,
    },
    /// Event at height `height`: not a canonical Belenios event.
    #[error("event at height {height}: not a canonical Belenios event")]
    BadEvent {
        /// The event's height.
        height: u64,
    },
    /// Event at height `height` says height `found`.
    #[error("event at height {height} says height {found}")]
    WrongHeight {
        /// The event's height.
        height: u64,
        /// What was found.
        found: u64,
    },
    /// Event at height `height`: parent is not the hash of the previous event.
    #[error("event at height {height}: parent is not the hash of the previous event")]
    WrongParent {
        /// The event's height.
        height: u64,
    },
    /// Event at height `height`: its payload record `payload` is not the record just before it.
    #[error("event at height {height}: its payload record {payload} is not the record just before it")]
    MissingPayload {
        /// The event's height.
        height: u64,
        /// The payload hash the event names.
        payload: String,
    },
    /// Event at height `height`: `record` record is not in canonical form.
    #[error("event at height {height}: {record} record is not in canonical form")]
    BadRecord {
        /// The event's height.
        height: u64,
        /// Which record.
        record: &'static str,
    },
    /// Event at height `height`: the records before it are not the ones its payload refers to.
    #[error("event at height {height}: the records before it are not the ones its payload refers to")]
    UnexpectedData {
        /// The event's height.
        height: u64,
    },
    /// Data records after the last event.
    #[error("data records after the last event")]
    TrailingData,
    /// Event `event` cannot follow `after`: the sequence is Setup, Ballot*, EndBallots, EncryptedTally, PartialDecryption+, Result.
    #[error("event {event} cannot follow {after}: the sequence is Setup, Ballot*, EndBallots, EncryptedTally, PartialDecryption+, Result")]
    OutOfOrder {
        /// The event refused.
        event: &'static str,
        /// The event it would follow.
        after: &'static str,
    },
    /// Partial decryption owner must be at least 1.
    #[error("partial decryption owner must be at least 1")]
    BadOwner,
    /// Timestamp N does not fit the 11 octal digits of a tar header.
    #[error("timestamp {0} does not fit the 11 octal digits of a tar header")]
    BadTimestamp(u64),
    /// The archive does not re-encode to the same bytes.
    #[error("the archive does not re-encode to the same bytes")]
    NotCanonical,
}

/// Where the event sequence stands; each event is allowed only in some phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Empty,
    Voting,
    Closed,
    Tallied,
    Decrypting,
    Done,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Empty => "the start",
            Phase::Voting => "Setup or Ballot",
            Phase::Closed => "EndBallots",
            Phase::Tallied => "EncryptedTally",
            Phase::Decrypting => "PartialDecryption",
            Phase::Done => "Result",
        }
    }

    /// The phase after `event`, or the refusal.
    fn next(self, event: EventType) -> Result<Phase, ArchiveError> {
        let next = match (self, event) {
            (Phase::Empty, EventType::Setup) => Phase::Voting,
            (Phase::Voting, EventType::Ballot) => Phase::Voting,
            (Phase::Voting, EventType::EndBallots) => Phase::Closed,
            (Phase::Closed, EventType::EncryptedTally) => Phase::Tallied,
            (Phase::Tallied | Phase::Decrypting, EventType::PartialDecryption) => Phase::Decrypting,
            (Phase::Decrypting, EventType::Result) => Phase::Done,
            _ => return Err(ArchiveError::OutOfOrder { event: event.as_str(), after: self.name() }),
        };
        Ok(next)
    }
}

/// Builds a `.bel` archive event by event, in the canonical form.
#[derive(Debug, Clone)]
pub struct ArchiveWriter {
    timestamp: u64,
    bytes: Vec<u8>,
    head: Option<Hash>,
    height: u64,
    phase: Phase,
}

impl ArchiveWriter {
    /// A new archive holding only its `BELENIOS` entry, stamped `timestamp` (Unix seconds).
    pub fn new(timestamp: u64) -> Result<ArchiveWriter, ArchiveError> {
        if timestamp > MAX_OCTAL_FIELD {
            return Err(ArchiveError::BadTimestamp(timestamp));
        }
        let mut writer = ArchiveWriter { timestamp, bytes: Vec::new(), head: None, height: 0, phase: Phase::Empty };
        let header = header_entry_content(timestamp);
        writer.push_entry(HEADER_ENTRY_NAME, &header);
        Ok(writer)
    }

    /// Continues an existing archive: reads it (with `limits`) and appends after its last event.
    pub fn resume(bytes: Vec<u8>, limits: &ArchiveLimits) -> Result<ArchiveWriter, ArchiveError> {
        let archive = read(&bytes, limits)?;
        let mut phase = Phase::Empty;
        for event in &archive.events {
            phase = phase.next(event.body.event_type())?;
        }
        Ok(ArchiveWriter {
            timestamp: archive.timestamp,
            head: archive.head(),
            height: archive.events.len() as u64,
            phase,
            bytes,
        })
    }

    /// The archive timestamp.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The hash of the last event written, if any.
    pub fn head(&self) -> Option<Hash> {
        self.head
    }

    /// The number of events written (the next event's height).
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The archive bytes so far; a complete `.bel` file after every event.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The archive bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Appends the `Setup` event; returns the new head.
    pub fn setup(&mut self, election: &[u8], trustees: &[u8], credentials: &[u8]) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::Setup {
            election: election.to_vec(),
            trustees: trustees.to_vec(),
            credentials: credentials.to_vec(),
        })
    }

    /// Appends a `Ballot` event; returns the new head.
    pub fn ballot(&mut self, ballot: &[u8]) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::Ballot(ballot.to_vec()))
    }

    /// Appends the `EndBallots` event; returns the new head.
    pub fn end_ballots(&mut self) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::EndBallots)
    }

    /// Appends the `EncryptedTally` event with its tally record and counts; returns the new head.
    pub fn encrypted_tally(
        &mut self,
        encrypted_tally: &[u8],
        num_tallied: u64,
        total_weight: u64,
    ) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::EncryptedTally { encrypted_tally: encrypted_tally.to_vec(), num_tallied, total_weight })
    }

    /// Appends a `PartialDecryption` event for trustee `owner` (from 1); returns the new head.
    pub fn partial_decryption(&mut self, owner: u32, partial_decryption: &[u8]) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::PartialDecryption { owner, partial_decryption: partial_decryption.to_vec() })
    }

    /// Appends the `Result` event; returns the new head.
    pub fn result(&mut self, result: &[u8]) -> Result<Hash, ArchiveError> {
        self.append(&EventBody::Result(result.to_vec()))
    }

    /// Appends any event: its records, its payload, then the event itself.
    pub fn append(&mut self, body: &EventBody) -> Result<Hash, ArchiveError> {
        let phase = self.phase.next(body.event_type())?;
        if let EventBody::PartialDecryption { owner: 0, .. } = body {
            return Err(ArchiveError::BadOwner);
        }
        let payload = match body {
            EventBody::Setup { election, trustees, credentials } => {
                self.push_data(election);
                self.push_data(trustees);
                self.push_data(credentials);
                Some(setup_payload(election, trustees, credentials))
            }
            EventBody::Ballot(ballot) => Some(ballot.clone()),
            EventBody::EndBallots => None,
            EventBody::EncryptedTally { encrypted_tally, num_tallied, total_weight } => {
                self.push_data(encrypted_tally);
                Some(sized_tally_payload(encrypted_tally, *num_tallied, *total_weight))
            }
            EventBody::PartialDecryption { owner, partial_decryption } => {
                self.push_data(partial_decryption);
                Some(owned_payload(*owner, partial_decryption))
            }
            EventBody::Result(result) => Some(result.clone()),
        };
        let payload_hash = payload.as_ref().map(|p| self.push_data(p));
        let event = event_json(self.head.as_ref(), self.height, body.event_type(), payload_hash.as_ref());
        let hash = sha256(&event);
        self.push_entry(&format!("{}.event.json", to_hex(&hash)), &event);
        self.head = Some(hash);
        self.height += 1;
        self.phase = phase;
        Ok(hash)
    }

    fn push_data(&mut self, content: &[u8]) -> Hash {
        let hash = sha256(content);
        self.push_entry(&format!("{}.data.json", to_hex(&hash)), content);
        hash
    }

    fn push_entry(&mut self, name: &str, content: &[u8]) {
        self.bytes.extend_from_slice(&tar_header(name, content.len() as u64, self.timestamp));
        self.bytes.extend_from_slice(content);
        let padding = (BLOCK_BYTES - content.len() % BLOCK_BYTES) % BLOCK_BYTES;
        self.bytes.resize(self.bytes.len() + padding, 0);
    }
}

/// Lowercase hex, the spelling of every hash in an archive.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The content of the `BELENIOS` entry.
pub fn header_entry_content(timestamp: u64) -> Vec<u8> {
    format!("{{\"version\":1,\"timestamp\":\"{timestamp}\"}}").into_bytes()
}

/// The setup data record: `{"election":H,"trustees":H,"credentials":H}`.
pub fn setup_payload(election: &[u8], trustees: &[u8], credentials: &[u8]) -> Vec<u8> {
    format!(
        "{{\"election\":\"{}\",\"trustees\":\"{}\",\"credentials\":\"{}\"}}",
        to_hex(&sha256(election)),
        to_hex(&sha256(trustees)),
        to_hex(&sha256(credentials))
    )
    .into_bytes()
}

/// A weight as Belenios writes it: a JSON number up to 2^30 − 1, a JSON string of its digits above.
pub fn weight_json(weight: u64) -> String {
    if weight <= MAX_WEIGHT_AS_NUMBER {
        weight.to_string()
    } else {
        format!("\"{weight}\"")
    }
}

/// The sized encrypted tally record: `{"num_tallied":n,"total_weight":w,"encrypted_tally":H}`.
pub fn sized_tally_payload(encrypted_tally: &[u8], num_tallied: u64, total_weight: u64) -> Vec<u8> {
    format!(
        "{{\"num_tallied\":{num_tallied},\"total_weight\":{},\"encrypted_tally\":\"{}\"}}",
        weight_json(total_weight),
        to_hex(&sha256(encrypted_tally))
    )
    .into_bytes()
}

/// The owned partial decryption record: `{"owner":k,"payload":H}`.
pub fn owned_payload(owner: u32, partial_decryption: &[u8]) -> Vec<u8> {
    format!("{{\"owner\":{owner},\"payload\":\"{}\"}}", to_hex(&sha256(partial_decryption))).into_bytes()
}

/// The canonical event JSON.
pub fn event_json(parent: Option<&Hash>, height: u64, event_type: EventType, payload: Option<&Hash>) -> Vec<u8> {
    let mut out = String::from("{");
    if let Some(parent) = parent {
        out.push_str(&format!("\"parent\":\"{}\",", to_hex(parent)));
    }
    out.push_str(&format!("\"height\":{height},\"type\":\"{}\"", event_type.as_str()));
    if let Some(payload) = payload {
        out.push_str(&format!(",\"payload\":\"{}\"", to_hex(payload)));
    }
    out.push('}');
    out.into_bytes()
}

/// A tar header exactly as belenios-tool writes it. The name must be ASCII and at most 100 bytes, which every
/// name this module writes is.
fn tar_header(name: &str, size: u64, mtime: u64) -> [u8; BLOCK_BYTES] {
    debug_assert!(name.len() <= 100 && name.is_ascii());
    let mut h = [0u8; BLOCK_BYTES];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(format!("{mtime:011o}\0").as_bytes());
    h[148..156].copy_from_slice(b"        ");
    h[156] = b'0';
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// One tar entry as read: its name, content and mtime.
struct RawEntry<'a> {
    name: &'a str,
    content: &'a [u8],
    mtime: u64,
}

/// Reads an 11-octal-digit field followed by NUL.
fn octal_field(field: &[u8]) -> Option<u64> {
    let (digits, end) = field.split_at(11);
    if end != [0] || !digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
        return None;
    }
    Some(digits.iter().fold(0u64, |acc, &d| acc * 8 + u64::from(d - b'0')))
}

/// Splits the archive into entries, checking every header byte and every padding byte.
fn split_entries<'a>(bytes: &'a [u8], limits: &ArchiveLimits) -> Result<Vec<RawEntry<'a>>, ArchiveError> {
    if bytes.len() > limits.archive_bytes_max {
        return Err(ArchiveError::TooLarge(bytes.len()));
    }
    if !bytes.len().is_multiple_of(BLOCK_BYTES) {
        return Err(ArchiveError::NotBlockAligned(bytes.len()));
    }
    let mut entries = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let index = entries.len();
        if index >= limits.entries_max {
            return Err(ArchiveError::TooManyEntries(limits.entries_max));
        }
        let h = &bytes[offset..offset + BLOCK_BYTES];
        if h.iter().all(|&b| b == 0) {
            return Err(ArchiveError::EndBlock { index });
        }
        let field = |field: &'static str| ArchiveError::HeaderField { index, field };
        let name_len = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        if name_len == 0 || h[name_len..100].iter().any(|&b| b != 0) || !h[..name_len].is_ascii() {
            return Err(field("name"));
        }
        let name = std::str::from_utf8(&h[..name_len]).map_err(|_| field("name"))?;
        if &h[100..108] != b"0000644\0" {
            return Err(field("mode"));
        }
        if &h[108..116] != b"0000000\0" {
            return Err(field("uid"));
        }
        if &h[116..124] != b"0000000\0" {
            return Err(field("gid"));
        }
        let size = octal_field(&h[124..136]).ok_or(field("size"))?;
        let mtime = octal_field(&h[136..148]).ok_or(field("mtime"))?;
        if h[156] != b'0' {
            return Err(field("typeflag"));
        }
        if h[157..].iter().any(|&b| b != 0) {
            return Err(field("linkname, magic, owner names or prefix"));
        }
        let sum: u32 = h[..148].iter().chain([b' '; 8].iter()).chain(h[156..].iter()).map(|&b| u32::from(b)).sum();
        if h[148..156] != *format!("{sum:06o}\0 ").as_bytes() {
            return Err(ArchiveError::HeaderChecksum { index });
        }
        if size > limits.entry_bytes_max as u64 {
            return Err(ArchiveError::EntryTooLarge { index, size });
        }
        let size = size as usize;
        let start = offset + BLOCK_BYTES;
        let padded = size.div_ceil(BLOCK_BYTES) * BLOCK_BYTES;
        if bytes.len() - start < padded {
            return Err(ArchiveError::Truncated { index });
        }
        let content = &bytes[start..start + size];
        if bytes[start + size..start + padded].iter().any(|&b| b != 0) {
            return Err(ArchiveError::Padding { index });
        }
        entries.push(RawEntry { name, content, mtime });
        offset = start + padded;
    }
    Ok(entries)
}

/// Parses a canonical decimal (no sign, no leading zero but for `0`) that fits u64.
fn canonical_u64(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

/// Parses 64 lowercase hex digits.
fn lower_hex_hash(s: &str) -> Option<Hash> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let nibble = |b: u8| if b.is_ascii_digit() { b - b'0' } else { b - b'a' + 10 };
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks(2)) {
        *o = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Some(out)
}

/// A reader of the fixed, flat JSON objects of this module (events and the three reference records). These
/// records are canonical by construction, so the reader accepts exactly one spelling: the keys in the given
/// order, no whitespace, strings made of digits and hex letters, integers without leading zeros.
struct Flat<'a> {
    rest: &'a str,
    first: bool,
}

/// A scalar value of a flat record.
enum Scalar<'a> {
    Str(&'a str),
    Int(&'a str),
}

impl<'a> Flat<'a> {
    fn open(bytes: &'a [u8]) -> Option<Flat<'a>> {
        let s = std::str::from_utf8(bytes).ok()?;
        let rest = s.strip_prefix('{')?.strip_suffix('}')?;
        Some(Flat { rest, first: true })
    }

    /// The next field if it has this key.
    fn field(&mut self, key: &str) -> Option<Scalar<'a>> {
        let sep = if self.first { "" } else { "," };
        let prefix = format!("{sep}\"{key}\":");
        let after = self.rest.strip_prefix(prefix.as_str())?;
        let (value, rest) = if let Some(inner) = after.strip_prefix('"') {
            let end = inner.find('"')?;
            let value = &inner[..end];
            if !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            (Scalar::Str(value), &inner[end + 1..])
        } else {
            let end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
            (Scalar::Int(&after[..end]), &after[end..])
        };
        self.rest = rest;
        self.first = false;
        Some(value)
    }

    fn string(&mut self, key: &str) -> Option<&'a str> {
        match self.field(key)? {
            Scalar::Str(s) => Some(s),
            Scalar::Int(_) => None,
        }
    }

    fn int(&mut self, key: &str) -> Option<u64> {
        match self.field(key)? {
            Scalar::Int(s) => canonical_u64(s),
            Scalar::Str(_) => None,
        }
    }

    fn hash(&mut self, key: &str) -> Option<Hash> {
        lower_hex_hash(self.string(key)?)
    }

    fn has(&self, key: &str) -> bool {
        let sep = if self.first { "" } else { "," };
        self.rest.starts_with(&format!("{sep}\"{key}\":"))
    }

    fn finish(self) -> Option<()> {
        self.rest.is_empty().then_some(())
    }
}

/// A parsed event, before its payload is resolved.
struct EventFields {
    parent: Option<Hash>,
    height: u64,
    event_type: EventType,
    payload: Option<Hash>,
}

fn parse_event(bytes: &[u8]) -> Option<EventFields> {
    let mut flat = Flat::open(bytes)?;
    let parent = if flat.has("parent") { Some(flat.hash("parent")?) } else { None };
    let height = flat.int("height")?;
    let event_type = EventType::parse(flat.string("type")?)?;
    let payload = if flat.has("payload") { Some(flat.hash("payload")?) } else { None };
    flat.finish()?;
    let fields = EventFields { parent, height, event_type, payload };
    // The spelling is fixed: what parses must re-encode to the same bytes.
    (event_json(fields.parent.as_ref(), height, event_type, fields.payload.as_ref()) == bytes).then_some(fields)
}

/// Reads a `.bel` archive: every header byte, every name against its content's hash, the chain of events
/// (heights, parents), the records each event refers to, their order, and the sequence of event types.
pub fn read(bytes: &[u8], limits: &ArchiveLimits) -> Result<Archive, ArchiveError> {
    let entries = split_entries(bytes, limits)?;
    let first = entries.first().ok_or(ArchiveError::MissingHeaderEntry)?;
    if first.name != HEADER_ENTRY_NAME {
        return Err(ArchiveError::MissingHeaderEntry);
    }
    let timestamp = {
        let mut flat = Flat::open(first.content).ok_or(ArchiveError::BadHeaderEntry)?;
        if flat.int("version") != Some(1) {
            return Err(ArchiveError::BadHeaderEntry);
        }
        let timestamp = flat.string("timestamp").and_then(canonical_u64).ok_or(ArchiveError::BadHeaderEntry)?;
        flat.finish().ok_or(ArchiveError::BadHeaderEntry)?;
        timestamp
    };
    if timestamp > MAX_OCTAL_FIELD {
        return Err(ArchiveError::BadTimestamp(timestamp));
    }
    for (index, entry) in entries.iter().enumerate() {
        if entry.mtime != timestamp {
            return Err(ArchiveError::MtimeMismatch { index, mtime: entry.mtime, timestamp });
        }
    }

    let mut events = Vec::new();
    let mut pending: Vec<(Hash, &[u8])> = Vec::new();
    let mut phase = Phase::Empty;
    for (index, entry) in entries.iter().enumerate().skip(1) {
        let bad_name = || ArchiveError::BadName { index, name: entry.name.to_string() };
        let (stem, is_event) = if let Some(stem) = entry.name.strip_suffix(".data.json") {
            (stem, false)
        } else if let Some(stem) = entry.name.strip_suffix(".event.json") {
            (stem, true)
        } else {
            return Err(bad_name());
        };
        let name_hash = lower_hex_hash(stem).ok_or_else(bad_name)?;
        let actual = sha256(entry.content);
        if actual != name_hash {
            return Err(ArchiveError::HashMismatch { index, name: entry.name.to_string(), actual: to_hex(&actual) });
        }
        if !is_event {
            pending.push((actual, entry.content));
            continue;
        }
        let height = events.len() as u64;
        let fields = parse_event(entry.content).ok_or(ArchiveError::BadEvent { height })?;
        if fields.height != height {
            return Err(ArchiveError::WrongHeight { height, found: fields.height });
        }
        let expected_parent = events.last().map(|e: &Event| e.hash);
        if fields.parent != expected_parent {
            return Err(ArchiveError::WrongParent { height });
        }
        phase = phase.next(fields.event_type)?;
        let records = std::mem::take(&mut pending);
        let (body, payload) = resolve(height, fields.event_type, fields.payload, &records)?;
        events.push(Event { height, hash: actual, parent: fields.parent, payload, body });
    }
    if !pending.is_empty() {
        return Err(ArchiveError::TrailingData);
    }
    let archive = Archive { timestamp, events };
    // Every byte has been checked above; re-encoding is a second, independent statement of the same rule
    // (the archive is exactly what the writer produces), as Belenios' verifier checks it.
    if rebuild(&archive)? != bytes {
        return Err(ArchiveError::NotCanonical);
    }
    Ok(archive)
}

/// Matches the data records written before an event with what its payload refers to.
fn resolve(
    height: u64,
    event_type: EventType,
    payload: Option<Hash>,
    records: &[(Hash, &[u8])],
) -> Result<(EventBody, Option<Vec<u8>>), ArchiveError> {
    let unexpected = ArchiveError::UnexpectedData { height };
    let Some(payload) = payload else {
        if event_type != EventType::EndBallots {
            return Err(ArchiveError::BadEvent { height });
        }
        return if records.is_empty() { Ok((EventBody::EndBallots, None)) } else { Err(unexpected) };
    };
    if event_type == EventType::EndBallots {
        return Err(ArchiveError::BadEvent { height });
    }
    let Some(((last_hash, payload_bytes), referenced)) = records.split_last() else {
        return Err(ArchiveError::MissingPayload { height, payload: to_hex(&payload) });
    };
    if *last_hash != payload {
        return Err(ArchiveError::MissingPayload { height, payload: to_hex(&payload) });
    }
    let bad_record = |record| ArchiveError::BadRecord { height, record };
    // The records the payload refers to, in field order, must be exactly the ones before it.
    let check_refs = |refs: &[Hash]| -> Result<Vec<Vec<u8>>, ArchiveError> {
        if referenced.len() != refs.len() || referenced.iter().zip(refs).any(|((h, _), r)| h != r) {
            return Err(ArchiveError::UnexpectedData { height });
        }
        Ok(referenced.iter().map(|(_, c)| c.to_vec()).collect())
    };
    let body = match event_type {
        EventType::Setup => {
            let mut flat = Flat::open(payload_bytes).ok_or(bad_record("setup"))?;
            let refs = [flat.hash("election"), flat.hash("trustees"), flat.hash("credentials")];
            flat.finish().ok_or(bad_record("setup"))?;
            let refs: Vec<Hash> = refs.into_iter().collect::<Option<_>>().ok_or(bad_record("setup"))?;
            let mut data = check_refs(&refs)?.into_iter();
            let (election, trustees, credentials) = (data.next(), data.next(), data.next());
            EventBody::Setup {
                election: election.unwrap_or_default(),
                trustees: trustees.unwrap_or_default(),
                credentials: credentials.unwrap_or_default(),
            }
        }
        EventType::EncryptedTally => {
            let bad = || bad_record("sized encrypted tally");
            let mut flat = Flat::open(payload_bytes).ok_or_else(bad)?;
            let num_tallied = flat.int("num_tallied").ok_or_else(bad)?;
            let total_weight = match flat.field("total_weight").ok_or_else(bad)? {
                Scalar::Int(s) => canonical_u64(s).filter(|w| *w <= MAX_WEIGHT_AS_NUMBER),
                Scalar::Str(s) => canonical_u64(s).filter(|w| *w > MAX_WEIGHT_AS_NUMBER),
            }
            .ok_or_else(bad)?;
            let tally = flat.hash("encrypted_tally").ok_or_else(bad)?;
            flat.finish().ok_or_else(bad)?;
            let encrypted_tally = check_refs(&[tally])?.remove(0);
            EventBody::EncryptedTally { encrypted_tally, num_tallied, total_weight }
        }
        EventType::PartialDecryption => {
            let bad = || bad_record("owned partial decryption");
            let mut flat = Flat::open(payload_bytes).ok_or_else(bad)?;
            let owner = flat.int("owner").and_then(|o| u32::try_from(o).ok()).ok_or_else(bad)?;
            let pd = flat.hash("payload").ok_or_else(bad)?;
            flat.finish().ok_or_else(bad)?;
            if owner == 0 {
                return Err(ArchiveError::BadOwner);
            }
            let partial_decryption = check_refs(&[pd])?.remove(0);
            EventBody::PartialDecryption { owner, partial_decryption }
        }
        EventType::Ballot => {
            check_refs(&[])?;
            EventBody::Ballot(payload_bytes.to_vec())
        }
        EventType::Result => {
            check_refs(&[])?;
            EventBody::Result(payload_bytes.to_vec())
        }
        EventType::EndBallots => unreachable!("handled above"),
    };
    Ok((body, Some(payload_bytes.to_vec())))
}

/// Writes `archive` again with [`ArchiveWriter`].
pub fn rebuild(archive: &Archive) -> Result<Vec<u8>, ArchiveError> {
    let mut writer = ArchiveWriter::new(archive.timestamp)?;
    for event in &archive.events {
        writer.append(&event.body)?;
    }
    Ok(writer.into_bytes())
}
