//! Welfare: benefit programmes funded by a budget commitment, and claims that cannot be paid twice.
//!
//! A claim carries the citizen's nullifier proof: an ECVRF proof (RFC 9381, ECVRF-EDWARDS25519-SHA512-TAI) by the
//! Ed25519 half of the citizen's key over [`crate::call::nullifier_input`] (the chain, the scheme, the period).
//! The proof's output is unique for a key and an input, so the same citizen always gives the same nullifier for a
//! scheme and a period, and nobody without the citizen's secret key can compute it. The ledger checks the proof with
//! the key the citizen held when the period began (so a rotation does not give a second nullifier), records the
//! first 32 bytes of the output under the scheme and period, and refuses a claim whose nullifier is recorded,
//! whichever programme of the scheme, and so whichever agency, it reaches (`docs/finance.md`).

use publica_accounts::{require_role, AccountKind};
use publica_types::{Address, AgencyId, CallContext, Hash, PublicKey, StateRead, StateWrite, TxError};

use crate::budget::{existing_allocation, existing_commitment, pay_from_commitment, same_agency};
use crate::call::{
    nullifier_input, Holder, MAX_NAME_BYTES, MAX_PROGRAMME_PERIODS, MAX_REQUIRED_CREDENTIALS, MAX_SCHEME_BYTES,
    MAX_VCT_BYTES,
};
use crate::error::{self, refuse};
use crate::schema::*;
use crate::{check_text, WELFARE_OFFICER_ROLE};

/// What a new programme says.
pub(crate) struct NewProgramme<'a> {
    pub name: &'a str,
    pub scheme: &'a str,
    pub commitment: u64,
    pub amount: u64,
    pub periods: (u32, u32),
    pub registered_by: Option<&'a AgencyId>,
    pub requires: &'a [String],
}

fn invalid(why: String) -> TxError {
    refuse(error::PROGRAMME_INVALID, why)
}

/// How many months from `first` to `last`, both included.
fn months_between(first: u32, last: u32) -> u32 {
    let index = |p: u32| (p / 100) * 12 + (p % 100 - 1);
    index(last) - index(first) + 1
}

pub(crate) fn create_programme(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    new: NewProgramme<'_>,
) -> Result<u64, TxError> {
    let official = require_role(state, &ctx.sender, WELFARE_OFFICER_ROLE)?;
    let commitment = existing_commitment(state, new.commitment)?;
    let allocation = existing_allocation(state, commitment.allocation)?;
    same_agency(&official, &allocation.agency, &format!("commitment {}", new.commitment))?;
    if commitment.payee.is_some() {
        return Err(invalid(format!(
            "commitment {} names a payee: a programme needs one that names none",
            new.commitment
        )));
    }
    check_text("programme name", new.name, MAX_NAME_BYTES)?;
    let ok_scheme = (1..=MAX_SCHEME_BYTES).contains(&new.scheme.len())
        && new.scheme.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok_scheme {
        return Err(invalid(format!("scheme {:?}: 1 to {MAX_SCHEME_BYTES} of a-z, 0-9 and '-'", new.scheme)));
    }
    crate::treasury::check_amount(new.amount)?;
    if new.amount > commitment.amount {
        return Err(invalid(format!("{} a claim is more than the commitment's {}", new.amount, commitment.amount)));
    }
    let (first, last) = new.periods;
    if month_start_ms(first).is_none() || month_start_ms(last).is_none() || first > last {
        return Err(invalid(format!(
            "periods {first} to {last}: give two months YYYYMM, the first not after the last"
        )));
    }
    if months_between(first, last) > MAX_PROGRAMME_PERIODS {
        return Err(invalid(format!("a programme runs at most {MAX_PROGRAMME_PERIODS} months")));
    }
    if let Some(agency) = new.registered_by {
        if publica_accounts::agency(state, agency).is_none() {
            return Err(invalid(format!("no agency {agency} registers citizens")));
        }
    }
    if new.requires.len() > MAX_REQUIRED_CREDENTIALS
        || new.requires.iter().any(|vct| vct.is_empty() || vct.len() > MAX_VCT_BYTES)
    {
        return Err(invalid(format!(
            "name at most {MAX_REQUIRED_CREDENTIALS} credential types, each 1 to {MAX_VCT_BYTES} bytes"
        )));
    }
    let id = take_next(state, "g");
    let programme = Programme {
        id,
        name: new.name.to_owned(),
        scheme: new.scheme.to_owned(),
        agency: allocation.agency.clone(),
        commitment: new.commitment,
        amount: new.amount,
        first_period: first,
        last_period: last,
        registered_by: new.registered_by.cloned(),
        requires: new.requires.to_vec(),
        claims: 0,
        paid: 0,
        height: ctx.height,
    };
    put(state, programme_key(id), &programme);
    Ok(id)
}

