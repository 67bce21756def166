//! The store: records round-trip encrypted, open only with the vault's key in their own place, and stay unreadable
//! once shredded, across a restart.

use publica_client::api::vault::RecordFields;
use publica_crypto::envelope::KeyEncryptionKey;
use publica_data::call::ErasureOrder;
use publica_types::{Address, AgencyId, ChainId, Hash};
use publica_vault::record::{open_content, seal_content, RecordContent};
use publica_vault::store::{ErasedRecord, ReleaseState, StoredRecord, StoredRelease};
use publica_vault::{Store, VaultError};
use serde_json::json;

fn agency() -> AgencyId {
    "hospital".parse().unwrap()
}

fn chain() -> ChainId {
    "test".parse().unwrap()
}

fn kek() -> KeyEncryptionKey {
    KeyEncryptionKey::from_bytes(&[0x4b; 32])
}

fn content() -> RecordContent {
    let fields: RecordFields =
        serde_json::from_value(json!({"blood_type": "O+", "allergies": ["penicillin"], "notes": "a distinctive note"}))
            .unwrap();
    RecordContent::new(Address([3; 20]), "health.summary", &fields).unwrap()
}

/// A record sealed for the store, with its commitment.
fn sealed(content: &RecordContent) -> (Hash, StoredRecord) {
    let commitment = content.commitment().unwrap();
    let (wrapped_key, sealed) = seal_content(&kek(), &agency(), &commitment, content).unwrap();
    let record = StoredRecord {
        category: content.category.clone(),
        fields: content.field_count(),
        ingested_at_ms: 1,
        id: None,
        registered_at_ms: None,
        register_tx: None,
        wrapped_key,
        sealed,
    };
    (commitment, record)
}

#[test]
fn a_record_round_trips_through_the_store_and_opens_only_with_the_vault_key() {
    let dir = tempfile::tempdir().unwrap();
    let content = content();
    let (commitment, record) = sealed(&content);
    {
        let store = Store::open(dir.path(), &agency(), &chain()).unwrap();
        store.put_record(&commitment, &record).unwrap();
        assert_eq!(store.unregistered().unwrap(), vec![(commitment, 1)]);
        store.set_registered(&commitment, 7, Some(1_000)).unwrap();
        assert!(store.put_record(&commitment, &record).is_err(), "a commitment is stored once");
    }
    let store = Store::open(dir.path(), &agency(), &chain()).unwrap();
    assert_eq!(store.commitment_of(7).unwrap(), Some(commitment));
    assert!(store.unregistered().unwrap().is_empty());
    let back = store.record(&commitment).unwrap().unwrap();
    assert_eq!((back.id, back.registered_at_ms, back.category.as_str()), (Some(7), Some(1_000), "health.summary"));
    let opened = open_content(&kek(), &agency(), &commitment, &back.wrapped_key, &back.sealed).unwrap();
    assert_eq!(opened, content);
    assert_eq!(opened.commitment().unwrap(), commitment);
    // The field values are nowhere in the store's entry.
    let entry = borsh::to_vec(&back).unwrap();
    assert!(!entry.windows(b"distinctive".len()).any(|w| w == b"distinctive"));

    // Another key-encryption key, another agency, another commitment: nothing opens.
    let other_kek = KeyEncryptionKey::from_bytes(&[0x4c; 32]);
    let e = open_content(&other_kek, &agency(), &commitment, &back.wrapped_key, &back.sealed).unwrap_err();
    assert!(matches!(e, VaultError::Crypto(_)) && e.to_string().contains("does not unwrap"), "{e}");
    let customs: AgencyId = "customs".parse().unwrap();
    assert!(open_content(&kek(), &customs, &commitment, &back.wrapped_key, &back.sealed).is_err());
    assert!(open_content(&kek(), &agency(), &[9; 32], &back.wrapped_key, &back.sealed).is_err());
    // Another record's ciphertext under this record's key: refused.
    let (other_commitment, other) = sealed(&self::content());
    assert_ne!(other_commitment, commitment, "fresh salts make a fresh commitment");
    assert!(open_content(&kek(), &agency(), &commitment, &back.wrapped_key, &other.sealed).is_err());
}

