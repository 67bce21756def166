//! The group BELENIOS-2048: the subgroup of order q of Z_p^*, with generator g.
//!
//! ```text
//! p = 2069478569…2880719   (2048 bits)      q = 7857173325…5223441   (256 bits, q | p − 1)
//! g = 2402352677…5308460627                 g^q ≡ 1 (mod p)
//! ```
//!
//! (The full values are in [`crate::arith`] as limbs and in [`P_DECIMAL`], [`Q_DECIMAL`], [`G_DECIMAL`].) The
//! election JSON names the group only by the string [`GROUP_NAME`].
//!
//! # Membership
//!
//! An element received from outside is accepted only if `1 ≤ x < p` and `x^q ≡ 1 (mod p)` ([`Elem::is_member`]).
//! Parsing ([`Elem::from_decimal`]) checks the range; every verification must also call `is_member` (or
//! [`Elem::parse_member`], which does both).
//!
//! # Exponentiation
//!
//! * [`FixedBase`]: for g and the election key y, a table of `b^(d·32^i)` for every 5-bit digit d and every
//!   window i (52 windows of 32 entries, 416 KiB). An exponentiation is 51 multiplications and no squaring.
//!   [`FixedBase::pow_secret`] reads every entry of each row and keeps the one it needs with masks, so the memory
//!   access pattern does not depend on the exponent; [`FixedBase::pow`] indexes directly, for public exponents.
//! * [`WideBase`]: the same idea with 8-bit digits (32 windows of 256 entries, 2 MiB, 8,160 multiplications to
//!   build), 31 multiplications per exponentiation, for public exponents only: verification, where g and y are
//!   raised to every challenge and response.
//! * [`Elem::pow_secret`]: any base with a secret exponent (a trustee's decryption): fixed 4-bit windows, every
//!   window the same 4 squarings and one multiplication by an entry selected with masks.
//! * [`multi_exp`]: products `b1^e1 · b2^e2 · …` with public exponents (Straus: one chain of squarings shared by
//!   all bases, each exponent in sliding windows of odd digits up to 31).
//! * [`Powers`]: one base raised to several public exponents (a ciphertext's α against the membership exponent q
//!   and each branch's challenge): the squarings `b^(16^i)` are computed once, and each exponent then costs at
//!   most 64 + 30 multiplications (Yao's method: bucket the windows by digit, combine the buckets by running
//!   products).

use std::sync::OnceLock;

use crate::arith::{ct_eq_mask, window, DecimalError, Fe, Scalar, G_LIMBS, LIMBS, P_LIMBS, Q_LIMBS};
use crate::error::BeleniosError;

/// The name of the group in an election.
pub const GROUP_NAME: &str = "BELENIOS-2048";
/// p in decimal.
pub const P_DECIMAL: &str = "20694785691422546401013643657505008064922989295751104097100884787057374219242717401922237254497684338129066633138078958404960054389636289796393038773905722803605973749427671376777618898589872735865049081167099310535867780980030790491654063777173764198678527273474476341835600035698305193144284561701911000786737307333564123971732897913240474578834468260652327974647951137672658693582180046317922073668860052627186363386088796882120769432366149491002923444346373222145884100586421050242120365433561201320481118852408731077014151666200162313177169372189248078507711827842317498073276598828825169183103125680162072880719";
/// q in decimal.
pub const Q_DECIMAL: &str = "78571733251071885079927659812671450121821421258408794611510081919805623223441";
/// g in decimal.
pub const G_DECIMAL: &str = "2402352677501852209227687703532399932712287657378364916510075318787663274146353219320285676155269678799694668298749389095083896573425601900601068477164491735474137283104610458681314511781646755400527402889846139864532661215055797097162016168270312886432456663834863635782106154918419982534315189740658186868651151358576410138882215396016043228843603930989333662772848406593138406010231675095763777982665103606822406635076697764025346253773085133173495194248967754052573659049492477631475991575198775177711481490920456600205478127054728238140972518639858334115700568353695553423781475582491896050296680037745308460627";

/// An element of Z_p^* (a group element once [`Elem::is_member`] holds).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Elem(pub(crate) Fe);

impl std::fmt::Debug for Elem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Elem({})", self.to_decimal())
    }
}

/// The generator g.
pub fn g() -> Elem {
    static G: OnceLock<Elem> = OnceLock::new();
    *G.get_or_init(|| Elem(Fe::from_normal(&G_LIMBS)))
}

/// g^(-1), for the `β / g^M` of proofs.
pub fn g_inv() -> Elem {
    static G_INV: OnceLock<Elem> = OnceLock::new();
    *G_INV.get_or_init(|| g().inv_member())
}

