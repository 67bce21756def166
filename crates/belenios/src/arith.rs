//! Fixed-size arithmetic for BELENIOS-2048: the field Z_p (2048 bits) in Montgomery form, and the scalars Z_q
//! (256 bits).
//!
//! # Representation
//!
//! A field value is 32 little-endian 64-bit limbs. [`Fe`] holds `x·R mod p` with `R = 2^2048`, always fully
//! reduced (`< p`), so equal values have equal limbs. Multiplication is Montgomery's CIOS form (the product row
//! by row with the reduction interleaved, `u128` for the 64×64-bit products), with each row's two passes fused
//! into one loop; squaring computes each cross product `a_i·a_j` (i < j) once, doubles them, adds the squares,
//! and then reduces the 4096-bit value two rows at a time. Fusing and pairing give each loop two independent
//! carry chains, which the processor runs side by side. Both end with a conditional subtraction of p done with
//! masks, so neither branches on data: the same code serves secret exponents.
//!
//! [`Scalar`] is an integer in `[0, q)` in normal form (4 limbs); its product uses a 4-limb Montgomery
//! multiplication twice (`a·b·R⁻¹`, then `·R²·R⁻¹`). Every scalar operation is constant-time.
//!
//! # Text forms
//!
//! Belenios writes every group element and scalar as a JSON string holding the decimal value: base 10, no sign,
//! no leading zero (`"0"` for zero). [`parse_decimal`] accepts exactly that and nothing else (empty, a leading
//! zero, a non-digit and a value that does not fit are refused with a [`DecimalError`] naming the problem);
//! the range checks (`< p` for elements, `< q` for scalars) follow in [`Fe::from_decimal`] and
//! [`Scalar::from_decimal`].
//!
//! # Hashes to scalars
//!
//! A Fiat–Shamir challenge is `int_be(SHA256(…)) mod q` ([`Scalar::from_hash`]). Since `q < 2^256 < 2q`, one
//! conditional subtraction reduces any 256-bit value exactly.

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// Limbs of a field value.
pub(crate) const LIMBS: usize = 32;
/// Limbs of a scalar.
pub(crate) const SCALAR_LIMBS: usize = 4;
/// Length of a field value in big-endian bytes.
pub const FE_BYTES: usize = LIMBS * 8;

/// The modulus p of BELENIOS-2048, 32 little-endian 64-bit limbs.
pub(crate) const P_LIMBS: [u64; 32] = [
    0xd9cec4157646e64f,
    0x1e59e0e6351e051e,
    0xb44f6cef17d70730,
    0x878affa2375e2999,
    0x6a4ccfa04ee4008f,
    0x555bc810941e021b,
    0xcb5de0acf66a3882,
    0x0e7992d0f18cc759,
    0x82d8c31911acdd4a,
    0xe3fada9e010840d0,
    0x9aa8599411d998d3,
    0x7f18fb1a8bc85827,
    0xbbb29c9ec3099b60,
    0x6b006517d6f6747e,
    0xd7229abe93a188b4,
    0xa3e14dfa9b2162f4,
    0x6b4fe17d8d47e843,
    0x7ebc15a349fa318a,
    0x0a4091d8fa447f6c,
    0x07435012768a2cdd,
    0x27a5022ddd8912d1,
    0x3fb8c3aabfff12ce,
    0x30c6e82ac36de1ae,
    0x07dd973f9c53e509,
    0xa2f85e0fb11c0ede,
    0x06e092a495af8d79,
    0x421f514ed40bfd4c,
    0x1e6d36856b428030,
    0x2791811d21fc35f2,
    0xb7dc7ef3a791b686,
    0xe39e568fccdffb0f,
    0xa3ef2d011fefb1b6,
];

