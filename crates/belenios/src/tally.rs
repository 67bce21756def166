//! The tally of a Belenios 2.0 election: which ballots count, the encrypted tally, partial decryptions with
//! their proofs, their combination, and the result.
//!
//! Homomorphic questions only. A question with n answers has L = n slots, or n + 1 when blank votes are
//! allowed (slot 0 is then the blank flag).
//!
//! # Which ballots count
//!
//! The ballots in archive order, and for each credential only its last ballot ("last ballot counts"). Each
//! counted ballot weighs its credential's weight (1 when the credential list carries none).
//!
//! # Encrypted tally
//!
//! For every question and slot, `C_j = Π_b (α_b,j^w_b, β_b,j^w_b)` over the counted ballots, starting from the
//! neutral `(1, 1)`. Record: `[[{"alpha":dec,"beta":dec}…]…]` (question order, slot order). Its archive
//! payload is `{"num_tallied":n,"total_weight":w,"encrypted_tally":H}` (see `archive.rs`).
//!
//! # Partial decryption by a trustee with key x and public key X (a Pedersen trustee: its share and vk_j)
//!
//! For every tally ciphertext (α, β): factor `F = α^x`, and a proof that log_g X = log_α F: w random,
//! A = g^w, B = α^w, `c = Hq("decrypt|" ‖ φ ‖ "|" ‖ dec(X) ‖ "|", [A, B])` (hashed text
//! `decrypt|<φ>|<X>|<A>,<B>`, φ the election fingerprint), `t = w − x·c mod q`. Verification: F a group
//! member, c and t below q, `A' = g^t·X^c`, `B' = α^t·F^c`, `c = Hq(…, [A', B'])`. Record:
//! `{"decryption_factors":[["dec"…]…],"decryption_proofs":[[{"challenge","response"}…]…]}`; archive payload
//! `{"owner":k,"payload":H}` with k the trustee's number.
//!
//! # Combination and result
//!
//! Per trustees item: a Single trustee's factor is the one of the partial decryption whose owner is its
//! number; a Pedersen item needs `threshold` partial decryptions: the first ones by trustee index δ, combined
//! as `Π F_δ^λ_δ` with the Lagrange coefficients at 0, `λ_δ = Π_{k∈I, k≠δ} k·(k − δ)^(−1) mod q`. The
//! decryption factor is the product over the items. A slot's count m satisfies `g^m = β / F`; it is found by
//! baby-step giant-step between 0 and the total weight. Result record: `{"result":[[m…]…]}`, each count a
//! JSON number up to 2^30 − 1 and a string of digits above.
//!
//! Every partial decryption supplied must verify, also those beyond the threshold, because belenios-tool's
//! verifier refuses an archive holding an invalid one. When two carry the same owner, the later one counts.

use std::collections::HashMap;

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::archive::weight_json;
use crate::arith::Scalar;
use crate::ballot::{Ciphertext, VerifiedBallot};
use crate::credential::parse_public_credential;
use crate::error::BeleniosError;
use crate::group::{g, g_table, multi_exp, Elem};
use crate::json::{self, Json, Limits};
use crate::proof::{hash_to_scalar, Proof};
use crate::trustee::{parse_proof, schnorr_respond, SecretKey, TrusteeError, TrusteeItem, Trustees};

/// Limits on tally, partial decryption and result records.
pub const TALLY_JSON_LIMITS: Limits = Limits { max_bytes: 16 << 20, max_depth: 8 };
/// The largest total weight whose counts are searched by discrete logarithm (2^40: about 2^20 table entries).
pub const MAX_TOTAL_WEIGHT: u64 = 1 << 40;

