//! Parcel area in square metres, computed the same way on every machine.
//!
//! Only IEEE 754 basic operations (+, −, ×, ÷) are used, which are correctly rounded and so give identical bits on
//! every platform; Rust never contracts `a * b + c` into a fused multiply-add on its own. The sine is our own
//! polynomial, because the platform's `sin` is not guaranteed to be correctly rounded. The formula is the spherical
//! ring area `A = R²/2 · |Σ (λᵢ₊₁ − λᵢ₋₁) · sin φᵢ|` on a sphere of the WGS 84 authalic radius, with longitude
//! differences taken exactly in fixed point before conversion; for parcels its error is far below a square metre.

use super::polygon::{Point, Polygon, UNITS_PER_DEGREE};

/// Radius of the sphere with the WGS 84 ellipsoid's surface area, in metres.
pub const AUTHALIC_RADIUS_M: f64 = 6_371_007.180_918_5;

const PI: f64 = std::f64::consts::PI;
/// Radians per fixed-point unit.
const RAD_PER_UNIT: f64 = PI / (180.0 * UNITS_PER_DEGREE as f64);

/// sin(x) for |x| ≤ π/2 (latitudes): Taylor series to x^23, evaluated by Horner's rule. The truncation error
/// at π/2 is below 2e-18, under half an ulp of 1.
pub fn sin_deterministic(x: f64) -> f64 {
    // Coefficients (-1)^k / (2k+1)!, computed at compile time with correctly rounded division.
    const C: [f64; 12] = {
        let mut c = [0.0; 12];
        let mut fact = 1.0f64;
        let mut k = 0;
        while k < 12 {
            let n = (2 * k + 1) as f64;
            if k > 0 {
                fact = fact * (n - 1.0) * n;
            }
            c[k] = if k % 2 == 0 { 1.0 / fact } else { -1.0 / fact };
            k += 1;
        }
        c
    };
    let t = x * x;
    let mut acc = C[11];
    let mut k = 11;
    while k > 0 {
        k -= 1;
        acc = acc * t + C[k];
    }
    acc * x
}

fn ring_area_m2(ring: &[Point]) -> f64 {
    let n = ring.len();
    let mut sum = 0.0f64;
    for i in 0..n {
        let prev = ring[(i + n - 1) % n];
        let next = ring[(i + 1) % n];
        let dlon = (next.x - prev.x) as f64 * RAD_PER_UNIT;
        let lat = ring[i].y as f64 * RAD_PER_UNIT;
        sum += dlon * sin_deterministic(lat);
    }
    (sum * AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M / 2.0).abs()
}

/// The polygon's area in square metres, rounded to the nearest whole square metre.
pub fn area_m2(polygon: &Polygon) -> u64 {
    let rings = polygon.rings();
    let shell = ring_area_m2(&rings[0]);
    let holes: f64 = rings[1..].iter().map(|r| ring_area_m2(r)).sum();
    let area = (shell - holes).max(0.0);
    // Rounding half away from zero is exact in IEEE arithmetic (`round` is not a library approximation).
    area.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_matches_known_values() {
        assert_eq!(sin_deterministic(0.0), 0.0);
        assert!((sin_deterministic(PI / 2.0) - 1.0).abs() < 1e-15);
        assert!((sin_deterministic(PI / 6.0) - 0.5).abs() < 1e-15);
        assert!((sin_deterministic(-PI / 4.0) + std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-15);
    }

    #[test]
    fn a_hundred_metre_square_at_the_equator() {
        // 0.0009 degree of longitude at the equator is about 100.08 m on the authalic sphere.
        let s = 9_000;
        let p = Polygon::from_rings(vec![vec![
            Point { x: 0, y: 0 },
            Point { x: s, y: 0 },
            Point { x: s, y: s },
            Point { x: 0, y: s },
        ]])
        .unwrap();
        let a = area_m2(&p);
        assert!((10_010..10_025).contains(&a), "{a}");
    }
}
