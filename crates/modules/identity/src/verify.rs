//! The verifier's side of the identity module: decisions taken from proven records alone, reading no state.
//!
//! **Accreditation.** "Was issuer X accredited for type T at time t, through a chain up to a root?" A node answers
//! with [`accreditation_chain`](crate::query::accreditation_chain) (every record from X's accreditation up to the
//! root, with the keys to prove); the verifier checks the proofs, decodes the records and calls
//! [`accredited_at`], which accepts exactly when, for the links `chain[0] … chain[n-1]`:
//!
//! 1. the chain is not empty and has at most [`MAX_ACCREDITATION_CHAIN_LINKS`] links (else *not accredited*,
//!    *chain too long*);
//! 2. `chain[0].issuer` is X (else *not accredited*);
//! 3. every link is for type T (else *other type*);
//! 4. every link joins the next: `chain[i].parent == Some(chain[i+1].id)` and `chain[i].accredited_by ==
//!    chain[i+1].issuer`; the last link has no parent, i.e. it was made by a trust root (else *broken chain*);
//! 5. when the verifier names the roots it trusts, the last link's accreditor is one of them (else *untrusted
//!    root*);
//! 6. every link is in force at t: `valid_from_ms <= t` (else *accredited only after*), `t < valid_until_ms` (else
//!    *accreditation expired*), and not revoked at or before t: `revoked_at_ms` is absent or after t (else
//!    *revoked*).
//!
//! Checks run link by link from the issuer's end, in that order for each link, so the error names the first
//! failing check of the link closest to the issuer. Revoking a link therefore ends, from its revocation on, every
//! accreditation made under it: no cascade of writes is needed.
//!
//! **Status.** The status of entry i of a list, from its proven header and the proven chunk that holds it
//! ([`status_at`]): the chunk's absence proves the entry valid.

use publica_types::Address;

use crate::error::IdentityError;
use crate::schema::{Accreditation, StatusListHeader};
pub use crate::tx::MAX_ACCREDITATION_CHAIN_LINKS;

/// Decide whether `issuer` was accredited for `credential_type` at `at_ms` through `chain` (the proven records
/// from the issuer's accreditation up to its root; see the module's rule). `trusted_roots`, when given, are the
/// only accreditors of a root link the verifier accepts. Returns the issuer's own accreditation.
pub fn accredited_at<'a>(
    issuer: &Address,
    credential_type: &str,
    at_ms: u64,
    chain: &'a [Accreditation],
    trusted_roots: Option<&[Address]>,
) -> Result<&'a Accreditation, IdentityError> {
    let first = chain.first().ok_or_else(|| {
        IdentityError::NotAccredited(format!("no accreditation is given for {issuer} and {credential_type:?}"))
    })?;
    if chain.len() > MAX_ACCREDITATION_CHAIN_LINKS {
        return Err(IdentityError::ChainTooLong { links: chain.len(), max: MAX_ACCREDITATION_CHAIN_LINKS });
    }
    if first.issuer != *issuer {
        return Err(IdentityError::NotAccredited(format!(
            "accreditation {} names issuer {}, not {issuer}",
            first.id, first.issuer
        )));
    }
    for (i, link) in chain.iter().enumerate() {
        if link.credential_type != credential_type {
            return Err(IdentityError::OtherType {
                id: link.id,
                found: link.credential_type.clone(),
                expected: credential_type.to_owned(),
            });
        }
        check_join(link, chain.get(i + 1), trusted_roots)?;
        check_in_force(link, at_ms)?;
    }
    Ok(first)
}

/// Rule 4 and 5 for one link and the next one up (`None` for the last link).
fn check_join(
    link: &Accreditation,
    up: Option<&Accreditation>,
    trusted_roots: Option<&[Address]>,
) -> Result<(), IdentityError> {
    match (link.parent, up) {
        (Some(parent), Some(up)) if parent == up.id && link.accredited_by == up.issuer => Ok(()),
        (Some(parent), Some(up)) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made by {} under accreditation {parent}, but the next link is accreditation {} of {}",
            link.id, link.accredited_by, up.id, up.issuer
        ))),
        (Some(parent), None) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made under accreditation {parent}, which is missing: the chain does not reach a root",
            link.id
        ))),
        (None, Some(up)) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made by a root, yet accreditation {} follows it",
            link.id, up.id
        ))),
        (None, None) => match trusted_roots {
            Some(roots) if !roots.contains(&link.accredited_by) => {
                Err(IdentityError::UntrustedRoot(link.accredited_by))
            }
            _ => Ok(()),
        },
    }
}

/// Rule 6 for one link.
fn check_in_force(link: &Accreditation, at_ms: u64) -> Result<(), IdentityError> {
    if at_ms < link.valid_from_ms {
        return Err(IdentityError::AccreditedOnlyAfter { id: link.id, valid_from_ms: link.valid_from_ms, at_ms });
    }
    if at_ms >= link.valid_until_ms {
        return Err(IdentityError::AccreditationExpired { id: link.id, valid_until_ms: link.valid_until_ms, at_ms });
    }
    match link.revoked_at_ms {
        Some(revoked_at_ms) if revoked_at_ms <= at_ms => {
            Err(IdentityError::Revoked { id: link.id, revoked_at_ms, at_ms })
        }
        _ => Ok(()),
    }
}

/// The status of entry `index` (0 valid, 1 revoked, 2 suspended) of the list `header`, from the proven chunk that
/// holds it (chunk number `header.chunk_of(index)`; `None` when the proof shows it absent: every entry valid).
/// Refuses an index out of range and a chunk of the wrong length.
pub fn status_at(header: &StatusListHeader, index: u32, chunk: Option<&[u8]>) -> Result<u8, IdentityError> {
    if index >= header.capacity {
        return Err(IdentityError::StatusIndexOutOfRange { index, capacity: header.capacity });
    }
    if header.bits != 1 && header.bits != 2 {
        return Err(IdentityError::MalformedChunk(format!("a list has 1 or 2 bits per entry, not {}", header.bits)));
    }
    let Some(chunk) = chunk else { return Ok(0) };
    let expected = header.chunk_len(header.chunk_of(index));
    if chunk.len() != expected {
        return Err(IdentityError::MalformedChunk(format!(
            "chunk {} of this list has {expected} bytes, the one given has {}",
            header.chunk_of(index),
            chunk.len()
        )));
    }
    Ok(header.read_entry(chunk, index))
}
