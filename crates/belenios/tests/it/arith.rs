//! The 2048-bit and 256-bit arithmetic against num-bigint, and the measurement of its speed.

use num_bigint::BigUint;
use proptest::prelude::*;
use publica_belenios::arith::{parse_decimal, DecimalError, Fe};
use publica_belenios::group::{
    g, g_table, g_wide, multi_exp, Elem, FixedBase, Powers, WideBase, G_DECIMAL, P_DECIMAL, Q_DECIMAL,
};
use publica_belenios::Scalar;
use rand::RngCore;

fn p() -> BigUint {
    P_DECIMAL.parse().unwrap()
}

fn q() -> BigUint {
    Q_DECIMAL.parse().unwrap()
}

fn big(e: &Elem) -> BigUint {
    e.to_decimal().parse().unwrap()
}

fn big_s(s: &Scalar) -> BigUint {
    s.to_decimal().parse().unwrap()
}

/// A random element below p, with its model value.
fn random_fe(rng: &mut impl RngCore) -> (Elem, BigUint) {
    let mut bytes = [0u8; 256];
    rng.fill_bytes(&mut bytes);
    let v = BigUint::from_bytes_be(&bytes) % p();
    (Elem::from_decimal(&v.to_string()).unwrap(), v)
}

fn random_scalar(rng: &mut impl RngCore) -> (Scalar, BigUint) {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    let v = BigUint::from_bytes_be(&bytes) % q();
    (Scalar::from_decimal(&v.to_string()).unwrap(), v)
}

#[test]
fn the_group_constants_hold() {
    assert_eq!(g().to_decimal(), G_DECIMAL);
    assert!(g().is_member());
    assert_eq!(g().pow(&Scalar::ZERO), Elem::ONE);
    assert_eq!((p() - 1u32) % q(), BigUint::from(0u32));
}

#[test]
fn products_squares_and_inverses_match_the_model() {
    let mut rng = crate::rng(1);
    let p = p();
    for _ in 0..200 {
        let (a, am) = random_fe(&mut rng);
        let (b, bm) = random_fe(&mut rng);
        assert_eq!(big(&a.mul(&b)), &am * &bm % &p);
        assert_eq!(big(&a.sqr()), &am * &am % &p);
    }
    for _ in 0..5 {
        let (a, am) = random_fe(&mut rng);
        assert_eq!(big(&a.inv()), am.modpow(&(&p - 2u32), &p));
        assert_eq!(big(&a.inv().mul(&a)), BigUint::from(1u32));
    }
    // Edge values: 0, 1, p-1.
    let pm1 = Elem::from_decimal(&(&p - 1u32).to_string()).unwrap();
    assert_eq!(big(&pm1.sqr()), BigUint::from(1u32));
    assert_eq!(big(&pm1.mul(&Elem::ONE)), &p - 1u32);
    let zero = Elem::from_decimal("0").unwrap();
    assert_eq!(big(&zero.mul(&pm1)), BigUint::from(0u32));
    assert!(!zero.is_member());
    assert!(!pm1.is_member(), "p-1 has order 2, outside the subgroup of odd order q");
}

