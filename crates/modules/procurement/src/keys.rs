//! Sealing keys: the key ceremony by which named key holders make, without a dealer, a key that bids are sealed to
//! and that any `threshold` of them open (the joint-Feldman distributed key generation of
//! `publica_crypto::threshold`, run through transactions).
//!
//! 1. A `procurement-authority` official names the holders (officials holding `key-holder`, ideally of different
//!    agencies), the threshold and three deadlines.
//! 2. Each holder registers an encryption key with a proof that it knows its secret.
//! 3. Once every holder registered, each deals: commitments to a random polynomial, a proof of knowledge of its
//!    constant term, and a share encrypted to every holder. The ledger checks what is public in a deal on arrival.
//! 4. A holder whose share from a dealer is bad reveals its decryption with a proof; the ledger recomputes the share
//!    and, if it is indeed bad, disqualifies the dealer (a complaint against a good share is refused).
//! 5. After the complaint deadline anyone finishes the key: the public key is the sum of the qualified dealers'
//!    constant-term commitments, and each holder's verification key follows from the commitments alone.

use publica_crypto::threshold::{self, Complaint, Deal, Point, SchnorrProof};
use publica_types::{Address, CallContext, StateWrite, TxError};

use crate::call::{key_context, MAX_HOLDERS, MAX_PERIOD_MS, MAX_TITLE_BYTES};
use crate::error::{self, refuse};
use crate::schema::{self, KeyStage, SealingKey};
use crate::{check_text, AUTHORITY_ROLE, KEY_HOLDER_ROLE};

/// The arguments of a new ceremony.
pub struct NewCeremony<'a> {
    /// Its name.
    pub name: &'a str,
    /// The holders.
    pub holders: &'a [Address],
    /// The threshold.
    pub threshold: u16,
    /// Registration deadline.
    pub register_by_ms: u64,
    /// Dealing deadline.
    pub deal_by_ms: u64,
    /// Complaint deadline.
    pub complaints_by_ms: u64,
}

/// Start a key ceremony.
pub fn create(state: &mut dyn StateWrite, ctx: &CallContext, new: NewCeremony<'_>) -> Result<u64, TxError> {
    let official = publica_accounts::require_role(state, &ctx.sender, AUTHORITY_ROLE)?;
    let authority = official.agency().cloned().expect("an official has an agency");
    check_text("name of the sealing key", new.name, MAX_TITLE_BYTES)?;
    let n = new.holders.len();
    if !(2..=MAX_HOLDERS).contains(&n) {
        return Err(refuse(error::CEREMONY_INVALID, format!("a sealing key has 2 to {MAX_HOLDERS} holders, not {n}")));
    }
    let mut sorted = new.holders.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != n {
        return Err(refuse(error::CEREMONY_INVALID, "a holder is named twice: name each holder once"));
    }
    if new.threshold < 2 || usize::from(new.threshold) > n {
        return Err(refuse(
            error::CEREMONY_INVALID,
            format!("the threshold must be 2 to the number of holders ({n}), not {}", new.threshold),
        ));
    }
    let now = ctx.time_ms;
    let ordered = now < new.register_by_ms
        && new.register_by_ms < new.deal_by_ms
        && new.deal_by_ms < new.complaints_by_ms
        && new.complaints_by_ms - now <= MAX_PERIOD_MS;
    if !ordered {
        return Err(refuse(
            error::CEREMONY_INVALID,
            "the deadlines must follow one another after the block time (register, deal, complaints), within two \
             years",
        ));
    }
    for holder in new.holders {
        publica_accounts::require_role(state, holder, KEY_HOLDER_ROLE)?;
    }
    let id = schema::take_next(state, "k");
    let record = SealingKey {
        id,
        name: new.name.to_string(),
        authority,
        holders: new.holders.to_vec(),
        threshold: new.threshold,
        register_by_ms: new.register_by_ms,
        deal_by_ms: new.deal_by_ms,
        complaints_by_ms: new.complaints_by_ms,
        encryption_keys: vec![None; n],
        dealt: vec![false; n],
        disqualified: vec![false; n],
        stage: KeyStage::Ceremony,
        created_ms: now,
    };
    schema::put(state, schema::sealing_key_key(id), &record)?;
    Ok(id)
}