/// The fixed-base table of g, built on first use (about 2 ms).
pub fn g_table() -> &'static FixedBase {
    static TABLE: OnceLock<FixedBase> = OnceLock::new();
    TABLE.get_or_init(|| FixedBase::new(&g()))
}

/// `q - 1`, the exponent that inverts a subgroup member.
fn q_minus_one() -> Scalar {
    Scalar(Q_LIMBS).sub(&Scalar::ONE)
}

impl Elem {
    /// The identity.
    pub const ONE: Elem = Elem(Fe::ONE);

    /// Parses a canonical decimal value below p (not yet checked to be in the subgroup).
    pub fn from_decimal(text: &str) -> Result<Elem, DecimalError> {
        Fe::from_decimal(text).map(Elem)
    }

    /// Parses a canonical decimal value and checks that it is a member of the group; `what` names it in errors.
    pub fn parse_member(text: &str, what: &'static str) -> Result<Elem, BeleniosError> {
        let x = Elem::from_decimal(text).map_err(|reason| BeleniosError::Number { what, reason })?;
        if !x.is_member() {
            return Err(BeleniosError::NotInGroup { what });
        }
        Ok(x)
    }

    /// The canonical decimal form.
    pub fn to_decimal(&self) -> String {
        self.0.to_decimal()
    }

    /// The product.
    #[inline]
    pub fn mul(&self, other: &Elem) -> Elem {
        Elem(self.0.mul(&other.0))
    }

    /// The square.
    #[inline]
    pub fn sqr(&self) -> Elem {
        Elem(self.0.sqr())
    }

    /// The inverse of any non-zero value, by Fermat (`x^(p-2)`, a 2048-bit exponent; public values only).
    pub fn inv(&self) -> Elem {
        let mut e = P_LIMBS;
        e[0] -= 2;
        pow_limbs(self, &e)
    }

    /// The inverse of a subgroup member (`x^(q-1)`), much cheaper than [`Elem::inv`]; public values only.
    pub fn inv_member(&self) -> Elem {
        self.pow(&q_minus_one())
    }

    /// `self^e` for a public exponent (variable time).
    pub fn pow(&self, e: &Scalar) -> Elem {
        pow_limbs(self, &e.0)
    }

    /// `self^e` for a secret exponent: fixed 4-bit windows and table entries selected with masks.
    pub fn pow_secret(&self, e: &Scalar) -> Elem {
        let mut table = [Fe::ONE; 16];
        table[1] = self.0;
        for d in 2..16 {
            table[d] = table[d - 1].mul(&self.0);
        }
        let mut acc = Fe::ONE;
        for i in (0..64).rev() {
            for _ in 0..4 {
                acc = acc.sqr();
            }
            let digit = e.window(4 * i, 4);
            acc = acc.mul(&select_entry(&table, digit));
        }
        Elem(acc)
    }

    /// Whether `1 ≤ x < p` and `x^q ≡ 1 (mod p)`: membership of the order-q subgroup.
    pub fn is_member(&self) -> bool {
        !self.0.is_zero() && pow_limbs(self, &Q_LIMBS) == Elem::ONE
    }
}

/// Reads every entry of `table` and keeps entry `digit`, with masks.
#[inline(always)]
fn select_entry(table: &[Fe], digit: u64) -> Fe {
    let mut out = [0u64; LIMBS];
    for (k, entry) in table.iter().enumerate() {
        let mask = ct_eq_mask(k as u64, digit);
        for (o, e) in out.iter_mut().zip(entry.0.iter()) {
            *o |= e & mask;
        }
    }
    Fe(out)
}

/// `base^e` for a public exponent of any length, by sliding windows.
fn pow_limbs(base: &Elem, e: &[u64]) -> Elem {
    multi_exp_limbs(&[(base, e)])
}

/// Width of the sliding windows of [`multi_exp`].
const SLIDING_WIDTH: usize = 5;

/// `Π bases[i]^exponents[i]` for public exponents (variable time), by Straus' interleaved sliding windows.
pub fn multi_exp(terms: &[(&Elem, &Scalar)]) -> Elem {
    let limbs: Vec<(&Elem, &[u64])> = terms.iter().map(|(b, e)| (*b, &e.0[..])).collect();
    multi_exp_limbs(&limbs)
}