/// The key a citizen held when a period began: the first retired key replaced after that time, else the current
/// one.
fn key_at(
    state: &dyn StateRead,
    citizen: &Address,
    current: &publica_types::PublicKeyBytes,
    time_ms: u64,
) -> Option<PublicKey> {
    let retired = publica_accounts::query::retired_count(state, citizen);
    for n in 0..retired {
        let key = publica_accounts::query::retired_key(state, citizen, n)?;
        if key.until_ms > time_ms {
            return key.public_key.parse().ok();
        }
    }
    current.parse().ok()
}

/// The nullifier a proof gives: the first 32 bytes of the VRF's output.
pub fn nullifier(output: &[u8; publica_crypto::vrf::OUTPUT_LEN]) -> Hash {
    let mut nullifier = [0u8; 32];
    nullifier.copy_from_slice(&output[..32]);
    nullifier
}

pub(crate) fn claim(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    programme_id: u64,
    period: u32,
    citizen: &Address,
    proof: &[u8],
) -> Result<u64, TxError> {
    let official = require_role(state, &ctx.sender, WELFARE_OFFICER_ROLE)?;
    let mut programme: Programme = get(state, &programme_key(programme_id))
        .ok_or_else(|| refuse(error::PROGRAMME_NOT_FOUND, format!("no programme {programme_id}")))?;
    same_agency(&official, &programme.agency, &format!("programme {programme_id}"))?;
    // A number between two months need not be one (`202700` lies between `202612` and `202701`), so the period is
    // checked as a month too, before anything takes it for one.
    if month_start_ms(period).is_none() || period < programme.first_period || period > programme.last_period {
        return Err(refuse(
            error::PERIOD_INVALID,
            format!(
                "programme {programme_id} pays the months {} to {}, not {period}: give a month YYYYMM within them",
                programme.first_period, programme.last_period
            ),
        ));
    }
    let now = month_of(ctx.time_ms);
    if now != period && now != next_month(period) {
        return Err(refuse(
            error::PERIOD_INVALID,
            format!("it is {now}: period {period} is claimed during it and the month after"),
        ));
    }
    let record = crate::treasury::active_citizen(state, citizen)
        .ok_or_else(|| refuse(error::CLAIMANT_INELIGIBLE, format!("{citizen} is not an active citizen")))?;
    if let (Some(required), AccountKind::Citizen { registered_by_agency, .. }) =
        (&programme.registered_by, &record.kind)
    {
        if registered_by_agency != required {
            return Err(refuse(
                error::CLAIMANT_INELIGIBLE,
                format!("the programme pays citizens registered by {required}, not by {registered_by_agency}"),
            ));
        }
    }
    let start = month_start_ms(period).expect("the period was checked to be a month");
    let bad_proof = |why: String| refuse(error::NULLIFIER_PROOF_INVALID, why);
    let key = key_at(state, citizen, &record.public_key, start)
        .ok_or_else(|| bad_proof("the citizen's key does not decode".into()))?;
    let alpha = nullifier_input(ctx.chain_id.as_str(), &programme.scheme, period);
    let output = publica_crypto::vrf::verify(&key, &alpha, proof).map_err(|e| {
        bad_proof(format!("the nullifier proof does not verify with the key the citizen held when {period} began: {e}"))
    })?;
    let nullifier = nullifier(&output);
    let nullifier_key = nullifier_key(&programme.scheme, period, &nullifier);
    if state.get(&nullifier_key).is_some() {
        return Err(refuse(
            error::DUPLICATE_CLAIM,
            format!("this citizen was paid for scheme {} in {period} already", programme.scheme),
        ));
    }
    let commitment = existing_commitment(state, programme.commitment)?;
    let allocation = existing_allocation(state, commitment.allocation)?;
    let to = Holder::Citizen(*citizen);
    let reference = format!("programme {programme_id} period {period}");
    let payment =
        pay_from_commitment(state, ctx, commitment, allocation, &to, programme.amount, &reference, |hidden| {
            Payee::Private(hidden.expect("a citizen's wallet is private"))
        })?;
    put(state, nullifier_key, &NullifierRecord { programme: programme_id, payment, height: ctx.height });
    programme.claims += 1;
    programme.paid += programme.amount;
    put(state, programme_key(programme_id), &programme);
    let period_key = programme_period_key(programme_id, period);
    let mut totals: PeriodTotals = get(state, &period_key).unwrap_or_default();
    totals.claims += 1;
    totals.paid += programme.amount;
    put(state, period_key, &totals);
    Ok(payment)
}
