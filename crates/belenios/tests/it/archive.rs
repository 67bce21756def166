//! The `.bel` archive: every belenios-tool sample read and rebuilt byte for byte, the writer's event sequence,
//! and tampered archives refused with the defect named.

use std::path::PathBuf;

use publica_belenios::archive::{self, ArchiveError, ArchiveLimits, ArchiveWriter, EventBody, EventType};

/// The test data: `archives/<run>/*.bel` are belenios-tool's archives of the sample elections (`final.bel`, and
/// `stage*.bel` copies taken along the way; `timing/ballots-10.bel` is an election of 10 six-answer ballots),
/// `trustees/<run>/` the trustees' files of the same runs.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The archive `archives/<path>`.
pub fn sample_archive_bytes(path: &str) -> Vec<u8> {
    std::fs::read(data_dir().join("archives").join(path)).unwrap()
}

/// Every sample archive: the final one of each election and every stage kept along the way.
fn sample_archives() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for run in ["threshold", "single", "weighted", "timing"] {
        for entry in std::fs::read_dir(data_dir().join("archives").join(run)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "bel") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn threshold_final() -> Vec<u8> {
    sample_archive_bytes("threshold/final.bel")
}

fn read(bytes: &[u8]) -> Result<archive::Archive, ArchiveError> {
    archive::read(bytes, &ArchiveLimits::default())
}

#[test]
fn every_sample_archive_is_read_and_rebuilt_byte_for_byte_through_the_writer() {
    let archives = sample_archives();
    assert_eq!(archives.len(), 9, "samples found: {archives:?}");
    for path in archives {
        let bytes = std::fs::read(&path).unwrap();
        let parsed = read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Rebuilt through the typed writer calls, as Publica writes an archive, not from the raw payloads.
        let mut writer = ArchiveWriter::new(parsed.timestamp).unwrap();
        for event in &parsed.events {
            let head = match &event.body {
                EventBody::Setup { election, trustees, credentials } => writer.setup(election, trustees, credentials),
                EventBody::Ballot(b) => writer.ballot(b),
                EventBody::EndBallots => writer.end_ballots(),
                EventBody::EncryptedTally { encrypted_tally, num_tallied, total_weight } => {
                    writer.encrypted_tally(encrypted_tally, *num_tallied, *total_weight)
                }
                EventBody::PartialDecryption { owner, partial_decryption } => {
                    writer.partial_decryption(*owner, partial_decryption)
                }
                EventBody::Result(r) => writer.result(r),
            }
            .unwrap();
            assert_eq!(head, event.hash);
            assert_eq!(writer.head(), Some(event.hash));
        }
        assert_eq!(writer.bytes(), &bytes[..], "{}", path.display());
        assert_eq!(writer.height(), parsed.events.len() as u64);
    }
}

#[test]
fn the_threshold_sample_has_the_events_and_names_belenios_tool_listed() {
    let parsed = read(&threshold_final()).unwrap();
    assert_eq!(parsed.timestamp, 1796398155);
    let types: Vec<EventType> = parsed.events.iter().map(|e| e.body.event_type()).collect();
    use EventType::*;
    assert_eq!(
        types,
        [Setup, Ballot, Ballot, Ballot, Ballot, Ballot, Ballot, EndBallots, EncryptedTally, PartialDecryption]
            .into_iter()
            .chain([PartialDecryption, Result])
            .collect::<Vec<_>>()
    );
    assert!(hex::encode(parsed.events[0].hash).starts_with("a5ef"));
    assert!(hex::encode(parsed.head().unwrap()).starts_with("3d2a"));
    assert_eq!(parsed.events[0].parent, None);
    let EventBody::Result(result) = &parsed.events[11].body else { panic!() };
    assert_eq!(result, br#"{"result":[[1,2,1]]}"#);
    let EventBody::PartialDecryption { owner, .. } = &parsed.events[10].body else { panic!() };
    assert_eq!(*owner, 3);
    let EventBody::EncryptedTally { num_tallied, total_weight, .. } = &parsed.events[8].body else { panic!() };
    assert_eq!((*num_tallied, *total_weight), (5, 5));
    // The stored election is the election.json file without its trailing newline.
    let EventBody::Setup { election, .. } = &parsed.events[0].body else { panic!() };
    let file = std::fs::read(data_dir().join("threshold/election.json")).unwrap();
    assert_eq!(&file[..file.len() - 1], &election[..]);
}

#[test]
fn a_resumed_writer_extends_a_stage_into_the_next_one() {
    let stage2 = sample_archive_bytes("threshold/stage2-revote.bel");
    let stage3 = sample_archive_bytes("threshold/stage3-tally.bel");
    let later = read(&stage3).unwrap();
    let mut writer = ArchiveWriter::resume(stage2, &ArchiveLimits::default()).unwrap();
    for event in &later.events[writer.height() as usize..] {
        writer.append(&event.body).unwrap();
    }
    assert_eq!(writer.into_bytes(), stage3);
}

#[test]
fn the_timestamp_may_change_if_it_changes_everywhere() {
    let parsed = read(&threshold_final()).unwrap();
    for timestamp in [0, 1234567890, 4102444800] {
        let mut moved = parsed.clone();
        moved.timestamp = timestamp;
        let bytes = archive::rebuild(&moved).unwrap();
        let again = read(&bytes).unwrap();
        assert_eq!(again.timestamp, timestamp);
        // The chain does not cover the timestamp: the head is unchanged.
        assert_eq!(again.head(), parsed.head());
    }
    assert_eq!(ArchiveWriter::new(1 << 33).unwrap_err(), ArchiveError::BadTimestamp(1 << 33));
}

/// The offset of the content of entry `index`.
fn entry_offsets(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let size = usize::from_str_radix(std::str::from_utf8(&bytes[offset + 124..offset + 135]).unwrap(), 8).unwrap();
        out.push((offset, size));
        offset += 512 + size.div_ceil(512) * 512;
    }
    out
}

/// Rewrites the header checksum of the header at `offset` after a change.
fn fix_checksum(bytes: &mut [u8], offset: usize) {
    let h = &mut bytes[offset..offset + 512];
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

#[test]
fn a_changed_content_byte_is_a_hash_mismatch_naming_the_entry() {
    let mut bytes = threshold_final();
    let entries = entry_offsets(&bytes);
    let (offset, _) = entries[6];
    bytes[offset + 512 + 20] ^= 1;
    match read(&bytes) {
        Err(ArchiveError::HashMismatch { index: 6, name, .. }) => assert!(name.ends_with(".data.json")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrong_parent_is_refused_at_its_height() {
    // Rebuild the chain by hand with a parent pointing two events back, names recomputed, so that only the
    // chain rule catches it.
    let parsed = read(&threshold_final()).unwrap();
    let mut writer = ArchiveWriter::new(parsed.timestamp).unwrap();
    writer.append(&parsed.events[0].body).unwrap();
    writer.append(&parsed.events[1].body).unwrap();
    let mut bytes = writer.into_bytes();
    let ballot = &parsed.events[2];
    let payload = archive::sha256(ballot.payload.as_ref().unwrap());
    let event = archive::event_json(Some(&parsed.events[0].hash), 2, EventType::Ballot, Some(&payload));
    bytes.extend(tar_entry(&format!("{}.data.json", hex::encode(payload)), ballot.payload.as_ref().unwrap()));
    bytes.extend(tar_entry(&format!("{}.event.json", hex::encode(archive::sha256(&event))), &event));
    assert_eq!(read(&bytes), Err(ArchiveError::WrongParent { height: 2 }));

    // A height that skips one is refused too.
    let mut bytes = bytes[..bytes.len() - 1024].to_vec();
    let event = archive::event_json(Some(&parsed.events[1].hash), 3, EventType::Ballot, Some(&payload));
    bytes.extend(tar_entry(&format!("{}.event.json", hex::encode(archive::sha256(&event))), &event));
    assert_eq!(read(&bytes), Err(ArchiveError::WrongHeight { height: 2, found: 3 }));
}

/// One entry framed as belenios-tool frames it, with the threshold sample's timestamp.
fn tar_entry(name: &str, content: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", content.len()).as_bytes());
    h[136..148].copy_from_slice(format!("{:011o}\0", 1796398155u64).as_bytes());
    h[156] = b'0';
    fix_checksum(&mut h, 0);
    h.extend_from_slice(content);
    h.resize(h.len().div_ceil(512) * 512, 0);
    h
}

#[test]
fn end_blocks_are_refused() {
    let mut bytes = threshold_final();
    let entries = entry_offsets(&bytes).len();
    bytes.extend_from_slice(&[0u8; 1024]);
    assert_eq!(read(&bytes), Err(ArchiveError::EndBlock { index: entries }));
    bytes.resize(bytes.len() + 10240 - bytes.len() % 10240, 0);
    assert_eq!(read(&bytes), Err(ArchiveError::EndBlock { index: entries }));
}

#[test]
fn a_missing_or_misplaced_belenios_entry_is_refused() {
    let bytes = threshold_final();
    let entries = entry_offsets(&bytes);
    let second = entries[1].0;
    assert_eq!(read(&bytes[second..]), Err(ArchiveError::MissingHeaderEntry));
    assert_eq!(read(&[]), Err(ArchiveError::MissingHeaderEntry));
    // BELENIOS second instead of first.
    let mut swapped = bytes[second..entries[2].0].to_vec();
    swapped.extend_from_slice(&bytes[..second]);
    swapped.extend_from_slice(&bytes[entries[2].0..]);
    assert_eq!(read(&swapped), Err(ArchiveError::MissingHeaderEntry));
}

#[test]
fn header_defects_are_each_named() {
    let original = threshold_final();
    let cases: [(usize, &[u8], ArchiveError); 6] = [
        (100, b"0000600\0", ArchiveError::HeaderField { index: 2, field: "mode" }),
        (108, b"0001750\0", ArchiveError::HeaderField { index: 2, field: "uid" }),
        (257, b"ustar\0", ArchiveError::HeaderField { index: 2, field: "linkname, magic, owner names or prefix" }),
        (156, b"5", ArchiveError::HeaderField { index: 2, field: "typeflag" }),
        (0, b"./", ArchiveError::BadName { index: 2, name: String::new() }),
        (136, b"15304556114\0", ArchiveError::MtimeMismatch { index: 2, mtime: 1796398156, timestamp: 1796398155 }),
    ];
    let offset = entry_offsets(&original)[2].0;
    for (at, patch, expected) in cases {
        let mut bytes = original.clone();
        if at == 0 {
            // A "./" prefix: the name shifts right.
            let name = bytes[offset..offset + 98].to_vec();
            bytes[offset..offset + 2].copy_from_slice(patch);
            bytes[offset + 2..offset + 100].copy_from_slice(&name);
        } else {
            bytes[offset + at..offset + at + patch.len()].copy_from_slice(patch);
        }
        fix_checksum(&mut bytes, offset);
        match (read(&bytes), expected) {
            (Err(ArchiveError::BadName { index: 2, name }), ArchiveError::BadName { .. }) => {
                assert!(name.starts_with("./"))
            }
            (got, expected) => assert_eq!(got, Err(expected)),
        }
    }
    let mut bytes = original.clone();
    bytes[offset + 148] ^= 1;
    assert_eq!(read(&bytes), Err(ArchiveError::HeaderChecksum { index: 2 }));
    // A non-NUL byte in the padding of the BELENIOS entry.
    let mut bytes = original.clone();
    bytes[511 + 100] = b'x';
    assert_eq!(read(&bytes), Err(ArchiveError::Padding { index: 0 }));
    assert_eq!(read(&original[..original.len() - 1]), Err(ArchiveError::NotBlockAligned(original.len() - 1)));
    assert_eq!(read(&original[..original.len() - 512]), Err(ArchiveError::Truncated { index: 29 }));
}

#[test]
fn the_belenios_entry_must_be_exact() {
    for content in [
        &br#"{"timestamp":"1796398155","version":1}"#[..],
        br#"{"version":1,"timestamp":1796398155}"#,
        br#"{"version":1, "timestamp":"1796398155"}"#,
        br#"{"version":2,"timestamp":"1796398155"}"#,
        br#"{"version":1,"timestamp":"01796398155"}"#,
        b"{\"version\":1,\"timestamp\":\"1796398155\"}\n",
    ] {
        let mut bytes = tar_entry("BELENIOS", content);
        bytes.extend_from_slice(&threshold_final()[1024..]);
        assert_eq!(read(&bytes), Err(ArchiveError::BadHeaderEntry), "{}", String::from_utf8_lossy(content));
    }
}

#[test]
fn records_out_of_place_missing_or_left_over_are_refused() {
    let bytes = threshold_final();
    let e = entry_offsets(&bytes);
    // Election and trustees swapped.
    let mut swapped = bytes[..e[1].0].to_vec();
    swapped.extend_from_slice(&bytes[e[2].0..e[3].0]);
    swapped.extend_from_slice(&bytes[e[1].0..e[2].0]);
    swapped.extend_from_slice(&bytes[e[3].0..]);
    assert_eq!(read(&swapped), Err(ArchiveError::UnexpectedData { height: 0 }));
    // The last event removed, its payload left.
    let last = e.last().unwrap().0;
    assert_eq!(read(&bytes[..last]), Err(ArchiveError::TrailingData));
    // The last event and its payload removed: a valid prefix.
    assert_eq!(read(&bytes[..e[e.len() - 2].0]).unwrap().events.len(), 11);
    // The first ballot duplicated before its event.
    let mut dup = bytes[..e[6].0].to_vec();
    dup.extend_from_slice(&bytes[e[6].0..e[7].0]);
    dup.extend_from_slice(&bytes[e[6].0..]);
    assert_eq!(read(&dup), Err(ArchiveError::UnexpectedData { height: 1 }));
    // A ballot's event without its ballot.
    let mut missing = bytes[..e[6].0].to_vec();
    missing.extend_from_slice(&bytes[e[7].0..]);
    assert!(matches!(read(&missing), Err(ArchiveError::MissingPayload { height: 1, .. })));
}

#[test]
fn a_non_canonical_event_is_refused_even_with_names_recomputed() {
    let parsed = read(&threshold_final()).unwrap();
    let mut writer = ArchiveWriter::new(parsed.timestamp).unwrap();
    writer.append(&parsed.events[0].body).unwrap();
    let mut bytes = writer.into_bytes();
    let payload = parsed.events[1].payload.clone().unwrap();
    let p = hex::encode(archive::sha256(&payload));
    let parent = hex::encode(parsed.events[0].hash);
    bytes.extend(tar_entry(&format!("{p}.data.json"), &payload));
    for event in [
        format!(r#"{{"height":1,"parent":"{parent}","type":"Ballot","payload":"{p}"}}"#),
        format!(r#"{{"parent":"{parent}", "height":1,"type":"Ballot","payload":"{p}"}}"#),
        format!(r#"{{"parent":"{parent}","height":01,"type":"Ballot","payload":"{p}"}}"#),
        format!(r#"{{"parent":"{}","height":1,"type":"Ballot","payload":"{p}"}}"#, parent.to_uppercase()),
    ] {
        let mut b = bytes.clone();
        b.extend(tar_entry(
            &format!("{}.event.json", hex::encode(archive::sha256(event.as_bytes()))),
            event.as_bytes(),
        ));
        assert_eq!(read(&b), Err(ArchiveError::BadEvent { height: 1 }), "{event}");
    }
}

#[test]
fn the_writer_keeps_the_event_sequence() {
    let mut w = ArchiveWriter::new(0).unwrap();
    assert_eq!(w.ballot(b"{}"), Err(ArchiveError::OutOfOrder { event: "Ballot", after: "the start" }));
    w.setup(b"e", b"t", b"c").unwrap();
    assert!(matches!(w.setup(b"e", b"t", b"c"), Err(ArchiveError::OutOfOrder { event: "Setup", .. })));
    assert!(matches!(w.encrypted_tally(b"[]", 0, 0), Err(ArchiveError::OutOfOrder { .. })));
    w.ballot(b"{}").unwrap();
    w.end_ballots().unwrap();
    assert!(matches!(w.ballot(b"{}"), Err(ArchiveError::OutOfOrder { event: "Ballot", .. })));
    assert!(matches!(w.result(b"{}"), Err(ArchiveError::OutOfOrder { event: "Result", .. })));
    w.encrypted_tally(b"[]", 1, 5_000_000_000).unwrap();
    assert_eq!(w.partial_decryption(0, b"{}"), Err(ArchiveError::BadOwner));
    w.partial_decryption(1, b"{}").unwrap();
    w.partial_decryption(1, b"{}").unwrap();
    let head = w.result(b"{}").unwrap();
    assert!(matches!(w.end_ballots(), Err(ArchiveError::OutOfOrder { event: "EndBallots", after: "Result" })));
    // A large total weight is written as a string and read back.
    let bytes = w.into_bytes();
    let parsed = read(&bytes).unwrap();
    assert_eq!(parsed.head(), Some(head));
    assert_eq!(
        parsed.events[3].payload.as_deref().map(|p| p.starts_with(br#"{"num_tallied":1,"total_weight":"5000000000","#)),
        Some(true)
    );
    // Nothing is deduplicated: the same partial decryption twice is written twice.
    assert_eq!(parsed.events.len(), 7);
}

#[test]
fn limits_are_enforced() {
    let bytes = threshold_final();
    let small = ArchiveLimits { archive_bytes_max: 1000, ..ArchiveLimits::default() };
    assert_eq!(archive::read(&bytes, &small), Err(ArchiveError::TooLarge(bytes.len())));
    let few = ArchiveLimits { entries_max: 5, ..ArchiveLimits::default() };
    assert_eq!(archive::read(&bytes, &few), Err(ArchiveError::TooManyEntries(5)));
    let tiny = ArchiveLimits { entry_bytes_max: 1000, ..ArchiveLimits::default() };
    assert!(matches!(archive::read(&bytes, &tiny), Err(ArchiveError::EntryTooLarge { index: 2, size: 11421 })));
}

#[test]
fn a_changed_byte_anywhere_in_an_archive_is_refused() {
    let original = threshold_final();
    // Every 61st byte: across the 176 blocks this reaches every header field, contents and padding.
    for at in (0..original.len()).step_by(61) {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        assert!(read(&bytes).is_err(), "byte {at} changed and the archive was accepted");
    }
}