/// The generator g of BELENIOS-2048, 32 little-endian limbs (normal form).
pub(crate) const G_LIMBS: [u64; 32] = [
    0xcf284308f1d7e653,
    0x41e1c91fe3823f4b,
    0x743d663f42d853c0,
    0x47aa680d43771902,
    0xac638f5f34100d2d,
    0xb7aeff04867d8724,
    0x3ac8b72fd04e0991,
    0x22127b6cbba44d45,
    0x3731ae4268d60d7f,
    0xc4ff49b1964c4a91,
    0xd2dde0ce514e0927,
    0x60a7ea574a61f552,
    0xf74b7a1615a274ba,
    0x1b9e519edcee8bb0,
    0x65f397c6b870df8c,
    0x6aef1be365fdd901,
    0xdf9c2458570b06d2,
    0x88fdb1a3381a697f,
    0x8fe5fb9cf9fdb8ea,
    0x643e673fd9d215fc,
    0xfd4f10d5b1a356a8,
    0xd4bc04e29f3748ae,
    0x301b894236823fe1,
    0x541e5219e0d0d094,
    0x8262ee68a0e92cea,
    0xd9d8976f01d95a1c,
    0x5a9dfd001d26ba31,
    0x988b98c259597f9c,
    0xe781878a52230a51,
    0x31fd1c5807b61fb1,
    0xd7caa3a78a42415e,
    0x1307c1ab5f295885,
];

/// R^2 mod p with R = 2^2048: multiplying by it moves a value into Montgomery form.
pub(crate) const R2_MOD_P: [u64; 32] = [
    0x261c3fa920085536,
    0x7b86db10a6006e65,
    0x3bf5613c63556494,
    0x22a2aa6655fbc27e,
    0x9dfa33883db80b2f,
    0x62505bee6d3192f4,
    0xc3eef01ff7878b90,
    0x8a6425873dec0ca5,
    0x1b0146207ba3e0d3,
    0xde424467593d80d4,
    0x9ae3d4d585e1d784,
    0x3c89e9bdfaa52e25,
    0x47f88ddabe6f6eea,
    0x45af07db9be80a59,
    0xa1d72eaa1e34c8dd,
    0x32fb7420ecc75d6c,
    0x9421e26d4556f78e,
    0x74fbe46b7f8101b4,
    0x0e39c252d205dec6,
    0x7b8892621d505d41,
    0x283651cb3ae2c7b8,
    0x0a204eea55fe96b5,
    0xdd63f04d53e3b4f9,
    0xdfbf67a73470243d,
    0x330692d38fbbd75b,
    0xfc23dfd9056fbaa8,
    0xc24e37ef5e88880f,
    0x655fd147600286b8,
    0x4997a9d145eb251e,
    0xe5d74597c5f9e1bd,
    0xd307b3b940eabfde,
    0x5faafca7a804de9d,
];

/// R mod p: the Montgomery form of 1.
pub(crate) const R_MOD_P: [u64; 32] = [
    0x26313bea89b919b1,
    0xe1a61f19cae1fae1,
    0x4bb09310e828f8cf,
    0x7875005dc8a1d666,
    0x95b3305fb11bff70,
    0xaaa437ef6be1fde4,
    0x34a21f530995c77d,
    0xf1866d2f0e7338a6,
    0x7d273ce6ee5322b5,
    0x1c052561fef7bf2f,
    0x6557a66bee26672c,
    0x80e704e57437a7d8,
    0x444d63613cf6649f,
    0x94ff9ae829098b81,
    0x28dd65416c5e774b,
    0x5c1eb20564de9d0b,
    0x94b01e8272b817bc,
    0x8143ea5cb605ce75,
    0xf5bf6e2705bb8093,
    0xf8bcafed8975d322,
    0xd85afdd22276ed2e,
    0xc0473c554000ed31,
    0xcf3917d53c921e51,
    0xf82268c063ac1af6,
    0x5d07a1f04ee3f121,
    0xf91f6d5b6a507286,
    0xbde0aeb12bf402b3,
    0xe192c97a94bd7fcf,
    0xd86e7ee2de03ca0d,
    0x4823810c586e4979,
    0x1c61a970332004f0,
    0x5c10d2fee0104e49,
];