/// Read a sealing key, and the sender's holder number in it (checked to still hold `key-holder`).
fn as_holder(state: &dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(SealingKey, u16), TxError> {
    let key = read(state, id)?;
    let j = key
        .holder_number(&ctx.sender)
        .ok_or_else(|| refuse(error::NOT_A_HOLDER, format!("{} is not a holder of sealing key {id}", ctx.sender)))?;
    publica_accounts::require_role(state, &ctx.sender, KEY_HOLDER_ROLE)?;
    Ok((key, j))
}

/// Read a sealing key.
pub fn read(state: &dyn publica_types::StateRead, id: u64) -> Result<SealingKey, TxError> {
    schema::get(state, &schema::sealing_key_key(id))
        .ok_or_else(|| refuse(error::KEY_NOT_FOUND, format!("no sealing key {id}")))
}

fn in_ceremony(key: &SealingKey) -> Result<(), TxError> {
    match key.stage {
        KeyStage::Ceremony => Ok(()),
        KeyStage::Ready { .. } => {
            Err(refuse(error::CEREMONY_STEP, format!("sealing key {} is finished already", key.id)))
        }
    }
}

/// A holder registers its encryption key.
pub fn register(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    encryption_key: &Point,
    proof: &SchnorrProof,
) -> Result<(), TxError> {
    let (mut key, j) = as_holder(state, ctx, id)?;
    in_ceremony(&key)?;
    if ctx.time_ms > key.register_by_ms {
        return Err(refuse(error::CEREMONY_STEP, format!("registration for sealing key {id} closed")));
    }
    let slot = &mut key.encryption_keys[usize::from(j - 1)];
    if slot.is_some() {
        return Err(refuse(error::CEREMONY_STEP, format!("holder {j} registered its key already")));
    }
    let context = key_context(&ctx.chain_id, id);
    threshold::verify_encryption_key(encryption_key, proof, &context, j)
        .map_err(|e| refuse(error::PROOF_INVALID, format!("the encryption key does not verify: {e}")))?;
    *slot = Some(*encryption_key);
    schema::put(state, schema::sealing_key_key(id), &key)
}

/// The holders' registered encryption keys, once every holder registered.
fn recipients(key: &SealingKey) -> Result<Vec<Point>, TxError> {
    key.encryption_keys.iter().copied().collect::<Option<Vec<_>>>().ok_or_else(|| {
        refuse(error::CEREMONY_STEP, format!("not every holder of sealing key {} registered its key yet", key.id))
    })
}

/// A holder deals.
pub fn deal(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, deal: &Deal) -> Result<(), TxError> {
    let (mut key, j) = as_holder(state, ctx, id)?;
    in_ceremony(&key)?;
    recipients(&key)?;
    if ctx.time_ms > key.deal_by_ms {
        return Err(refuse(error::CEREMONY_STEP, format!("dealing for sealing key {id} closed")));
    }
    if key.dealt[usize::from(j - 1)] {
        return Err(refuse(error::CEREMONY_STEP, format!("holder {j} dealt already")));
    }
    let context = key_context(&ctx.chain_id, id);
    deal.check_public(&context, j, key.threshold, key.holders.len() as u16)
        .map_err(|e| refuse(error::PROOF_INVALID, format!("the deal does not verify: {e}")))?;
    key.dealt[usize::from(j - 1)] = true;
    schema::put(state, schema::deal_key(id, j), deal)?;
    schema::put(state, schema::sealing_key_key(id), &key)
}

/// A holder complains about a dealer's share.
pub fn complain(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    dealer: u16,
    complaint: &Complaint,
) -> Result<(), TxError> {
    let (mut key, j) = as_holder(state, ctx, id)?;
    in_ceremony(&key)?;
    if ctx.time_ms > key.complaints_by_ms {
        return Err(refuse(error::CEREMONY_STEP, format!("complaints for sealing key {id} closed")));
    }
    let n = key.holders.len() as u16;
    if dealer == 0 || dealer > n || dealer == j {
        return Err(refuse(error::CEREMONY_STEP, format!("dealer {dealer} is not another holder of the key")));
    }
    if key.disqualified[usize::from(dealer - 1)] {
        return Err(refuse(error::CEREMONY_STEP, format!("dealer {dealer} is disqualified already")));
    }
    let stored: Deal = schema::get(state, &schema::deal_key(id, dealer))
        .ok_or_else(|| refuse(error::CEREMONY_STEP, format!("dealer {dealer} has not dealt")))?;
    let own_key = key.encryption_keys[usize::from(j - 1)].expect("a holder that dealt with others registered");
    let context = key_context(&ctx.chain_id, id);
    let upheld = complaint
        .judge(&stored, &context, dealer, j, &own_key)
        .map_err(|e| refuse(error::PROOF_INVALID, format!("the complaint's proof does not verify: {e}")))?;
    if !upheld {
        return Err(refuse(
            error::COMPLAINT_UNFOUNDED,
            format!("dealer {dealer}'s share to holder {j} is good: the complaint is unfounded"),
        ));
    }
    key.disqualified[usize::from(dealer - 1)] = true;
    schema::put(state, schema::deal_complaint_key(id, dealer, j), complaint)?;
    schema::put(state, schema::sealing_key_key(id), &key)
}

/// Finish the key after the complaint deadline.
pub fn finish(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut key = read(state, id)?;
    in_ceremony(&key)?;
    if ctx.time_ms <= key.complaints_by_ms {
        return Err(refuse(
            error::CEREMONY_STEP,
            format!("sealing key {id} can be finished after its complaint deadline ({} ms)", key.complaints_by_ms),
        ));
    }
    let qualified: Vec<u16> = (1..=key.holders.len() as u16)
        .filter(|&i| key.dealt[usize::from(i - 1)] && !key.disqualified[usize::from(i - 1)])
        .collect();
    if qualified.len() < usize::from(key.threshold) {
        return Err(refuse(
            error::KEY_FAILED,
            format!(
                "only {} qualified dealers, fewer than the threshold of {}: start a new ceremony",
                qualified.len(),
                key.threshold
            ),
        ));
    }
    let deals: Vec<(u16, Deal)> = qualified
        .iter()
        .map(|&i| (i, schema::get(state, &schema::deal_key(id, i)).expect("a qualified dealer's deal is stored")))
        .collect();
    let refs: Vec<(u16, &Deal)> = deals.iter().map(|(i, d)| (*i, d)).collect();
    let public_key = threshold::joint_public_key(&refs)
        .map_err(|e| refuse(error::KEY_FAILED, format!("the qualified deals do not make a key: {e}")))?;
    let verification_keys = (1..=key.holders.len() as u16)
        .map(|j| threshold::verification_key(&refs, j))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| refuse(error::KEY_FAILED, format!("the qualified deals do not make a key: {e}")))?;
    key.stage = KeyStage::Ready { public_key, verification_keys, qualified };
    schema::put(state, schema::sealing_key_key(id), &key)
}
