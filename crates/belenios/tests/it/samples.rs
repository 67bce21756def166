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