/// -p^(-1) mod 2^64, the Montgomery reduction constant.
pub(crate) const P_INV: u64 = 0x1e7e4d1bf8a58f51;

/// The subgroup order q of BELENIOS-2048, 4 little-endian limbs.
pub(crate) const Q_LIMBS: [u64; 4] = [0xe20263387d55c491, 0xf0fa90c2168bc709, 0xf4daa0f2579db7f2, 0xadb6066a73522565];

/// R^2 mod q with R = 2^256.
pub(crate) const R2_MOD_Q: [u64; 4] = [0x86f97f21e709e1e9, 0x7dc1a384a29b91b0, 0x0ad58bc1dba6f5c0, 0x8668302335c7b5bb];

/// -q^(-1) mod 2^64.
pub(crate) const Q_INV: u64 = 0x27fd9552bdf1838f;

/// Why a decimal string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// The string is empty.
    Empty,
    /// The string starts with `0` and is longer than one character.
    LeadingZero,
    /// The byte at this position is not an ASCII digit.
    NotDigit(usize),
    /// The value does not fit, or is not below the modulus it must be reduced by.
    TooLarge,
}

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => write!(f, "the number is empty"),
            Self::LeadingZero => write!(f, "the number has a leading zero"),
            Self::NotDigit(at) => write!(f, "byte {at} is not a decimal digit (numbers are plain base 10, no sign)"),
            Self::TooLarge => write!(f, "the number is out of range"),
        }
    }
}

/// Parses a canonical decimal string into `N` little-endian limbs, refusing anything that does not fit.
pub fn parse_decimal<const N: usize>(text: &str) -> Result<[u64; N], DecimalError> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err(DecimalError::Empty);
    }
    if bytes[0] == b'0' && bytes.len() > 1 {
        return Err(DecimalError::LeadingZero);
    }
    if let Some(at) = bytes.iter().position(|b| !b.is_ascii_digit()) {
        return Err(DecimalError::NotDigit(at));
    }
    // A value of N limbs has at most ceil(N·64·log10(2)) digits; refusing longer strings first bounds the work.
    if bytes.len() > N * 20 {
        return Err(DecimalError::TooLarge);
    }
    let mut out = [0u64; N];
    for chunk in bytes.chunks(19) {
        let mut value = 0u64;
        for &b in chunk {
            value = value * 10 + u64::from(b - b'0');
        }
        let factor = 10u64.pow(chunk.len() as u32);
        // out = out·factor + value, refusing a carry out of the top limb.
        let mut carry = u128::from(value);
        for limb in out.iter_mut() {
            let t = u128::from(*limb) * u128::from(factor) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        if carry != 0 {
            return Err(DecimalError::TooLarge);
        }
    }
    Ok(out)
}

/// Writes little-endian limbs as a canonical decimal string (`"0"` for zero).
pub fn to_decimal(limbs: &[u64]) -> String {
    // Repeated division by 10^9 over 32-bit halves keeps every division a u64 by a constant, which compiles to
    // multiplications; this conversion runs for every number a ballot writes and hashes.
    let mut words: Vec<u32> = limbs.iter().flat_map(|&l| [l as u32, (l >> 32) as u32]).collect();
    while words.last() == Some(&0) {
        words.pop();
    }
    if words.is_empty() {
        return "0".to_string();
    }
    let mut groups: Vec<u32> = Vec::with_capacity(words.len() * 32 / 29 + 1);
    while !words.is_empty() {
        let mut rem = 0u64;
        for w in words.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*w);
            *w = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        groups.push(rem as u32);
        while words.last() == Some(&0) {
            words.pop();
        }
    }
    // Nine digits per group, written backwards into one buffer, then the leading zeros of the top group cut.
    let mut digits = vec![b'0'; groups.len() * 9];
    for (k, &group) in groups.iter().enumerate() {
        let mut v = group;
        let end = digits.len() - k * 9;
        for d in digits[end - 9..end].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    let start = digits.iter().position(|&d| d != b'0').unwrap_or(digits.len() - 1);
    digits.drain(..start);
    String::from_utf8(digits).expect("ASCII digits")
}