/// Why a tally, a partial decryption or a result was refused; each check has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    /// The JSON, a number or a group element is not acceptable.
    #[error(transparent)]
    Format(#[from] BeleniosError),
    /// A refusal of a trustee record or proof.
    #[error(transparent)]
    Trustee(#[from] TrusteeError),
    /// `what` is not in canonical form.
    #[error("{what} is not in canonical form")]
    NotCanonical {
        /// What was checked.
        what: &'static str,
    },
    /// Ballot `index` uses a credential that is not in the credential list.
    #[error("ballot {index} uses a credential that is not in the credential list")]
    UnknownCredential {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Duplicate credential in the credential list.
    #[error("duplicate credential in the credential list")]
    DuplicateCredential,
    /// Ballot `index` does not have the election's questions and slots.
    #[error("ballot {index} does not have the election's questions and slots")]
    BallotShape {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Partial decryption of trustee `owner` does not have the tally's shape.
    #[error("partial decryption of trustee {owner} does not have the tally's shape")]
    PartialDecryptionShape {
        /// The trustee number, from 1.
        owner: usize,
    },
    /// Partial decryption of trustee `owner`: factor `question`.`slot` is not in the group.
    #[error("partial decryption of trustee {owner}: factor {question}.{slot} is not in the group")]
    BadFactor {
        /// The trustee number, from 1.
        owner: usize,
        /// The question, from 0.
        question: usize,
        /// The slot, from 0.
        slot: usize,
    },
    /// Partial decryption of trustee `owner`: the proof of factor `question`.`slot` does not verify.
    #[error("partial decryption of trustee {owner}: the proof of factor {question}.{slot} does not verify")]
    BadDecryptionProof {
        /// The trustee number, from 1.
        owner: usize,
        /// The question, from 0.
        question: usize,
        /// The slot, from 0.
        slot: usize,
    },
    /// Owner `owner` is not a trustee number (1 to `trustees`).
    #[error("owner {owner} is not a trustee number (1 to {trustees})")]
    BadOwner {
        /// The trustee number, from 1.
        owner: usize,
        /// The number of trustees.
        trustees: usize,
    },
    /// No partial decryption from Single trustee `owner`.
    #[error("no partial decryption from Single trustee {owner}")]
    MissingPartialDecryption {
        /// The trustee number, from 1.
        owner: usize,
    },
    /// `found` partial decryptions from a Pedersen group whose threshold is `needed`.
    #[error("{found} partial decryptions from a Pedersen group whose threshold is {needed}")]
    NotEnoughPartialDecryptions {
        /// The threshold.
        needed: usize,
        /// What was found.
        found: usize,
    },
    /// Total weight N is too large to search the counts.
    #[error("total weight {0} is too large to search the counts")]
    TotalWeightTooLarge(u64),
    /// Slot `question`.`slot` does not decrypt to a count between 0 and `bound`.
    #[error("slot {question}.{slot} does not decrypt to a count between 0 and {bound}")]
    NoDiscreteLog {
        /// The question, from 0.
        question: usize,
        /// The slot, from 0.
        slot: usize,
        /// The largest count searched.
        bound: u64,
    },
    /// The result does not have the tally's questions and slots.
    #[error("the result does not have the tally's questions and slots")]
    ResultShape,
    /// Result count `question`.`slot` is not what the tally decrypts to.
    #[error("result count {question}.{slot} is not what the tally decrypts to")]
    ResultMismatch {
        /// The question, from 0.
        question: usize,
        /// The slot, from 0.
        slot: usize,
    },
}

fn malformed(what: &'static str, detail: impl Into<String>) -> TallyError {
    TallyError::Format(BeleniosError::Malformed { what, detail: detail.into() })
}

/// The neutral ciphertext (1, 1), an encryption of 0 with randomness 0: the tally of no ballot.
pub const NEUTRAL: Ciphertext = Ciphertext { alpha: Elem::ONE, beta: Elem::ONE };

/// Parses `{"alpha":dec,"beta":dec}` and checks that both are group members.
pub fn parse_ciphertext(j: &Json) -> Result<Ciphertext, TallyError> {
    let f = j.as_object().ok_or_else(|| malformed("ciphertext", "not an object"))?;
    let [(ka, a), (kb, b)] = f else { return Err(malformed("ciphertext", "expected alpha and beta")) };
    if ka != "alpha" || kb != "beta" {
        return Err(malformed("ciphertext", "expected alpha and beta"));
    }
    fn text(v: &Json) -> Result<&str, TallyError> {
        v.as_str().ok_or_else(|| malformed("ciphertext", "expected strings"))
    }
    Ok(Ciphertext {
        alpha: Elem::parse_member(text(a)?, "ciphertext alpha")?,
        beta: Elem::parse_member(text(b)?, "ciphertext beta")?,
    })
}

/// One cast ballot, as the tally needs it: its credential (decimal) and its ciphertexts per question and slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastBallot {
    /// The public credential in decimal, as the credential list writes it.
    pub credential: String,
    /// The ciphertexts per question and slot.
    pub answers: Vec<Vec<Ciphertext>>,
}

impl CastBallot {
    /// What the tally needs of a verified ballot.
    pub fn from_verified(ballot: &VerifiedBallot) -> CastBallot {
        CastBallot { credential: ballot.credential_decimal(), answers: ballot.ciphertexts.clone() }
    }
}

/// The weights of the public credential list (the Setup event's credentials record): `["dec"…]` or
/// `["dec,weight"…]`, weight 1 when absent. Each line is read by [`parse_public_credential`] (a group member, a
/// bounded weight); a credential listed twice is refused, as belenios-tool refuses it.
pub fn credential_weights(bytes: &[u8]) -> Result<HashMap<String, u64>, TallyError> {
    let j = json::parse(bytes, Limits { max_bytes: 64 << 20, max_depth: 2 })?;
    let items = j.as_array().ok_or_else(|| malformed("public credentials", "not an array"))?;
    let mut weights = HashMap::with_capacity(items.len());
    for item in items {
        let line = item.as_str().ok_or_else(|| malformed("public credentials", "expected strings"))?;
        let credential = parse_public_credential(line)?;
        if weights.insert(credential.credential.to_decimal(), credential.weight.unwrap_or(1)).is_some() {
            return Err(TallyError::DuplicateCredential);
        }
    }
    Ok(weights)
}

/// The encrypted tally with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedTally {
    /// Per question, per slot.
    pub questions: Vec<Vec<Ciphertext>>,
    /// The number of ballots counted.
    pub num_tallied: u64,
    /// The sum of their weights.
    pub total_weight: u64,
}

impl EncryptedTally {
    /// Tallies `ballots` (in archive order) for questions of `slots[i]` slots each, last ballot per credential
    /// counting with its weight.
    pub fn compute(
        slots: &[usize],
        ballots: &[CastBallot],
        weights: &HashMap<String, u64>,
    ) -> Result<EncryptedTally, TallyError> {
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(ballots.len());
        for (index, b) in ballots.iter().enumerate() {
            if !weights.contains_key(&b.credential) {
                return Err(TallyError::UnknownCredential { index });
            }
            if b.answers.len() != slots.len() || b.answers.iter().zip(slots).any(|(a, &n)| a.len() != n) {
                return Err(TallyError::BallotShape { index });
            }
            last.insert(&b.credential, index);
        }
        let mut counted: Vec<usize> = last.into_values().collect();
        counted.sort_unstable();
        let mut questions: Vec<Vec<Ciphertext>> = slots.iter().map(|&n| vec![NEUTRAL; n]).collect();
        let mut total_weight = 0u64;
        for &index in &counted {
            let b = &ballots[index];
            let w = weights[&b.credential];
            total_weight = total_weight.checked_add(w).ok_or(TallyError::TotalWeightTooLarge(u64::MAX))?;
            let exponent = Scalar::from_u64(w);
            for (acc, answer) in questions.iter_mut().zip(&b.answers) {
                for (c, x) in acc.iter_mut().zip(answer) {
                    let x = if w == 1 {
                        *x
                    } else {
                        Ciphertext { alpha: x.alpha.pow(&exponent), beta: x.beta.pow(&exponent) }
                    };
                    *c = c.mul(&x);
                }
            }
        }
        Ok(EncryptedTally { questions, num_tallied: counted.len() as u64, total_weight })
    }

    /// The tally record: `[[{"alpha":…,"beta":…}…]…]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        Json::Array(self.questions.iter().map(|q| Json::Array(q.iter().map(Ciphertext::to_json).collect())).collect())
            .to_bytes()
    }

    /// The archive payload `{"num_tallied":…,"total_weight":…,"encrypted_tally":H}`.
    pub fn sized_bytes(&self) -> Vec<u8> {
        crate::archive::sized_tally_payload(&self.to_bytes(), self.num_tallied, self.total_weight)
    }

    /// Reads a tally record (its counts come from the sized record); the elements must be group members.
    pub fn parse_questions(bytes: &[u8]) -> Result<Vec<Vec<Ciphertext>>, TallyError> {
        let j = json::parse(bytes, TALLY_JSON_LIMITS)?;
        let questions = j.as_array().ok_or_else(|| malformed("encrypted tally", "not an array"))?;
        questions
            .iter()
            .map(|q| {
                q.as_array()
                    .ok_or_else(|| malformed("encrypted tally", "a question is not an array"))?
                    .iter()
                    .map(parse_ciphertext)
                    .collect()
            })
            .collect()
    }
}

