//! Exact fractions for ownership shares.
//!
//! Shares are `numerator / denominator` with u64 parts. Sums and products are computed exactly in u128 and reduced
//! to lowest terms; a result whose reduced parts do not fit in u64 is refused rather than rounded, because a title
//! whose shares do not sum to exactly one is not a title.

use std::collections::BTreeMap;

use crate::call::{Share, MAX_OWNERS};
use publica_types::{Address, TxError};

use crate::error::{self, refuse};

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn too_fine() -> TxError {
    refuse(
        error::SHARES_TOO_FINE,
        "the shares are too fine to add or multiply exactly in 64-bit fractions; use smaller denominators",
    )
}

/// A fraction in lowest terms with u128 parts (an intermediate result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frac {
    n: u128,
    d: u128,
}

impl Frac {
    fn new(n: u128, d: u128) -> Frac {
        let g = gcd(n, d).max(1);
        Frac { n: n / g, d: d / g }
    }

    fn add(self, o: Frac) -> Result<Frac, TxError> {
        let g = gcd(self.d, o.d);
        let l = (self.d / g).checked_mul(o.d).ok_or_else(too_fine)?;
        let a = self.n.checked_mul(l / self.d).ok_or_else(too_fine)?;
        let b = o.n.checked_mul(l / o.d).ok_or_else(too_fine)?;
        Ok(Frac::new(a.checked_add(b).ok_or_else(too_fine)?, l))
    }

    fn mul(self, o: Frac) -> Result<Frac, TxError> {
        // Cross-reduce first so the products stay as small as possible.
        let g1 = gcd(self.n, o.d).max(1);
        let g2 = gcd(o.n, self.d).max(1);
        let n = (self.n / g1).checked_mul(o.n / g2).ok_or_else(too_fine)?;
        let d = (self.d / g2).checked_mul(o.d / g1).ok_or_else(too_fine)?;
        Ok(Frac::new(n, d))
    }

    fn to_u64(self) -> Result<(u64, u64), TxError> {
        Ok((u64::try_from(self.n).map_err(|_| too_fine())?, u64::try_from(self.d).map_err(|_| too_fine())?))
    }
}

/// Check that fractions (each with a non-zero denominator) sum to exactly one.
pub(crate) fn check_sum_one(shares: &[(u64, u64)]) -> Result<(), TxError> {
    let mut sum = Frac { n: 0, d: 1 };
    for &(n, d) in shares {
        if n == 0 || d == 0 || n > d {
            return Err(refuse(error::SHARE_NOT_A_FRACTION, format!("share {n}/{d} is not a fraction in (0, 1]")));
        }
        sum = sum.add(Frac::new(u128::from(n), u128::from(d)))?;
    }
    if sum.n != sum.d {
        return Err(refuse(
            error::SHARES_SUM_NOT_ONE,
            format!(
                "the shares sum to {}/{}, not to exactly one; correct the fractions so that they add up to 1",
                sum.n, sum.d
            ),
        ));
    }
    Ok(())
}

/// Validate shares given in a call: 1 to [`MAX_OWNERS`] distinct accounts, each share in (0, 1], summing to
/// exactly one. Returns `(account, numerator, denominator)` in lowest terms, sorted by account.
pub(crate) fn normalize(what: &str, shares: &[Share]) -> Result<Vec<(Address, u64, u64)>, TxError> {
    if shares.is_empty() || shares.len() > MAX_OWNERS {
        return Err(refuse(
            error::SHARE_COUNT_OUT_OF_RANGE,
            format!("{what}: 1 to {MAX_OWNERS} shares are needed, {} were given", shares.len()),
        ));
    }
    let mut out: BTreeMap<Address, (u64, u64)> = BTreeMap::new();
    for s in shares {
        if s.numerator == 0 || s.denominator == 0 || s.numerator > s.denominator {
            return Err(refuse(
                error::SHARE_NOT_A_FRACTION,
                format!(
                    "{what}: the share of {} is {}/{}; a share is a fraction greater than 0 and at most 1",
                    s.owner, s.numerator, s.denominator
                ),
            ));
        }
        let f = Frac::new(u128::from(s.numerator), u128::from(s.denominator)).to_u64()?;
        if out.insert(s.owner, f).is_some() {
            return Err(refuse(
                error::SHARE_OWNER_REPEATED,
                format!("{what}: account {} appears twice; give each owner one share", s.owner),
            ));
        }
    }
    let list: Vec<(u64, u64)> = out.values().copied().collect();
    check_sum_one(&list).map_err(|e| refuse(e.code, format!("{what}: {}", e.message)))?;
    Ok(out.into_iter().map(|(a, (n, d))| (a, n, d)).collect())
}

/// `share × part`, in lowest terms.
pub(crate) fn multiply(share: (u64, u64), part: (u64, u64)) -> Result<(u64, u64), TxError> {
    Frac::new(u128::from(share.0), u128::from(share.1)).mul(Frac::new(u128::from(part.0), u128::from(part.1)))?.to_u64()
}

/// `a + b`, in lowest terms.
pub(crate) fn add(a: (u64, u64), b: (u64, u64)) -> Result<(u64, u64), TxError> {
    Frac::new(u128::from(a.0), u128::from(a.1)).add(Frac::new(u128::from(b.0), u128::from(b.1)))?.to_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_products_are_exact() {
        assert!(check_sum_one(&[(1, 3), (1, 3), (1, 3)]).is_ok());
        assert!(check_sum_one(&[(1, 2), (1, 3)]).is_err());
        assert!(check_sum_one(&[(1, u64::MAX), (u64::MAX - 1, u64::MAX)]).is_ok());
        assert!(check_sum_one(&[(1, u64::MAX), (1, u64::MAX - 1)]).is_err());
        assert_eq!(multiply((1, 2), (2, 3)).unwrap(), (1, 3));
        assert_eq!(add((1, 6), (1, 3)).unwrap(), (1, 2));
        assert!(multiply((1, u64::MAX), (1, u64::MAX)).is_err());
    }
}