/// `a < b` on little-endian limbs, variable-time (for public values only).
pub(crate) fn lt<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// A mask of all ones when `a == b`, else zero, without a branch.
#[inline(always)]
pub(crate) fn ct_eq_mask(a: u64, b: u64) -> u64 {
    let x = a ^ b;
    ((x | x.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// `a - b` with the borrow (0 or 1).
#[inline(always)]
fn sub_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut borrow = 0u64;
    for i in 0..N {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        out[i] = d2;
        borrow = u64::from(b1 | b2);
    }
    (out, borrow)
}

/// `a + b` with the carry (0 or 1).
#[inline(always)]
fn add_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut carry = 0u64;
    for i in 0..N {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(carry);
        out[i] = s2;
        carry = u64::from(c1 | c2);
    }
    (out, carry)
}

/// Picks `a` where `mask` is all ones and `b` where it is zero.
#[inline(always)]
fn select<const N: usize>(mask: u64, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    for i in 0..N {
        out[i] = (a[i] & mask) | (b[i] & !mask);
    }
    out
}

/// The final step of a Montgomery product: the value `hi·2^(64N) + t` is below `2m`; subtract `m` once if it is
/// at least `m`, with masks.
#[inline(always)]
fn reduce_once<const N: usize>(t: &[u64; N], hi: u64, m: &[u64; N]) -> [u64; N] {
    let (d, borrow) = sub_limbs(t, m);
    // Take the difference when there was a carry out (the value is at least 2^(64N) > m) or no borrow.
    let take = hi | (borrow ^ 1);
    select(0u64.wrapping_sub(take), &d, t)
}

/// Montgomery product `a·b·R⁻¹ mod m` for `a, b < m`: operand scanning with the reduction interleaved (CIOS), its
/// two passes fused into one loop per limb of b. Each step carries two independent chains (`t + a·b_i` and `+ k·m`),
/// which the processor overlaps: with two separate passes each one waits on its own carries.
#[inline(always)]
fn mont_mul<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N], m_inv: u64) -> [u64; N] {
    let mut t = [0u64; N];
    let mut t_hi = 0u64;
    for &bi in b.iter() {
        let bi = u128::from(bi);
        // k makes the low limb of t + a·b_i + k·m vanish, so the sum divides by 2^64.
        let s = u128::from(t[0]) + u128::from(a[0]) * bi;
        let k = (s as u64).wrapping_mul(m_inv);
        let mut c1 = (s >> 64) as u64;
        let s2 = u128::from(s as u64) + u128::from(k) * u128::from(m[0]);
        let mut c2 = (s2 >> 64) as u64;
        let k = u128::from(k);
        for j in 1..N {
            let s = u128::from(t[j]) + u128::from(a[j]) * bi + u128::from(c1);
            c1 = (s >> 64) as u64;
            let s2 = u128::from(s as u64) + k * u128::from(m[j]) + u128::from(c2);
            c2 = (s2 >> 64) as u64;
            t[j - 1] = s2 as u64;
        }
        let s = u128::from(t_hi) + u128::from(c1) + u128::from(c2);
        t[N - 1] = s as u64;
        t_hi = (s >> 64) as u64;
    }
    reduce_once(&t, t_hi, m)
}

