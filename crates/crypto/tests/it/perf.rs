//! Throughput measurements. Run with
//! `cargo test --release -p publica-crypto --test it perf -- --ignored --nocapture`.
//!
//! Besides wall-clock rates, the process CPU time of each section is reported (Linux only), because on a shared
//! machine wall-clock rates mostly measure the other processes: operations per CPU-second stay meaningful.

use std::time::Instant;

/// User + system CPU time of this process in seconds, from /proc/self/stat (Linux, USER_HZ = 100).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Runs `f`, returning its result with (wall seconds, CPU seconds).
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let cpu_start = cpu_seconds().unwrap_or(f64::NAN);
    let start = Instant::now();
    let value = f();
    let wall = start.elapsed().as_secs_f64();
    (value, wall, cpu_seconds().unwrap_or(f64::NAN) - cpu_start)
}

use publica_crypto::{signing_message, verify_batch, Keypair, PublicKey, Signature};

#[test]
#[ignore = "measurement; run in release mode"]
fn hybrid_throughput() {
    const N: usize = 10_000;
    let signers: Vec<Keypair> = (0..100u8).map(crate::keypair).collect();
    let messages: Vec<Vec<u8>> =
        (0..N).map(|i| signing_message("tx", "bench", &(i as u64).to_le_bytes().repeat(32))).collect();

    let (signatures, sign_wall, sign_cpu) =
        timed(|| messages.iter().enumerate().map(|(i, m)| signers[i % 100].sign(m)).collect::<Vec<Signature>>());
    let keys: Vec<&PublicKey> = (0..N).map(|i| signers[i % 100].public_key()).collect();
    let ((), verify_wall, verify_cpu) = timed(|| {
        for i in 0..N {
            keys[i].verify(&messages[i], &signatures[i]).unwrap();
        }
    });
    let ((), ml_dsa_wall, ml_dsa_cpu) = timed(|| {
        for i in 0..N {
            keys[i].ml_dsa().verify(&messages[i], signatures[i].ml_dsa_bytes()).unwrap();
        }
    });
    let ((), ed25519_wall, ed25519_cpu) = timed(|| {
        for i in 0..N {
            keys[i].ed25519().verify(&messages[i], signatures[i].ed25519_bytes()).unwrap();
        }
    });

    let items: Vec<(&PublicKey, &[u8], &Signature)> =
        (0..N).map(|i| (keys[i], &messages[i][..], &signatures[i])).collect();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let (results, batch_1_wall, batch_1_cpu) = timed(|| one.install(|| verify_batch(&items)));
    assert!(results.iter().all(Result::is_ok));
    let (results, batch_2_wall, batch_2_cpu) = timed(|| two.install(|| verify_batch(&items)));
    assert!(results.iter().all(Result::is_ok));

    let rate = |seconds: f64| N as f64 / seconds;
    println!("{N} operations each; rates per wall-clock second and per CPU-second");
    for (name, wall, cpu) in [
        ("hybrid sign, 1 thread", sign_wall, sign_cpu),
        ("hybrid verify, 1 thread", verify_wall, verify_cpu),
        ("  ML-DSA-65 verify only", ml_dsa_wall, ml_dsa_cpu),
        ("  Ed25519 ZIP-215 verify only", ed25519_wall, ed25519_cpu),
        ("verify_batch, 1 thread", batch_1_wall, batch_1_cpu),
        ("verify_batch, 2 threads", batch_2_wall, batch_2_cpu),
    ] {
        println!("{name:<32} {:>8.0}/s wall {:>8.0}/CPU-s", rate(wall), rate(cpu));
    }
}

#[test]
#[ignore = "measurement; run in release mode"]
fn public_key_parse_throughput() {
    const N: usize = 20_000;
    let bytes: Vec<Vec<u8>> = (0..100u8).map(|i| crate::keypair(i).public_key().to_bytes()).collect();
    let (_, wall, cpu) = timed(|| {
        for i in 0..N {
            std::hint::black_box(PublicKey::from_bytes(&bytes[i % 100]).unwrap());
        }
    });
    println!("public key parse: {:.1} µs wall, {:.1} µs CPU each", wall * 1e6 / N as f64, cpu * 1e6 / N as f64);
}
