//! The sample elections made by belenios-tool 2.0 (`tests/data/<run>/`): `extracted/` is the final archive
//! unpacked (entries named by the SHA-256 of their content), with the tool's credential files and election.

use std::path::PathBuf;

use publica_belenios::election::Election;
use publica_belenios::json::{parse, Json, Limits};

/// The three runs: Pedersen 2 of 3; one trustee with blank allowed; weights 1, 2, 3.
pub const RUNS: [&str; 3] = ["threshold", "single", "weighted"];

/// Generous limits for test inputs.
pub const LIMITS: Limits = Limits { max_bytes: 1 << 22, max_depth: 16 };

pub fn dir(run: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(run)
}

pub fn read(run: &str, name: &str) -> Vec<u8> {
    std::fs::read(dir(run).join(name)).unwrap_or_else(|e| panic!("{run}/{name}: {e}"))
}

pub fn text(run: &str, name: &str) -> String {
    String::from_utf8(read(run, name)).unwrap().trim_end_matches('\n').to_string()
}

/// An archive entry by its hex name.
pub fn entry(run: &str, hash: &str, kind: &str) -> Vec<u8> {
    read(run, &format!("extracted/{hash}.{kind}.json"))
}

/// The events of the archive in chain order.
pub fn events(run: &str) -> Vec<(String, Json)> {
    let mut events: Vec<(String, Json)> = std::fs::read_dir(dir(run).join("extracted"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.strip_suffix(".event.json").map(str::to_string))
        .map(|hash| {
            let json = parse(&entry(run, &hash, "event"), LIMITS).unwrap();
            (hash, json)
        })
        .collect();
    events.sort_by_key(|(_, e)| e.get("height").unwrap().as_u64().unwrap());
    events
}

/// Every data entry's bytes, by name (`<hash>.data.json`).
pub fn data_entries(run: &str) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir(run).join("extracted"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".data.json"))
        .map(|n| {
            let bytes = read(run, &format!("extracted/{n}"));
            (n, bytes)
        })
        .collect()
}

/// The election as stored in the archive (the Setup payload's `election`).
pub fn election_bytes(run: &str) -> Vec<u8> {
    let (_, setup) = events(run).into_iter().next().unwrap();
    let payload = setup.get("payload").unwrap().as_str().unwrap().to_string();
    let setup_data = parse(&entry(run, &payload, "data"), LIMITS).unwrap();
    entry(run, setup_data.get("election").unwrap().as_str().unwrap(), "data")
}

pub fn election(run: &str) -> Election {
    Election::parse(&election_bytes(run)).unwrap()
}

/// The ballots of the archive, in event order.
pub fn ballots(run: &str) -> Vec<Vec<u8>> {
    events(run)
        .into_iter()
        .filter(|(_, e)| e.get("type").unwrap().as_str() == Some("Ballot"))
        .map(|(_, e)| entry(run, e.get("payload").unwrap().as_str().unwrap(), "data"))
        .collect()
}

/// The public credential list stored in the archive.
pub fn public_credentials(run: &str) -> Vec<String> {
    let (_, setup) = events(run).into_iter().next().unwrap();
    let payload = setup.get("payload").unwrap().as_str().unwrap().to_string();
    let setup_data = parse(&entry(run, &payload, "data"), LIMITS).unwrap();
    let creds = parse(&entry(run, setup_data.get("credentials").unwrap().as_str().unwrap(), "data"), LIMITS).unwrap();
    creds.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
}

/// The archives in `tests/data/bel/`: two made by belenios-tool 2.0's demo scripts (three Single trustees with
/// weights up to 9·10^10, a blank question, revotes; a Single and a Pedersen 2-of-3), two by an independent
/// implementation of the specification that belenios-tool verifies (a blank question with min 1 and max 2,
/// control characters in the description, a weight of 2·10^9).
pub const BEL_FILES: [&str; 4] =
    ["5oPiVKKxHZQAf7.bel", "2ThQk9PKiq6AqK.bel", "ZdRRY7mzzhpud6.bel", "WE1aQZn5pKCyh5.bel"];

/// The entries of a `.bel` file: (name, content). The format is a plain tar of 512-byte headers (name at 0,
/// size in octal at 124) each followed by its content padded to 512 bytes.
pub fn bel_entries(file: &str) -> Vec<(String, Vec<u8>)> {
    let bytes = read("bel", file);
    let mut entries = Vec::new();
    let mut at = 0;
    while at + 512 <= bytes.len() {
        let header = &bytes[at..at + 512];
        let name_len = header[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = String::from_utf8(header[..name_len].to_vec()).unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&header[124..135]).unwrap(), 8).unwrap();
        entries.push((name, bytes[at + 512..at + 512 + size].to_vec()));
        at += 512 + size.div_ceil(512) * 512;
    }
    assert_eq!(at, bytes.len());
    entries
}

/// The election and the ballots of a `.bel` file.
pub fn bel_election_and_ballots(file: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let entries = bel_entries(file);
    let get =
        |hash: &str| entries.iter().find(|(n, _)| n.starts_with(hash) && n.ends_with(".data.json")).unwrap().1.clone();
    let events: Vec<Json> =
        entries.iter().filter(|(n, _)| n.ends_with(".event.json")).map(|(_, c)| parse(c, LIMITS).unwrap()).collect();
    let setup = parse(&get(events[0].get("payload").unwrap().as_str().unwrap()), LIMITS).unwrap();
    let election = get(setup.get("election").unwrap().as_str().unwrap());
    let ballots = events
        .iter()
        .filter(|e| e.get("type").unwrap().as_str() == Some("Ballot"))
        .map(|e| get(e.get("payload").unwrap().as_str().unwrap()))
        .collect();
    (election, ballots)
}
