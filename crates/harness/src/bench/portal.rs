//! The portal benchmark (`publica bench --workload portal`): how long the node takes to answer each of the
//! portal's main pages, with the demo town's data.
//!
//! A demo network (the one `publica dev` makes, in a temporary directory) is started on a free loopback port,
//! then each page is fetched `rounds` times over HTTP/1.1, one request at a time, each on a new connection, and its
//! median and 99th-percentile times are reported. The physical limit measured in the same run is the node's
//! cheapest answer over the same path: `GET /v1/status` (a connection, a request, a small JSON answer, no proof).
//! A page's ratio to it is what rendering the page costs above answering anything at all.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::bench::report::out;
use crate::home::free_local_addr;
use crate::node::{launch, runtime};

/// Largest answer read, bytes.
const MAX_ANSWER_BYTES: u64 = 8 << 20;
/// How long one request may take before the benchmark gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the portal workload is asked to do.
pub struct Params {
    /// Requests per page.
    pub rounds: usize,
}

/// One `GET` on a new connection: the status and the `Location` header, if any.
fn get(api: SocketAddr, path: &str) -> Result<(u16, Option<String>)> {
    let mut stream = TcpStream::connect(api)?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {api}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.take(MAX_ANSWER_BYTES).read_to_end(&mut answer)?;
    let head = String::from_utf8_lossy(&answer[..answer.len().min(4096)]).into_owned();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).context("an answer without a status line")?;
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .map(|l| l.trim().to_string());
    Ok((status, location))
}

/// Median and 99th percentile of `rounds` requests of `path`, milliseconds.
fn time(api: SocketAddr, path: &str, rounds: usize) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let (status, _) = get(api, path)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if status != 200 {
            bail!("GET {path} answered {status}");
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.99)))
}

/// Run the benchmark and print its report.
pub fn run(params: &Params) -> Result<()> {
    if params.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    let home = dir.path().join("dev");
    super::super::dev::create(&home, free_local_addr()?)?;
    let config = publica_node::NodeConfig::load(&home)?;
    let key = publica_node::load_validator_key(&publica_node::HomeLayout::new(&home), &config)?;
    out!("publica bench: workload portal, {} requests per page; seeding the demo town...", params.rounds);
    let rt = runtime()?;
    rt.block_on(async {
        let running = launch(&home, key).await?;
        let handle = running.handle();
        let seed_home = home.clone();
        tokio::task::spawn_blocking(move || super::super::dev::seed(&handle, &seed_home)).await??;
        let api = running.api_addr;
        let rounds = params.rounds;
        let report = tokio::task::spawn_blocking(move || measure(api, rounds)).await?;
        running.stop().await;
        report
    })
}

/// Time every page and print the table.
fn measure(api: SocketAddr, rounds: usize) -> Result<()> {
    // Records of the demo town, found the way a visitor finds them: through the search box.
    let company = get(api, "/search?q=Nordvik+Sawmill+AB")?.1.context("the demo company was not found")?;
    let at = publica_types::time::format_time_ms(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64 - 30_000,
    );
    let pages = [
        ("start", "/".to_string()),
        ("explorer, 20 latest blocks", "/blocks".to_string()),
        ("a block with its transactions", "/blocks/3".to_string()),
        ("an account", "/accounts/b75141ab8e2c3384daf0825f46243a655825e9da".to_string()),
        ("validators", "/validators".to_string()),
        ("notary log", "/notary".to_string()),
        ("a parcel, its map (neighbours), history", "/parcels/NV-A1-101".to_string()),
        ("a parcel and who owned it on a date", format!("/parcels/NV-A1-101?at={at}")),
        ("a company, diagram and filings", company),
        ("a permit", "/permits/BP-2026-0002".to_string()),
        ("verify a document (form)", "/verify".to_string()),
    ];
    let (floor, floor_p99) = time(api, "/v1/status", rounds)?;
    out!();
    out!("| page | path | median ms | p99 ms | median / limit |");
    out!("|---|---|---|---|---|");
    out!("| limit: the cheapest answer, GET /v1/status | `/v1/status` | {floor:.2} | {floor_p99:.2} | 1.0 |");
    for (name, path) in &pages {
        let (median, p99) = time(api, path, rounds)?;
        out!(
            "| {name} | `{}` | {median:.2} | {p99:.2} | {:.1} |",
            path.split('?').next().unwrap_or(path),
            median / floor
        );
    }
    Ok(())
}