/// The Montgomery product mod p: [`mont_mul`] with two limbs of b per pass. Row i+1 starts on the limb that row i
/// has just finished, one step behind it, so each step runs four independent carry chains (row i's product and
/// reduction, row i+1's), which a processor with several multipliers overlaps.
#[inline(always)]
fn mont_mul_p(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let m = &P_LIMBS;
    let mut t = [0u64; LIMBS];
    let mut t_hi = 0u64;
    for i in (0..LIMBS).step_by(2) {
        let b0 = u128::from(b[i]);
        let b1 = u128::from(b[i + 1]);
        // Row i on limbs 0 and 1: its k, and its first output limb.
        let s = u128::from(t[0]) + u128::from(a[0]) * b0;
        let k0 = u128::from((s as u64).wrapping_mul(P_INV));
        let s2 = u128::from(s as u64) + k0 * u128::from(m[0]);
        let s = u128::from(t[1]) + u128::from(a[1]) * b0 + (s >> 64);
        let mut c1 = (s >> 64) as u64;
        let s2 = u128::from(s as u64) + k0 * u128::from(m[1]) + (s2 >> 64);
        let mut c2 = (s2 >> 64) as u64;
        // Row i+1 on that limb: its k.
        let s3 = u128::from(s2 as u64) + u128::from(a[0]) * b1;
        let k1 = u128::from((s3 as u64).wrapping_mul(P_INV));
        let mut c3 = (s3 >> 64) as u64;
        let mut c4 = ((u128::from(s3 as u64) + k1 * u128::from(m[0])) >> 64) as u64;
        for j in 2..LIMBS {
            let s = u128::from(t[j]) + u128::from(a[j]) * b0 + u128::from(c1);
            c1 = (s >> 64) as u64;
            let s2 = u128::from(s as u64) + k0 * u128::from(m[j]) + u128::from(c2);
            c2 = (s2 >> 64) as u64;
            let s3 = u128::from(s2 as u64) + u128::from(a[j - 1]) * b1 + u128::from(c3);
            c3 = (s3 >> 64) as u64;
            let s4 = u128::from(s3 as u64) + k1 * u128::from(m[j - 1]) + u128::from(c4);
            c4 = (s4 >> 64) as u64;
            t[j - 2] = s4 as u64;
        }
        // Row i's top limb, then row i+1's last step on it, and the carries into the top.
        let s = u128::from(t_hi) + u128::from(c1) + u128::from(c2);
        let s3 = u128::from(s as u64) + u128::from(a[LIMBS - 1]) * b1 + u128::from(c3);
        let s4 = u128::from(s3 as u64) + k1 * u128::from(m[LIMBS - 1]) + u128::from(c4);
        t[LIMBS - 2] = s4 as u64;
        let top = (s >> 64) + (s3 >> 64) + (s4 >> 64);
        t[LIMBS - 1] = top as u64;
        t_hi = (top >> 64) as u64;
    }
    reduce_once(&t, t_hi, m)
}

/// An element of Z_p in Montgomery form, fully reduced.
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
pub struct Fe(pub(crate) [u64; LIMBS]);

impl std::fmt::Debug for Fe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fe({})", self.to_decimal())
    }
}

impl Fe {
    /// The Montgomery form of 1.
    pub const ONE: Fe = Fe(R_MOD_P);
    /// Zero (its Montgomery form is zero too).
    pub const ZERO: Fe = Fe([0; LIMBS]);

    /// Converts a normal-form value below p.
    pub(crate) fn from_normal(x: &[u64; LIMBS]) -> Fe {
        debug_assert!(lt(x, &P_LIMBS));
        Fe(mont_mul_p(x, &R2_MOD_P))
    }

    /// The normal form of this value.
    pub fn to_normal(&self) -> [u64; LIMBS] {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        mont_mul_p(&self.0, &one)
    }

    /// Parses a canonical decimal value, which must be below p.
    pub fn from_decimal(text: &str) -> Result<Fe, DecimalError> {
        let x = parse_decimal::<LIMBS>(text)?;
        if !lt(&x, &P_LIMBS) {
            return Err(DecimalError::TooLarge);
        }
        Ok(Fe::from_normal(&x))
    }

