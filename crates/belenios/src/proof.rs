//! Fiat–Shamir hashes, disjunctive Chaum–Pedersen proofs of ElGamal plaintexts, and the credential's Schnorr
//! signature.
//!
//! # Hash to Z_q
//!
//! `Hq(P, [x1, …, xn]) = int_be(SHA256(P ‖ dec(x1) ‖ "," ‖ … ‖ "," ‖ dec(xn))) mod q`; every prefix `P` ends
//! with `|` ([`hash_to_scalar`]).
//!
//! # Disjunctive proofs
//!
//! A branch j states that a ciphertext `(a_j, b_j)` encrypts `M_j`: `a_j = g^ρ`, `b_j / g^(M_j) = y^ρ` for some ρ.
//! A proof is one `{challenge c_j, response t_j}` per branch, and verifies when
//!
//! ```text
//! A_j = g^(t_j) · a_j^(c_j)        B_j = y^(t_j) · (b_j / g^(M_j))^(c_j)
//! Σ_j c_j ≡ Hq(P, [A_0, B_0, A_1, B_1, …])  (mod q)
//! ```
//!
//! with every `c_j, t_j < q`. The prover knows for every branch the exponents of its statement (`a_j = g^(ρ_j)`,
//! `b_j = y^(ρ_j)·g^(m_j)`), and one branch (the real one) where `m_j = M_j`. For the simulated branches it draws
//! `c_j, t_j` and computes the commitments from the fixed bases only:
//! `A_j = g^(t_j + ρ_j·c_j)`, `B_j = y^(t_j + ρ_j·c_j) · g^((m_j − M_j)·c_j)`; for the real branch it draws w and
//! sets `A = g^w`, `B = y^w`, `c = Hq(…) − Σ_(others) c_j`, `t = w − ρ·c`. Every branch runs the same code with the
//! values chosen by masks, so neither time nor memory access shows which branch is real.
//!
//! The uses (prefixes; `S0 = φ ‖ "|" ‖ dec(credential)`, `S = S0 ‖ "|" ‖ dec(α_1) ‖ "," ‖ dec(β_1) ‖ "," ‖ …` over
//! the question's choices) are in [`crate::ballot`].
//!
//! # Signature
//!
//! `H = b64(SHA256(ballot without "signature"))`; `w` random, `A = g^w`, `c = Hq("sig|" ‖ H ‖ "|", [A])`,
//! `t = w − s·c`. Verification: the credential `C = g^s` is a member, `c, t < q`,
//! `c == Hq("sig|" ‖ H ‖ "|", [g^t · C^c])`.

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::arith::{ct_eq_mask, Scalar};
use crate::group::{g_table, g_wide, Elem, FixedBase, Powers, WideBase};
use crate::json::Json;

/// One branch's challenge and response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proof {
    /// c.
    pub challenge: Scalar,
    /// t.
    pub response: Scalar,
}

impl Proof {
    /// `{"challenge":"dec","response":"dec"}`.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("challenge".into(), Json::Str(self.challenge.to_decimal())),
            ("response".into(), Json::Str(self.response.to_decimal())),
        ])
    }
}

/// `Hq(prefix, elems)`.
pub fn hash_to_scalar(prefix: &str, elems: &[Elem]) -> Scalar {
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    for (i, e) in elems.iter().enumerate() {
        if i > 0 {
            h.update(b",");
        }
        h.update(e.to_decimal().as_bytes());
    }
    Scalar::from_hash(&h.finalize().into())
}

/// A branch as the prover sees it: the statement's exponents and the claimed plaintext (secrets: wiped after use).
#[derive(Clone, Copy, Zeroize)]
pub(crate) struct ProverBranch {
    /// ρ with `a = g^ρ`.
    pub rho: Scalar,
    /// m with `b = y^ρ·g^m`.
    pub m: Scalar,
    /// The plaintext M the branch claims.
    pub claim: Scalar,
}