/// A trustee's partial decryption of the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    /// α^x for every tally ciphertext, per question and slot.
    pub factors: Vec<Vec<Elem>>,
    /// The proof of each factor.
    pub proofs: Vec<Vec<Proof>>,
}

/// The prefix of the decryption proofs' hash.
fn decrypt_prefix(fingerprint: &str, public: &Elem) -> String {
    format!("decrypt|{fingerprint}|{}|", public.to_decimal())
}

impl PartialDecryption {
    /// Decrypts `tally` partially with `secret`, proving each factor; `fingerprint` is the election's φ. The
    /// key only meets constant-time exponentiations.
    pub fn create<R: RngCore + CryptoRng>(
        tally: &[Vec<Ciphertext>],
        secret: &SecretKey,
        fingerprint: &str,
        rng: &mut R,
    ) -> PartialDecryption {
        let x = secret.scalar();
        let prefix = decrypt_prefix(fingerprint, &secret.public());
        let mut factors = Vec::with_capacity(tally.len());
        let mut proofs = Vec::with_capacity(tally.len());
        for question in tally {
            let mut qf = Vec::with_capacity(question.len());
            let mut qp = Vec::with_capacity(question.len());
            for c in question {
                qf.push(c.alpha.pow_secret(x));
                let w = Zeroizing::new(Scalar::random(rng));
                let a = g_table().pow_secret(&w);
                let b = c.alpha.pow_secret(&w);
                let challenge = hash_to_scalar(&prefix, &[a, b]);
                qp.push(Proof { challenge, response: schnorr_respond(&w, x, &challenge) });
            }
            factors.push(qf);
            proofs.push(qp);
        }
        PartialDecryption { factors, proofs }
    }