    /// The canonical decimal form.
    pub fn to_decimal(&self) -> String {
        to_decimal(&self.to_normal())
    }

    /// Parses 256 big-endian bytes; `None` if the value is not below p.
    pub fn from_be_bytes(bytes: &[u8; FE_BYTES]) -> Option<Fe> {
        let mut x = [0u64; LIMBS];
        for (i, chunk) in bytes.rchunks_exact(8).enumerate() {
            x[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
        }
        lt(&x, &P_LIMBS).then(|| Fe::from_normal(&x))
    }

    /// The value as 256 big-endian bytes.
    pub fn to_be_bytes(&self) -> [u8; FE_BYTES] {
        let x = self.to_normal();
        let mut out = [0u8; FE_BYTES];
        for (i, chunk) in out.rchunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&x[i].to_be_bytes());
        }
        out
    }

    /// The product.
    #[inline]
    pub fn mul(&self, other: &Fe) -> Fe {
        Fe(mont_mul_p(&self.0, &other.0))
    }

    /// The square, with each cross product computed once.
    #[inline]
    pub fn sqr(&self) -> Fe {
        let a = &self.0;
        let mut t = [0u64; 2 * LIMBS];
        // Cross products a_i·a_j for i < j, one row per i. Each row is its own instance of a const-generic
        // function, so every inner loop has a fixed trip count and is unrolled like the multiplication's.
        cross_row::<0>(a, &mut t);
        cross_row::<1>(a, &mut t);
        cross_row::<2>(a, &mut t);
        cross_row::<3>(a, &mut t);
        cross_row::<4>(a, &mut t);
        cross_row::<5>(a, &mut t);
        cross_row::<6>(a, &mut t);
        cross_row::<7>(a, &mut t);
        cross_row::<8>(a, &mut t);
        cross_row::<9>(a, &mut t);
        cross_row::<10>(a, &mut t);
        cross_row::<11>(a, &mut t);
        cross_row::<12>(a, &mut t);
        cross_row::<13>(a, &mut t);
        cross_row::<14>(a, &mut t);
        cross_row::<15>(a, &mut t);
        cross_row::<16>(a, &mut t);
        cross_row::<17>(a, &mut t);
        cross_row::<18>(a, &mut t);
        cross_row::<19>(a, &mut t);
        cross_row::<20>(a, &mut t);
        cross_row::<21>(a, &mut t);
        cross_row::<22>(a, &mut t);
        cross_row::<23>(a, &mut t);
        cross_row::<24>(a, &mut t);
        cross_row::<25>(a, &mut t);
        cross_row::<26>(a, &mut t);
        cross_row::<27>(a, &mut t);
        cross_row::<28>(a, &mut t);
        cross_row::<29>(a, &mut t);
        cross_row::<30>(a, &mut t);
        const _: () = assert!(LIMBS == 32, "one cross_row per limb but the last");
        const _: () = assert!(LIMBS.is_multiple_of(2), "rows go in pairs in mont_mul_p and redc");
        // Doubled (the top bit of the cross sum is below 2^4095, so nothing is lost), then the squares added.
        for k in (1..2 * LIMBS).rev() {
            t[k] = (t[k] << 1) | (t[k - 1] >> 63);
        }
        t[0] <<= 1;
        let mut carry = 0u64;
        for i in 0..LIMBS {
            let sq = u128::from(a[i]) * u128::from(a[i]);
            let s = u128::from(t[2 * i]) + (sq & u128::from(u64::MAX)) + u128::from(carry);
            t[2 * i] = s as u64;
            let s = u128::from(t[2 * i + 1]) + (sq >> 64) + (s >> 64);
            t[2 * i + 1] = s as u64;
            carry = (s >> 64) as u64;
        }
        Fe(redc(&mut t))
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &Fe) -> bool {
        let mut diff = 0u64;
        for i in 0..LIMBS {
            diff |= self.0[i] ^ other.0[i];
        }
        diff == 0
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    /// Picks `a` where `mask` is all ones and `b` where it is zero.
    #[inline(always)]
    pub(crate) fn select(mask: u64, a: &Fe, b: &Fe) -> Fe {
        Fe(select(mask, &a.0, &b.0))
    }
}