#[test]
fn exponentiations_match_the_model() {
    let mut rng = crate::rng(2);
    let p = p();
    let gm: BigUint = G_DECIMAL.parse().unwrap();
    let (y, ym) = random_fe(&mut rng);
    let y_table = FixedBase::new(&y);
    let y_wide = WideBase::new(&y);
    for _ in 0..10 {
        let (e, em) = random_scalar(&mut rng);
        let (f, fm) = random_scalar(&mut rng);
        let (a, am) = random_fe(&mut rng);
        assert_eq!(big(&a.pow(&e)), am.modpow(&em, &p));
        assert_eq!(big(&a.pow_secret(&e)), am.modpow(&em, &p));
        assert_eq!(big(&g_table().pow(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&g_table().pow_secret(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&y_table.pow(&e)), ym.modpow(&em, &p));
        assert_eq!(big(&y_table.pow_secret(&e)), ym.modpow(&em, &p));
        assert_eq!(big(&g_wide().pow(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&y_wide.pow(&e)), ym.modpow(&em, &p));
        let powers = Powers::new(&a);
        assert_eq!(big(&powers.pow(&e)), am.modpow(&em, &p));
        assert_eq!(big(&powers.pow(&f)), am.modpow(&fm, &p));
        let (b, bm) = random_fe(&mut rng);
        let model = am.modpow(&em, &p) * bm.modpow(&fm, &p) % &p * ym.modpow(&em, &p) % &p;
        assert_eq!(big(&multi_exp(&[(&a, &e), (&b, &f), (&y, &e)])), model);
    }
    // Exponents at the edges: 0, 1, q-1, and all ones in every window.
    let qm1 = Scalar::from_decimal(&(q() - 1u32).to_string()).unwrap();
    for e in [Scalar::ZERO, Scalar::ONE, qm1, Scalar::from_u64(u64::MAX)] {
        let em = big_s(&e);
        assert_eq!(big(&g_table().pow_secret(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&g().pow(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&Powers::new(&g()).pow(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&g().pow_secret(&e)), gm.modpow(&em, &p));
        assert_eq!(big(&g_wide().pow(&e)), gm.modpow(&em, &p));
    }
    assert_eq!(g().inv_member().mul(&g()), Elem::ONE);
    assert!(Powers::new(&g()).base_is_member());
}

#[test]
fn scalar_operations_match_the_model() {
    let mut rng = crate::rng(3);
    let q = q();
    for _ in 0..500 {
        let (a, am) = random_scalar(&mut rng);
        let (b, bm) = random_scalar(&mut rng);
        assert_eq!(big_s(&a.add(&b)), (&am + &bm) % &q);
        assert_eq!(big_s(&a.sub(&b)), (&am + &q - &bm) % &q);
        assert_eq!(big_s(&a.mul(&b)), (&am * &bm) % &q);
        assert_eq!(big_s(&a.neg()), (&q - &am) % &q);
        let mut h = [0u8; 32];
        rng.fill_bytes(&mut h);
        assert_eq!(big_s(&Scalar::from_hash(&h)), BigUint::from_bytes_be(&h) % &q);
    }
    assert_eq!(
        Scalar::from_hash(&[0xff; 32]),
        Scalar::from_decimal(&((BigUint::from(1u32) << 256u32) - 1u32 - &q).to_string()).unwrap()
    );
}

#[test]
fn decimal_forms_are_strict() {
    assert_eq!(Fe::from_decimal(""), Err(DecimalError::Empty));
    assert_eq!(Fe::from_decimal("012"), Err(DecimalError::LeadingZero));
    assert_eq!(Fe::from_decimal("+12"), Err(DecimalError::NotDigit(0)));
    assert_eq!(Fe::from_decimal("1 2"), Err(DecimalError::NotDigit(1)));
    assert_eq!(Fe::from_decimal("-1"), Err(DecimalError::NotDigit(0)));
    assert_eq!(Fe::from_decimal(P_DECIMAL), Err(DecimalError::TooLarge));
    assert_eq!(Scalar::from_decimal(Q_DECIMAL), Err(DecimalError::TooLarge));
    assert_eq!(parse_decimal::<1>("18446744073709551616"), Err(DecimalError::TooLarge));
    assert_eq!(parse_decimal::<1>("18446744073709551615"), Ok([u64::MAX]));
    assert_eq!(Fe::from_decimal(&"9".repeat(5000)), Err(DecimalError::TooLarge));
    assert_eq!(Fe::from_decimal("0").unwrap().to_decimal(), "0");
    assert_eq!(Scalar::ZERO.to_decimal(), "0");
}

proptest! {
    #[test]
    fn decimal_and_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 256)) {
        let v = BigUint::from_bytes_be(&bytes) % p();
        let text = v.to_string();
        let e = Fe::from_decimal(&text).unwrap();
        prop_assert_eq!(e.to_decimal(), text);
        let be = e.to_be_bytes();
        prop_assert_eq!(BigUint::from_bytes_be(&be), v);
        prop_assert_eq!(Fe::from_be_bytes(&be), Some(e));
    }

    #[test]
    fn scalar_decimals_round_trip(bytes in proptest::collection::vec(any::<u8>(), 32)) {
        let v = BigUint::from_bytes_be(&bytes) % q();
        let s = Scalar::from_decimal(&v.to_string()).unwrap();
        prop_assert_eq!(s.to_decimal(), v.to_string());
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`), so that time spent waiting for a CPU on a shared
/// machine is not counted; wall time where it is not available.
fn cpu_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| START.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64)
}

/// Microseconds of CPU per call: the best of 5 batches of at least 200 ms each (the CPU time the kernel reports
/// advances by scheduler ticks, so short batches would be measured in steps of a tick).
pub fn time_us(calls_per_check: u32, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = cpu_ns();
            let mut calls = 0u32;
            while cpu_ns() - start < 200_000_000 {
                for _ in 0..calls_per_check {
                    f();
                }
                calls += calls_per_check;
            }
            (cpu_ns() - start) as f64 / 1e3 / f64::from(calls)
        })
        .fold(f64::INFINITY, f64::min)
}

/// `cargo test -p publica-belenios --release -- --ignored --nocapture measure_arithmetic`
#[test]
#[ignore = "measurement; run in release mode"]
fn measure_arithmetic() {
    let mut rng = crate::rng(4);
    let (a, _) = random_fe(&mut rng);
    let (b, _) = random_fe(&mut rng);
    let (e, _) = random_scalar(&mut rng);
    let (f, _) = random_scalar(&mut rng);
    let mut x = a;
    let (mut mul, mut sqr) = (f64::INFINITY, f64::INFINITY);
    // Interleaved, so that both see the same load on a shared machine.
    for _ in 0..4 {
        mul = mul.min(time_us(5_000, || x = std::hint::black_box(x.mul(&b))));
        sqr = sqr.min(time_us(5_000, || x = std::hint::black_box(x.sqr())));
    }
    let _ = g_table();
    let fixed_secret = time_us(40, || x = std::hint::black_box(g_table().pow_secret(&e)));
    let fixed_public = time_us(40, || x = std::hint::black_box(g_table().pow(&e)));
    let _ = g_wide();
    let wide = time_us(40, || x = std::hint::black_box(g_wide().pow(&e)));
    let wide_table = time_us(1, || {
        std::hint::black_box(WideBase::new(&a));
    });
    let var_public = time_us(40, || x = std::hint::black_box(a.pow(&e)));
    let var_secret = time_us(40, || x = std::hint::black_box(a.pow_secret(&e)));
    let multi = time_us(40, || x = std::hint::black_box(multi_exp(&[(&a, &e), (&b, &f)])));
    let member = time_us(40, || assert!(std::hint::black_box(g()).is_member()));
    let table = time_us(1, || drop(std::hint::black_box(FixedBase::new(&a))));
    let powers = time_us(20, || {
        std::hint::black_box(Powers::new(&a));
    });
    let p = Powers::new(&a);
    let powers_pow = time_us(40, || x = std::hint::black_box(p.pow(&e)));
    let to_dec = time_us(1000, || drop(std::hint::black_box(a.to_decimal())));
    println!("mul {mul:.2} µs, sqr {sqr:.2} µs");
    println!("fixed-base pow: secret {fixed_secret:.1} µs, public {fixed_public:.1} µs; table {table:.0} µs");
    println!("wide fixed-base pow (public): {wide:.1} µs; table {wide_table:.0} µs");
    println!("variable pow: public {var_public:.1} µs, secret {var_secret:.1} µs; 2-base multi-exp {multi:.1} µs");
    println!("shared powers: build {powers:.1} µs, each pow {powers_pow:.1} µs");
    println!("is_member {member:.1} µs; to_decimal {to_dec:.2} µs");
}