fn multi_exp_limbs(terms: &[(&Elem, &[u64])]) -> Elem {
    let bits = terms.iter().map(|(_, e)| e.len() * 64).max().unwrap_or(0);
    // Each exponent is recoded into odd digits below 2^w at the positions where a window ends; the table holds
    // the odd powers b, b^3, …, b^31.
    let mut digits: Vec<Vec<u8>> = Vec::with_capacity(terms.len());
    let mut tables: Vec<[Fe; 1 << (SLIDING_WIDTH - 1)]> = Vec::with_capacity(terms.len());
    for (base, e) in terms {
        let mut d = vec![0u8; bits];
        let bit = |i: usize| (e[i / 64] >> (i % 64)) & 1;
        let mut i = e.len() * 64;
        while i > 0 {
            let top = i - 1;
            if bit(top) == 0 {
                i -= 1;
                continue;
            }
            // The window runs from `top` down to the lowest set bit within SLIDING_WIDTH bits.
            let mut low = top.saturating_sub(SLIDING_WIDTH - 1);
            while bit(low) == 0 {
                low += 1;
            }
            d[low] = window(e, low, top - low + 1) as u8;
            i = low;
        }
        digits.push(d);
        let mut table = [base.0; 1 << (SLIDING_WIDTH - 1)];
        let sq = base.0.sqr();
        for k in 1..table.len() {
            table[k] = table[k - 1].mul(&sq);
        }
        tables.push(table);
    }
    let mut acc: Option<Fe> = None;
    for pos in (0..bits).rev() {
        if let Some(a) = acc.as_mut() {
            *a = a.sqr();
        }
        for (d, table) in digits.iter().zip(tables.iter()) {
            let digit = d[pos];
            if digit != 0 {
                let entry = &table[usize::from(digit >> 1)];
                acc = Some(match acc {
                    Some(a) => a.mul(entry),
                    None => *entry,
                });
            }
        }
    }
    Elem(acc.unwrap_or(Fe::ONE))
}

/// Bits per window of [`FixedBase`].
const FIXED_WIDTH: usize = 5;
/// Windows of [`FixedBase`]: enough for 256-bit exponents.
const FIXED_WINDOWS: usize = 256_usize.div_ceil(FIXED_WIDTH);
/// Entries per window of [`FixedBase`].
const FIXED_ENTRIES: usize = 1 << FIXED_WIDTH;

/// A table for fast exponentiation of one fixed base (g, or an election's public key y).
pub struct FixedBase {
    /// Row i holds `base^(d·32^i)` for d = 0..31.
    rows: Vec<[Fe; FIXED_ENTRIES]>,
}

impl std::fmt::Debug for FixedBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixedBase").field("base", &Elem(self.rows[0][1])).finish()
    }
}

impl FixedBase {
    /// Builds the table of `base` (about 1,800 multiplications).
    pub fn new(base: &Elem) -> FixedBase {
        let mut rows = Vec::with_capacity(FIXED_WINDOWS);
        let mut b = base.0;
        for _ in 0..FIXED_WINDOWS {
            let mut row = [Fe::ONE; FIXED_ENTRIES];
            row[1] = b;
            for d in 2..FIXED_ENTRIES {
                row[d] = row[d - 1].mul(&b);
            }
            b = row[FIXED_ENTRIES - 1].mul(&b);
            rows.push(row);
        }
        FixedBase { rows }
    }

    /// The base.
    pub fn base(&self) -> Elem {
        Elem(self.rows[0][1])
    }

    /// `base^e` for a secret exponent: every window reads its whole row and keeps one entry with masks.
    pub fn pow_secret(&self, e: &Scalar) -> Elem {
        let mut acc = select_entry(&self.rows[0], e.window(0, FIXED_WIDTH));
        for (i, row) in self.rows.iter().enumerate().skip(1) {
            acc = acc.mul(&select_entry(row, e.window(i * FIXED_WIDTH, FIXED_WIDTH)));
        }
        Elem(acc)
    }

    /// `base^e` for a public exponent (variable time).
    pub fn pow(&self, e: &Scalar) -> Elem {
        let mut acc: Option<Fe> = None;
        for (i, row) in self.rows.iter().enumerate() {
            let digit = e.window(i * FIXED_WIDTH, FIXED_WIDTH) as usize;
            if digit != 0 {
                acc = Some(match acc {
                    Some(a) => a.mul(&row[digit]),
                    None => row[digit],
                });
            }
        }
        Elem(acc.unwrap_or(Fe::ONE))
    }
}

/// Bits per window of [`WideBase`].
const WIDE_WIDTH: usize = 8;
/// Windows of [`WideBase`].
const WIDE_WINDOWS: usize = 256 / WIDE_WIDTH;
/// Entries per window of [`WideBase`].
const WIDE_ENTRIES: usize = 1 << WIDE_WIDTH;

/// A large table of one fixed base for public exponents (verification): `base^(d·256^i)` for every byte d and
/// every byte position i.
pub struct WideBase {
    /// Entry `i·256 + d` is `base^(d·256^i)`.
    entries: Vec<Fe>,
}