/// Adds row I of a square's cross products, `a_I·a_j` for `j > I`, into `t` at `I + j`.
#[inline(always)]
fn cross_row<const I: usize>(a: &[u64; LIMBS], t: &mut [u64; 2 * LIMBS]) {
    let ai = u128::from(a[I]);
    let mut carry = 0u64;
    for j in I + 1..LIMBS {
        let s = u128::from(t[I + j]) + ai * u128::from(a[j]) + u128::from(carry);
        t[I + j] = s as u64;
        carry = (s >> 64) as u64;
    }
    t[I + LIMBS] = carry;
}

/// Montgomery reduction of a 4096-bit value `t < p·R`: `t·R⁻¹ mod p`.
///
/// Row i adds `k_i·p·2^(64i)` with `k_i = t_i·(−p⁻¹) mod 2^64`, which clears limb i. Rows go in pairs: once row i
/// has updated limb i+1, `k_(i+1)` is known, and the two rows then run in one loop (row i on limb j, row i+1 on
/// limb j, its own step j−1), so two independent carry chains overlap.
#[inline(always)]
fn redc(t: &mut [u64; 2 * LIMBS]) -> [u64; LIMBS] {
    let p = &P_LIMBS;
    let mut pending = 0u64;
    for i in (0..LIMBS).step_by(2) {
        let k0 = u128::from(t[i].wrapping_mul(P_INV));
        let s = u128::from(t[i]) + k0 * u128::from(p[0]);
        let s = u128::from(t[i + 1]) + k0 * u128::from(p[1]) + (s >> 64);
        let mut ca = (s >> 64) as u64;
        let t1 = s as u64;
        let k1 = u128::from(t1.wrapping_mul(P_INV));
        let mut cb = ((u128::from(t1) + k1 * u128::from(p[0])) >> 64) as u64;
        for j in 2..LIMBS {
            let s = u128::from(t[i + j]) + k0 * u128::from(p[j]) + u128::from(ca);
            ca = (s >> 64) as u64;
            let s2 = u128::from(s as u64) + k1 * u128::from(p[j - 1]) + u128::from(cb);
            cb = (s2 >> 64) as u64;
            t[i + j] = s2 as u64;
        }
        // Row i ends on limb i+N (with the carry left over from the rows before), row i+1 on limbs i+N and i+N+1.
        let s = u128::from(t[i + LIMBS]) + u128::from(ca) + u128::from(pending);
        let s2 = u128::from(s as u64) + k1 * u128::from(p[LIMBS - 1]) + u128::from(cb);
        t[i + LIMBS] = s2 as u64;
        let s3 = u128::from(t[i + LIMBS + 1]) + (s2 >> 64) + (s >> 64);
        t[i + LIMBS + 1] = s3 as u64;
        pending = (s3 >> 64) as u64;
    }
    let mut hi = [0u64; LIMBS];
    hi.copy_from_slice(&t[LIMBS..]);
    reduce_once(&hi, pending, &P_LIMBS)
}

/// An integer in `[0, q)`: an exponent, a challenge or a response.
#[derive(Clone, Copy, PartialEq, Eq, Default, Zeroize)]
pub struct Scalar(pub(crate) [u64; SCALAR_LIMBS]);

impl std::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scalar({})", self.to_decimal())
    }
}

impl Scalar {
    /// Zero.
    pub const ZERO: Scalar = Scalar([0; SCALAR_LIMBS]);
    /// One.
    pub const ONE: Scalar = Scalar([1, 0, 0, 0]);

    /// A small integer (every `u64` is below q).
    pub fn from_u64(v: u64) -> Scalar {
        Scalar([v, 0, 0, 0])
    }