    /// Checks every factor and proof against `tally` and the trustee's public key; `owner` names it in errors.
    pub fn verify(
        &self,
        tally: &[Vec<Ciphertext>],
        public: &Elem,
        fingerprint: &str,
        owner: usize,
    ) -> Result<(), TallyError> {
        let shape_ok = self.factors.len() == tally.len()
            && self.proofs.len() == tally.len()
            && tally
                .iter()
                .zip(&self.factors)
                .zip(&self.proofs)
                .all(|((t, f), p)| t.len() == f.len() && t.len() == p.len());
        if !shape_ok {
            return Err(TallyError::PartialDecryptionShape { owner });
        }
        let prefix = decrypt_prefix(fingerprint, public);
        for (question, ((t, f), p)) in tally.iter().zip(&self.factors).zip(&self.proofs).enumerate() {
            for (slot, ((c, factor), proof)) in t.iter().zip(f).zip(p).enumerate() {
                if !factor.is_member() {
                    return Err(TallyError::BadFactor { owner, question, slot });
                }
                let a = multi_exp(&[(&g(), &proof.response), (public, &proof.challenge)]);
                let b = multi_exp(&[(&c.alpha, &proof.response), (factor, &proof.challenge)]);
                if hash_to_scalar(&prefix, &[a, b]) != proof.challenge {
                    return Err(TallyError::BadDecryptionProof { owner, question, slot });
                }
            }
        }
        Ok(())
    }

