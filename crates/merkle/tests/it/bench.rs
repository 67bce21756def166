//! Measurements at a million keys. Run with
//! `cargo test --release -p publica-merkle --test it -- --ignored --nocapture measure`.

use std::time::{Duration, Instant};

use publica_merkle::{key_hash, value_hash, Hash, StateTree};

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// CPU time of this process (user + system, all threads), from /proc in clock ticks of 10 ms.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the full line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn key(i: u64) -> Hash {
    key_hash(&i.to_le_bytes())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
#[ignore = "measurement; run in release mode"]
fn measure_million_keys() {
    const KEYS: u64 = 1_000_000;
    const BATCH: u64 = 40_000;

    let rss_before = rss_bytes();
    let started = Instant::now();
    let mut tree = StateTree::new();
    let nodes = tree.apply((0..KEYS).map(|i| (key(i), Some(value_hash(&i.to_be_bytes())))).collect());
    let build = started.elapsed();
    let node_count = nodes.len();
    drop(nodes);
    let rss_after = rss_bytes();
    assert_eq!(tree.len(), KEYS as usize);

    // 40,000 changes: half updates of existing keys, a third new keys, the rest deletions.
    let batch: Vec<(Hash, Option<Hash>)> = (0..BATCH)
        .map(|i| match i % 6 {
            0..=2 => (key(i * 24), Some(value_hash(&(i + 7).to_be_bytes()))),
            3 | 4 => (key(KEYS + i), Some(value_hash(&i.to_be_bytes()))),
            _ => (key(i * 24 + 1), None),
        })
        .collect();
    let mut apply_times = Vec::new();
    let mut new_nodes = 0;
    let mut apply_cpu = Duration::ZERO;
    for _ in 0..7 {
        let mut speculative = tree.clone();
        let changes = batch.clone();
        let cpu_started = cpu_time();
        let started = Instant::now();
        new_nodes = speculative.apply(changes).len();
        apply_times.push(started.elapsed());
        if let (Some(before), Some(after)) = (cpu_started, cpu_time()) {
            apply_cpu += after - before;
        }
    }
    let apply = median(apply_times);

    let probes: Vec<Hash> = (0..10_000u64).map(|i| key(i * 97)).collect();
    let absent: Vec<Hash> = (0..10_000u64).map(|i| key(KEYS * 2 + i)).collect();
    let started = Instant::now();
    let proofs: Vec<_> = probes.iter().map(|k| tree.prove(k)).collect();
    let prove = started.elapsed() / probes.len() as u32;
    let absent_proofs: Vec<_> = absent.iter().map(|k| tree.prove(k)).collect();
    let sizes: Vec<usize> = proofs.iter().map(|p| borsh::to_vec(p).unwrap().len()).collect();
    let absent_sizes: Vec<usize> = absent_proofs.iter().map(|p| borsh::to_vec(p).unwrap().len()).collect();
    let mean = |s: &[usize]| s.iter().sum::<usize>() as f64 / s.len() as f64;
    let root = tree.root();
    let values: Vec<Hash> = probes.iter().map(|k| tree.get(k).unwrap()).collect();
    let started = Instant::now();
    for ((proof, k), v) in proofs.iter().zip(&probes).zip(&values) {
        proof.verify_hashed(&root, k, Some(v)).unwrap();
    }
    let verify = started.elapsed() / probes.len() as u32;

    let started = Instant::now();
    let clone = tree.clone();
    let clone_time = started.elapsed();
    drop(clone);

    println!("build {KEYS} keys in one batch: {} ms ({node_count} nodes)", build.as_millis());
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        println!("memory: {:.0} bytes per key (RSS growth)", (after - before) as f64 / KEYS as f64);
    }
    println!(
        "apply {BATCH} changes on {KEYS} keys: {:.1} ms wall (median of 7), {:.0} ms CPU on average \
         ({new_nodes} new nodes)",
        apply.as_secs_f64() * 1e3,
        apply_cpu.as_secs_f64() * 1e3 / 7.0
    );
    println!(
        "proof size (borsh): membership mean {:.0} B, max {} B; non-membership mean {:.0} B, max {} B",
        mean(&sizes),
        sizes.iter().max().unwrap(),
        mean(&absent_sizes),
        absent_sizes.iter().max().unwrap()
    );
    println!("prove: {:.2} us, verify: {:.2} us per proof", prove.as_secs_f64() * 1e6, verify.as_secs_f64() * 1e6);
    println!("clone: {} ns", clone_time.as_nanos());
}