    /// The 256-bit big-endian integer `bytes` reduced mod q, as Belenios reduces hashes and PBKDF2 outputs.
    pub fn from_hash(bytes: &[u8; 32]) -> Scalar {
        let mut x = [0u64; SCALAR_LIMBS];
        for (i, chunk) in bytes.rchunks_exact(8).enumerate() {
            x[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
        }
        // x < 2^256 < 2q: one conditional subtraction is the exact remainder.
        let (d, borrow) = sub_limbs(&x, &Q_LIMBS);
        Scalar(select(0u64.wrapping_sub(borrow ^ 1), &d, &x))
    }

    /// Parses a canonical decimal value, which must be below q.
    pub fn from_decimal(text: &str) -> Result<Scalar, DecimalError> {
        let x = parse_decimal::<SCALAR_LIMBS>(text)?;
        if !lt(&x, &Q_LIMBS) {
            return Err(DecimalError::TooLarge);
        }
        Ok(Scalar(x))
    }

    /// The canonical decimal form.
    pub fn to_decimal(&self) -> String {
        to_decimal(&self.0)
    }

    /// The value as 32 big-endian bytes.
    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, chunk) in out.rchunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&self.0[i].to_be_bytes());
        }
        out
    }

    /// A uniformly random scalar, by rejection: 256 random bits are kept only when below q.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Scalar {
        loop {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            let mut x = [0u64; SCALAR_LIMBS];
            for (i, chunk) in bytes.rchunks_exact(8).enumerate() {
                x[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
            }
            bytes.zeroize();
            if lt(&x, &Q_LIMBS) {
                return Scalar(x);
            }
        }
    }

    /// `self + other mod q`.
    pub fn add(&self, other: &Scalar) -> Scalar {
        let (s, carry) = add_limbs(&self.0, &other.0);
        Scalar(reduce_once(&s, carry, &Q_LIMBS))
    }

    /// `self - other mod q`.
    pub fn sub(&self, other: &Scalar) -> Scalar {
        let (d, borrow) = sub_limbs(&self.0, &other.0);
        let (fixed, _) = add_limbs(&d, &Q_LIMBS);
        Scalar(select(0u64.wrapping_sub(borrow), &fixed, &d))
    }

    /// `-self mod q`.
    pub fn neg(&self) -> Scalar {
        Scalar::ZERO.sub(self)
    }

    /// `self · other mod q`.
    pub fn mul(&self, other: &Scalar) -> Scalar {
        let t = mont_mul(&self.0, &other.0, &Q_LIMBS, Q_INV);
        Scalar(mont_mul(&t, &R2_MOD_Q, &Q_LIMBS, Q_INV))
    }

    /// Picks `a` where `mask` is all ones and `b` where it is zero.
    #[inline(always)]
    pub(crate) fn select(mask: u64, a: &Scalar, b: &Scalar) -> Scalar {
        Scalar(select(mask, &a.0, &b.0))
    }

    /// The `width` bits starting at bit `at` (public positions; the bits may be secret).
    #[inline(always)]
    pub(crate) fn window(&self, at: usize, width: usize) -> u64 {
        window(&self.0, at, width)
    }

    /// The limbs, little-endian.
    pub fn limbs(&self) -> &[u64; SCALAR_LIMBS] {
        &self.0
    }
}

/// The `width` (< 64) bits of `e` starting at bit `at`, zero beyond the end. Only the positions are branched on.
#[inline(always)]
pub(crate) fn window(e: &[u64], at: usize, width: usize) -> u64 {
    let limb = at / 64;
    let off = at % 64;
    if limb >= e.len() {
        return 0;
    }
    let mut v = e[limb] >> off;
    if off + width > 64 && limb + 1 < e.len() {
        v |= e[limb + 1] << (64 - off);
    }
    v & ((1u64 << width) - 1)
}