#[test]
fn a_store_belongs_to_one_agency_on_one_chain_and_one_process() {
    let dir = tempfile::tempdir().unwrap();
    {
        let _store = Store::open(dir.path(), &agency(), &chain()).unwrap();
        let e = Store::open(dir.path(), &agency(), &chain()).unwrap_err();
        assert!(matches!(e, VaultError::Locked { .. }), "{e}");
    }
    let e = Store::open(dir.path(), &"customs".parse().unwrap(), &chain()).unwrap_err();
    assert!(e.to_string().contains("holds the records of agency hospital"), "{e}");
    let e = Store::open(dir.path(), &agency(), &"other".parse().unwrap()).unwrap_err();
    assert!(e.to_string().contains("on chain test"), "{e}");
}

#[test]
fn a_shredded_record_is_unreadable_and_stays_so_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let content = content();
    let (commitment, record) = sealed(&content);
    let ciphertext_start = record.sealed.ciphertext[..24].to_vec();
    let release = StoredRelease {
        record: 7,
        sha256: [5; 32],
        bytes: 3,
        sealed: Some(vec![1, 2, 3]),
        state: ReleaseState::Served { tx: None },
    };
    let erased = ErasedRecord {
        commitment,
        order: ErasureOrder::Owner,
        erased_at_ms: 2_000,
        statement: "{}".into(),
        statement_sha256: publica_crypto::sha256(b"{}"),
        tx: None,
        recorded: false,
    };
    {
        let store = Store::open(dir.path(), &agency(), &chain()).unwrap();
        store.put_record(&commitment, &record).unwrap();
        store.set_registered(&commitment, 7, None).unwrap();
        store.put_release(11, &release).unwrap();
        // Overwrites do not count twice (the store's approximate lengths would).
        store.set_registered(&commitment, 7, None).unwrap();
        assert_eq!(store.counts().0, 1);
        // The ciphertext reaches the store's tables before it is erased.
        store.flush().unwrap();
        assert!(files_holding(dir.path(), &ciphertext_start).iter().any(|p| in_tables(p)));
        assert_eq!(store.shred(7, &erased, 2_000).unwrap(), vec![11]);
        assert!(store.shred(7, &erased, 2_001).unwrap().is_empty(), "erasing twice changes nothing");
    }
    let store = Store::open(dir.path(), &agency(), &chain()).unwrap();
    assert!(store.record(&commitment).unwrap().is_none(), "the wrapped key and the ciphertext are gone");
    assert_eq!(store.commitment_of(7).unwrap(), None);
    assert_eq!(store.erased(7).unwrap(), Some(erased.clone()));
    assert_eq!(store.unrecorded().unwrap(), vec![(7, erased)]);
    let withdrawn = store.release(11).unwrap().unwrap();
    assert_eq!(withdrawn.sealed, None);
    assert!(matches!(withdrawn.state, ReleaseState::Withdrawn { ref reason, .. } if reason == "record_erased"));
    store.set_erasure_tx(7, Some(publica_types::TxId([1; 32])), true).unwrap();
    assert!(store.unrecorded().unwrap().is_empty());
    assert_eq!(store.counts(), (0, 1, 0), "held, erased, waiting");
    drop(store);

    // After the flush and the compaction, the ciphertext's bytes are in no table of the store. (The journal may keep
    // them until fjall retires it: the store's documentation says so.)
    let found = files_holding(dir.path(), &ciphertext_start);
    let tables: Vec<_> = found.iter().filter(|p| in_tables(p)).collect();
    assert!(tables.is_empty(), "the erased ciphertext is still in {tables:?}");
}

fn in_tables(path: &std::path::Path) -> bool {
    path.components().any(|c| c.as_os_str() == "tables")
}

/// The files under `dir` that contain `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|path| std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle)))
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