/// Proves that one of `branches` holds; `real` (secret) is the one that does.
pub(crate) fn prove<R: RngCore + CryptoRng>(
    prefix: &str,
    branches: &[ProverBranch],
    real: usize,
    y: &FixedBase,
    rng: &mut R,
) -> Vec<Proof> {
    let g = g_table();
    let mut commitments = Vec::with_capacity(2 * branches.len());
    let mut drawn = Vec::with_capacity(branches.len());
    let mut simulated_sum = Scalar::ZERO;
    for (j, b) in branches.iter().enumerate() {
        let is_real = ct_eq_mask(j as u64, real as u64);
        let c = Scalar::random(rng);
        let t = Scalar::random(rng);
        let w = Scalar::random(rng);
        let mut e = Scalar::select(is_real, &w, &t.add(&b.rho.mul(&c)));
        let mut f = Scalar::select(is_real, &Scalar::ZERO, &b.m.sub(&b.claim).mul(&c));
        commitments.push(g.pow_secret(&e));
        commitments.push(y.pow_secret(&e).mul(&g.pow_secret(&f)));
        e.zeroize();
        f.zeroize();
        simulated_sum = simulated_sum.add(&Scalar::select(is_real, &Scalar::ZERO, &c));
        drawn.push((c, t, w));
    }
    let h = hash_to_scalar(prefix, &commitments);
    let real_c = h.sub(&simulated_sum);
    let mut proofs = Vec::with_capacity(branches.len());
    for (j, (b, (c, t, w))) in branches.iter().zip(drawn.iter_mut()).enumerate() {
        let is_real = ct_eq_mask(j as u64, real as u64);
        let challenge = Scalar::select(is_real, &real_c, c);
        let response = Scalar::select(is_real, &w.sub(&b.rho.mul(&real_c)), t);
        proofs.push(Proof { challenge, response });
        w.zeroize();
    }
    proofs
}

/// A branch as the verifier sees it: the statement's powers and the claimed plaintext.
pub(crate) struct VerifierBranch<'a> {
    /// Powers of a.
    pub a: &'a Powers,
    /// Powers of b.
    pub b: &'a Powers,
    /// The claimed plaintext M.
    pub claim: u64,
}

/// Checks a disjunctive proof (variable time: everything is public).
pub(crate) fn verify(prefix: &str, branches: &[VerifierBranch<'_>], proofs: &[Proof], y: &WideBase) -> bool {
    if branches.len() != proofs.len() {
        return false;
    }
    let g = g_wide();
    let mut commitments = Vec::with_capacity(2 * branches.len());
    let mut sum = Scalar::ZERO;
    for (b, p) in branches.iter().zip(proofs) {
        let a_j = g.pow(&p.response).mul(&b.a.pow(&p.challenge));
        let mut b_j = y.pow(&p.response).mul(&b.b.pow(&p.challenge));
        if b.claim != 0 {
            // (b / g^M)^c = b^c · g^(−M·c)
            b_j = b_j.mul(&g.pow(&Scalar::from_u64(b.claim).mul(&p.challenge).neg()));
        }
        commitments.push(a_j);
        commitments.push(b_j);
        sum = sum.add(&p.challenge);
    }
    hash_to_scalar(prefix, &commitments) == sum
}

/// The Schnorr signature of `hash` by the credential's secret `s`.
pub(crate) fn sign<R: RngCore + CryptoRng>(hash: &str, s: &Scalar, rng: &mut R) -> Proof {
    let mut w = Scalar::random(rng);
    let a = g_table().pow_secret(&w);
    let challenge = hash_to_scalar(&format!("sig|{hash}|"), &[a]);
    let response = w.sub(&s.mul(&challenge));
    w.zeroize();
    Proof { challenge, response }
}

/// Checks a signature against the credential's powers (the caller checks the credential's membership).
pub(crate) fn verify_signature(hash: &str, credential: &Powers, proof: &Proof) -> bool {
    let a = g_wide().pow(&proof.response).mul(&credential.pow(&proof.challenge));
    hash_to_scalar(&format!("sig|{hash}|"), &[a]) == proof.challenge
}