impl std::fmt::Debug for WideBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WideBase").field("base", &Elem(self.entries[1])).finish()
    }
}

impl WideBase {
    /// Builds the table of `base` (8,160 multiplications, 2 MiB).
    pub fn new(base: &Elem) -> WideBase {
        let mut entries = Vec::with_capacity(WIDE_WINDOWS * WIDE_ENTRIES);
        let mut b = base.0;
        for _ in 0..WIDE_WINDOWS {
            let start = entries.len();
            entries.push(Fe::ONE);
            entries.push(b);
            for d in 2..WIDE_ENTRIES {
                let next = entries[start + d - 1].mul(&b);
                entries.push(next);
            }
            b = entries[start + WIDE_ENTRIES - 1].mul(&b);
        }
        WideBase { entries }
    }

    /// `base^e` for a public exponent (variable time, and memory accesses that depend on e).
    pub fn pow(&self, e: &Scalar) -> Elem {
        let mut acc: Option<Fe> = None;
        for i in 0..WIDE_WINDOWS {
            let digit = e.window(i * WIDE_WIDTH, WIDE_WIDTH) as usize;
            if digit != 0 {
                let entry = &self.entries[i * WIDE_ENTRIES + digit];
                acc = Some(match acc {
                    Some(a) => a.mul(entry),
                    None => *entry,
                });
            }
        }
        Elem(acc.unwrap_or(Fe::ONE))
    }
}

/// The wide table of g, built on first use (about 15 ms), for verification.
pub fn g_wide() -> &'static WideBase {
    static TABLE: OnceLock<WideBase> = OnceLock::new();
    TABLE.get_or_init(|| WideBase::new(&g()))
}

/// Bits per window of [`Powers`].
const POWERS_WIDTH: usize = 4;
/// Windows of [`Powers`].
const POWERS_WINDOWS: usize = 256 / POWERS_WIDTH;

/// One base's powers `b^(16^i)`, to raise it to several public exponents sharing the squarings.
pub struct Powers {
    pows: [Fe; POWERS_WINDOWS],
}

impl std::fmt::Debug for Powers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Powers").field("base", &Elem(self.pows[0])).finish()
    }
}

impl Powers {
    /// The 252 squarings of `base`.
    pub fn new(base: &Elem) -> Powers {
        let mut pows = [base.0; POWERS_WINDOWS];
        for i in 1..POWERS_WINDOWS {
            let mut x = pows[i - 1];
            for _ in 0..POWERS_WIDTH {
                x = x.sqr();
            }
            pows[i] = x;
        }
        Powers { pows }
    }

    /// The base.
    pub fn base(&self) -> Elem {
        Elem(self.pows[0])
    }

    /// `base^e` for a public exponent (variable time).
    pub fn pow(&self, e: &Scalar) -> Elem {
        self.pow_limbs(&e.0)
    }

    fn pow_limbs(&self, e: &[u64; 4]) -> Elem {
        // bucket[d] = Π of the powers whose window digit is d; the result is Π bucket[d]^d, computed as the
        // product of the running products from the highest digit down.
        let mut buckets: [Option<Fe>; 1 << POWERS_WIDTH] = [None; 1 << POWERS_WIDTH];
        for (i, p) in self.pows.iter().enumerate() {
            let digit = window(e, i * POWERS_WIDTH, POWERS_WIDTH) as usize;
            if digit != 0 {
                buckets[digit] = Some(match buckets[digit] {
                    Some(b) => b.mul(p),
                    None => *p,
                });
            }
        }
        let mut running: Option<Fe> = None;
        let mut acc: Option<Fe> = None;
        for bucket in buckets[1..].iter().rev() {
            if let Some(b) = bucket {
                running = Some(match running {
                    Some(r) => r.mul(b),
                    None => *b,
                });
            }
            if let Some(r) = running {
                acc = Some(match acc {
                    Some(a) => a.mul(&r),
                    None => r,
                });
            }
        }
        Elem(acc.unwrap_or(Fe::ONE))
    }

    /// Whether the base is a group member (`1 ≤ b < p`, `b^q = 1`).
    pub fn base_is_member(&self) -> bool {
        !self.pows[0].is_zero() && self.pow_limbs(&Q_LIMBS) == Elem::ONE
    }
}

/// Parses a decimal scalar that must be below q; `what` names it in errors.
pub fn parse_scalar(text: &str, what: &'static str) -> Result<Scalar, BeleniosError> {
    Scalar::from_decimal(text).map_err(|reason| BeleniosError::Number { what, reason })
}