    /// The record `{"decryption_factors":[[…]…],"decryption_proofs":[[…]…]}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        Json::Object(vec![
            (
                "decryption_factors".into(),
                Json::Array(
                    self.factors
                        .iter()
                        .map(|q| Json::Array(q.iter().map(|f| Json::str(f.to_decimal())).collect()))
                        .collect(),
                ),
            ),
            (
                "decryption_proofs".into(),
                Json::Array(self.proofs.iter().map(|q| Json::Array(q.iter().map(Proof::to_json).collect())).collect()),
            ),
        ])
        .to_bytes()
    }

    /// Parses a record; factors are checked for membership by [`Self::verify`].
    pub fn from_bytes(bytes: &[u8]) -> Result<PartialDecryption, TallyError> {
        let j = json::parse(bytes, TALLY_JSON_LIMITS)?;
        let f = j.as_object().ok_or_else(|| malformed("partial decryption", "not an object"))?;
        let [(kf, factors), (kp, proofs)] = f else {
            return Err(malformed("partial decryption", "expected decryption_factors and decryption_proofs"));
        };
        if kf != "decryption_factors" || kp != "decryption_proofs" {
            return Err(malformed("partial decryption", "expected decryption_factors and decryption_proofs"));
        }
        let nested = |v: &Json| -> Result<Vec<Vec<Json>>, TallyError> {
            v.as_array()
                .ok_or_else(|| malformed("partial decryption", "expected an array of arrays"))?
                .iter()
                .map(|q| {
                    q.as_array().map(<[Json]>::to_vec).ok_or_else(|| malformed("partial decryption", "expected arrays"))
                })
                .collect()
        };
        let factors = nested(factors)?
            .iter()
            .map(|q| {
                q.iter()
                    .map(|f| {
                        let text = f.as_str().ok_or_else(|| malformed("partial decryption", "factor not a string"))?;
                        Elem::from_decimal(text).map_err(|reason| {
                            TallyError::Format(BeleniosError::Number { what: "decryption factor", reason })
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let proofs = nested(proofs)?
            .iter()
            .map(|q| q.iter().map(|p| parse_proof(p).map_err(TallyError::from)).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PartialDecryption { factors, proofs })
    }
}

/// The public key of trustee `owner` (from 1) and the item it belongs to.
fn trustee_key(trustees: &Trustees, owner: usize) -> Option<(usize, usize, Elem)> {
    let mut first = 1;
    for (item_index, item) in trustees.items.iter().enumerate() {
        let count = item.trustee_count();
        if owner < first + count {
            let key = match item {
                TrusteeItem::Single(k) => k.public_key,
                TrusteeItem::Pedersen(p) => p.verification_keys[owner - first].public_key,
            };
            return Some((item_index, owner - first + 1, key));
        }
        first += count;
    }
    None
}

/// `x^(q−2) = x^(−1) mod q` for a non-zero public scalar.
fn scalar_inv(x: &Scalar) -> Scalar {
    let mut e = crate::arith::Q_LIMBS;
    e[0] -= 2;
    let mut acc = Scalar::ONE;
    for limb in e.iter().rev() {
        for bit in (0..64).rev() {
            acc = acc.mul(&acc);
            if (limb >> bit) & 1 == 1 {
                acc = acc.mul(x);
            }
        }
    }
    acc
}

/// The Lagrange coefficients at 0 of the indices `set` (distinct, from 1).
pub fn lagrange_at_zero(set: &[usize]) -> Vec<Scalar> {
    set.iter()
        .map(|&d| {
            let mut num = Scalar::ONE;
            let mut den = Scalar::ONE;
            for &k in set.iter().filter(|&&k| k != d) {
                num = num.mul(&Scalar::from_u64(k as u64));
                den = den.mul(&Scalar::from_u64(k as u64).sub(&Scalar::from_u64(d as u64)));
            }
            num.mul(&scalar_inv(&den))
        })
        .collect()
}

/// Verifies the partial decryptions `(owner, record)` (in archive order) and combines them into the decryption
/// factor of every slot.
pub fn combine(
    trustees: &Trustees,
    tally: &[Vec<Ciphertext>],
    partial_decryptions: &[(usize, PartialDecryption)],
    fingerprint: &str,
) -> Result<Vec<Vec<Elem>>, TallyError> {
    let count = trustees.trustee_count();
    // The later partial decryption of an owner replaces the earlier one.
    let mut by_owner: HashMap<usize, &PartialDecryption> = HashMap::new();
    for (owner, pd) in partial_decryptions {
        if *owner == 0 || *owner > count {
            return Err(TallyError::BadOwner { owner: *owner, trustees: count });
        }
        by_owner.insert(*owner, pd);
    }
    let mut owners: Vec<usize> = by_owner.keys().copied().collect();
    owners.sort_unstable();
    for &owner in &owners {
        let (_, _, key) = trustee_key(trustees, owner).expect("owner checked against the trustee count");
        by_owner[&owner].verify(tally, &key, fingerprint, owner)?;
    }
    let mut result: Vec<Vec<Elem>> = tally.iter().map(|q| vec![Elem::ONE; q.len()]).collect();
    let mut first = 1;
    for item in &trustees.items {
        let n = item.trustee_count();
        match item {
            TrusteeItem::Single(_) => {
                let pd = by_owner.get(&first).ok_or(TallyError::MissingPartialDecryption { owner: first })?;
                for (acc, f) in result.iter_mut().zip(&pd.factors) {
                    for (a, x) in acc.iter_mut().zip(f) {
                        *a = a.mul(x);
                    }
                }
            }
            TrusteeItem::Pedersen(p) => {
                let present: Vec<usize> = owners.iter().filter(|&&o| o >= first && o < first + n).copied().collect();
                if present.len() < p.threshold {
                    return Err(TallyError::NotEnoughPartialDecryptions { needed: p.threshold, found: present.len() });
                }
                let chosen = &present[..p.threshold];
                let local: Vec<usize> = chosen.iter().map(|o| o - first + 1).collect();
                let lambdas = lagrange_at_zero(&local);
                for (qi, acc) in result.iter_mut().enumerate() {
                    for (si, a) in acc.iter_mut().enumerate() {
                        let terms: Vec<(&Elem, &Scalar)> =
                            chosen.iter().zip(&lambdas).map(|(o, l)| (&by_owner[o].factors[qi][si], l)).collect();
                        *a = a.mul(&multi_exp(&terms));
                    }
                }
            }
        }
        first += n;
    }
    Ok(result)
}

/// The m in `[0, bound]` with `g^m = target`, by baby-step giant-step.
///
/// The baby steps `g^j` (j < ⌈√(bound+1)⌉) are kept by the lowest 64 bits of their value, so the table holds
/// 16 bytes per step rather than 256 (2^20 steps for the largest bound); two steps sharing those bits are both
/// kept, and a match is confirmed on the whole value (`g^j` recomputed) before it is returned.
pub fn discrete_log(target: &Elem, bound: u64) -> Option<u64> {
    let m = ((bound as f64 + 1.0).sqrt().ceil() as u64).max(1);
    let key = |x: &Elem| x.0.to_normal()[0];
    let mut baby: HashMap<u64, u64> = HashMap::with_capacity(m as usize);
    let mut shared: Vec<(u64, u64)> = Vec::new();
    let mut x = Elem::ONE;
    let gen = g();
    for j in 0..m {
        match baby.entry(key(&x)) {
            std::collections::hash_map::Entry::Occupied(e) => shared.push((*e.key(), j)),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(j);
            }
        }
        x = x.mul(&gen);
    }
    // x = g^m; each giant step multiplies by g^(−m).
    let giant = x.inv_member();
    let mut y = *target;
    let mut i = 0;
    while i * m <= bound {
        let k = key(&y);
        let candidates =
            baby.get(&k).into_iter().copied().chain(shared.iter().filter(|(s, _)| *s == k).map(|(_, j)| *j));
        for j in candidates {
            if g_table().pow(&Scalar::from_u64(j)) == y {
                let found = i * m + j;
                return (found <= bound).then_some(found);
            }
        }
        y = y.mul(&giant);
        i += 1;
    }
    None
}

/// The decrypted counts per question and slot: `log_g(β / F)` bounded by `total_weight`.
pub fn decrypt_counts(
    tally: &[Vec<Ciphertext>],
    factors: &[Vec<Elem>],
    total_weight: u64,
) -> Result<Vec<Vec<u64>>, TallyError> {
    if total_weight > MAX_TOTAL_WEIGHT {
        return Err(TallyError::TotalWeightTooLarge(total_weight));
    }
    tally
        .iter()
        .zip(factors)
        .enumerate()
        .map(|(question, (t, f))| {
            t.iter()
                .zip(f)
                .enumerate()
                .map(|(slot, (c, factor))| {
                    let target = c.beta.mul(&factor.inv_member());
                    discrete_log(&target, total_weight).ok_or(TallyError::NoDiscreteLog {
                        question,
                        slot,
                        bound: total_weight,
                    })
                })
                .collect()
        })
        .collect()
}

/// The result record `{"result":[[…]…]}`.
pub fn result_bytes(counts: &[Vec<u64>]) -> Vec<u8> {
    let mut out = String::from("{\"result\":[");
    for (i, q) in counts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        let cells: Vec<String> = q.iter().map(|&c| weight_json(c)).collect();
        out.push_str(&cells.join(","));
        out.push(']');
    }
    out.push_str("]}");
    out.into_bytes()
}

/// Parses a result record (any spelling JSON allows; counts as numbers or strings of digits).
pub fn parse_result(bytes: &[u8]) -> Result<Vec<Vec<u64>>, TallyError> {
    let j = json::parse(bytes, TALLY_JSON_LIMITS)?;
    let f = j.as_object().ok_or_else(|| malformed("result", "not an object"))?;
    let [(k, v)] = f else { return Err(malformed("result", "expected only the key result")) };
    if k != "result" {
        return Err(malformed("result", "expected only the key result"));
    }
    let questions = v.as_array().ok_or_else(|| malformed("result", "not an array"))?;
    questions
        .iter()
        .map(|q| {
            q.as_array()
                .ok_or_else(|| malformed("result", "a question is not an array"))?
                .iter()
                .map(|c| match c {
                    Json::Int(n) => Ok(*n),
                    Json::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0') => {
                        s.parse().map_err(|_| malformed("result", "count too large"))
                    }
                    _ => Err(malformed("result", "a count is not a non-negative integer")),
                })
                .collect()
        })
        .collect()
}

/// Checks a result against the tally: the partial decryptions verify and combine, and every count m has
/// `g^m = β / F`. Returns the counts.
pub fn verify_result(
    trustees: &Trustees,
    tally: &[Vec<Ciphertext>],
    partial_decryptions: &[(usize, PartialDecryption)],
    fingerprint: &str,
    result: &[u8],
) -> Result<Vec<Vec<u64>>, TallyError> {
    let counts = parse_result(result)?;
    if counts.len() != tally.len() || counts.iter().zip(tally).any(|(c, t)| c.len() != t.len()) {
        return Err(TallyError::ResultShape);
    }
    let factors = combine(trustees, tally, partial_decryptions, fingerprint)?;
    for (question, ((c, t), f)) in counts.iter().zip(tally).zip(&factors).enumerate() {
        for (slot, ((&m, ct), factor)) in c.iter().zip(t).zip(f).enumerate() {
            // g^m against β / F, written β = g^m · F to avoid an inversion.
            if g_table().pow(&Scalar::from_u64(m)).mul(factor) != ct.beta {
                return Err(TallyError::ResultMismatch { question, slot });
            }
        }
    }
    Ok(counts)
}
