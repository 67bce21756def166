//! Sealed bids and their opening.
//!
//! A bid is a [`BidContent`] sealed to the tender's sealing key, with the tender and the company as associated data
//! and a proof that the bidder knows the box's ephemeral secret (so nobody can copy another bid's ephemeral key into
//! a box of their own and have it decrypted; the ledger also refuses an ephemeral key used before). Until the bid
//! deadline a director or the chair of the company replaces or withdraws it. From the opening time the key holders
//! publish decryption shares with proofs; the call that records a bid's `threshold`-th valid share opens it, so
//! every bid opens through the same public computation and a bidder cannot keep its bid closed.

use publica_crypto::threshold::{self, Point};
use publica_registry::call::OfficerRole;
use publica_registry::schema::CompanyStatus;
use publica_types::{codec, Address, CallContext, RecordId, StateRead, StateWrite, TxError};

use crate::call::{
    bid_aad, key_context, BidContent, BidShare, MAX_BIDS, MAX_BID_VERSIONS, MAX_DOCUMENTS, MAX_SEALED_BID_BYTES,
    MAX_SHARES_PER_CALL, MAX_TEXT_BYTES, MAX_TITLE_BYTES, MAX_URL_BYTES,
};
use crate::error::{self, refuse};
use crate::schema::{self, Bid, EphemeralUse, KeyStage, Opening, Tender};
use crate::tender::{not_cancelled, read};

/// Check that `sender` is a director or the chair of `company`, a registered company that is active.
pub fn require_officer(state: &dyn StateRead, sender: &Address, company: &RecordId) -> Result<(), TxError> {
    let record = publica_registry::query::company(state, company)
        .ok_or_else(|| refuse(error::BIDDER_INVALID, format!("no company {company} in the business register")))?
        .value;
    if record.status != CompanyStatus::Active {
        return Err(refuse(
            error::BIDDER_INVALID,
            format!("company {company} is not active (it is {:?})", record.status),
        ));
    }
    let officer = record
        .officers
        .iter()
        .any(|o| &o.account == sender && matches!(o.role, OfficerRole::Director | OfficerRole::Chair));
    if !officer {
        return Err(refuse(
            error::BIDDER_INVALID,
            format!("{sender} is not a director or the chair of company {company}: only they bind it"),
        ));
    }
    Ok(())
}

/// Submit (or replace) a company's sealed bid.
pub fn submit(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    company: &RecordId,
    sealed: &threshold::SealedBox,
) -> Result<u32, TxError> {
    let mut tender = read(state, id)?;
    not_cancelled(&tender)?;
    if ctx.time_ms >= tender.spec.timeline.bid_deadline_ms {
        return Err(refuse(error::OUT_OF_TIME, format!("tender {id}'s bid deadline passed: bids are closed")));
    }
    require_officer(state, &ctx.sender, company)?;
    if sealed.ciphertext.len() > MAX_SEALED_BID_BYTES {
        return Err(refuse(
            error::BID_INVALID,
            format!("the sealed bid is {} bytes, above {MAX_SEALED_BID_BYTES}", sealed.ciphertext.len()),
        ));
    }
    let use_key = schema::ephemeral_key(&sealed.ephemeral);
    if state.get(&use_key).is_some() {
        return Err(refuse(error::BID_INVALID, "the sealed box's ephemeral key was used before: seal the bid afresh"));
    }
    let context = key_context(&ctx.chain_id, tender.spec.sealing_key);
    sealed.verify(&context, &bid_aad(id, company)).map_err(|e| {
        refuse(error::BID_INVALID, format!("the sealed bid is not sealed for this tender and company: {e}"))
    })?;
    let bidder_key = schema::bidder_key(id, company);
    let existing: Option<u32> = schema::get(state, &bidder_key);
    let encoded = publica_types::encode(sealed);
    let mut bid = match existing {
        Some(number) => {
            let mut bid: Bid = schema::get(state, &schema::bid_key(id, number)).expect("a numbered bid is stored");
            if bid.versions >= MAX_BID_VERSIONS {
                return Err(refuse(
                    error::TOO_MANY_BIDS,
                    format!("company {company} replaced its bid {MAX_BID_VERSIONS} times, as often as a bid may be"),
                ));
            }
            if bid.withdrawn {
                bid.withdrawn = false;
                tender.live_bids += 1;
            }
            bid.ephemeral = sealed.ephemeral;
            bid.submitted_by = ctx.sender;
            bid.submitted_ms = ctx.time_ms;
            bid.versions += 1;
            bid
        }
        None => {
            if tender.bids >= MAX_BIDS {
                return Err(refuse(
                    error::TOO_MANY_BIDS,
                    format!("tender {id} has {MAX_BIDS} bids, as many as it takes"),
                ));
            }
            tender.bids += 1;
            tender.live_bids += 1;
            schema::put(state, bidder_key, &tender.bids)?;
            Bid {
                number: tender.bids,
                company: company.clone(),
                submitted_by: ctx.sender,
                ephemeral: sealed.ephemeral,
                sealed_bytes: 0,
                sealed_sha256: [0; 32],
                submitted_ms: ctx.time_ms,
                first_submitted_ms: ctx.time_ms,
                versions: 1,
                withdrawn: false,
                shares: Vec::new(),
                opening: None,
            }
        }
    };
    bid.sealed_bytes = encoded.len() as u32;
    bid.sealed_sha256 = publica_crypto::sha256(&encoded);
    schema::put(state, use_key, &EphemeralUse { tender: id, bid: bid.number })?;
    state.put(schema::sealed_box_key(id, bid.number), encoded);
    schema::put(state, schema::bid_key(id, bid.number), &bid)?;
    schema::put(state, schema::tender_key(id), &tender)?;
    Ok(bid.number)
}

/// Withdraw a company's bid before the deadline.
pub fn withdraw(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, company: &RecordId) -> Result<(), TxError> {
    let mut tender = read(state, id)?;
    not_cancelled(&tender)?;
    if ctx.time_ms >= tender.spec.timeline.bid_deadline_ms {
        return Err(refuse(error::OUT_OF_TIME, format!("tender {id}'s bid deadline passed: bids stand")));
    }
    require_officer(state, &ctx.sender, company)?;
    let number: u32 = schema::get(state, &schema::bidder_key(id, company))
        .ok_or_else(|| refuse(error::BID_NOT_FOUND, format!("company {company} has no bid in tender {id}")))?;
    let key = schema::bid_key(id, number);
    let mut bid: Bid = schema::get(state, &key).expect("a numbered bid is stored");
    if bid.withdrawn {
        return Err(refuse(error::BID_NOT_FOUND, format!("company {company}'s bid is withdrawn already")));
    }
    bid.withdrawn = true;
    tender.live_bids -= 1;
    schema::put(state, key, &bid)?;
    schema::put(state, schema::tender_key(id), &tender)
}

/// Check an opened bid's content against the tender.
pub fn check_content(tender: &Tender, content: &BidContent) -> Result<(), String> {
    if content.prices.is_empty() {
        return Err("it gives no price".into());
    }
    let mut last: Option<u16> = None;
    for price in &content.prices {
        if usize::from(price.lot) >= tender.spec.lots.len() {
            return Err(format!("it prices lot {}, which the tender does not have", price.lot));
        }
        if last.is_some_and(|l| l >= price.lot) {
            return Err("its prices are not in ascending lot order, once per lot".into());
        }
        if price.price == 0 {
            return Err(format!("its price for lot {} is zero", price.lot));
        }
        last = Some(price.lot);
    }
    if content.documents.len() > MAX_DOCUMENTS {
        return Err(format!("it lists more than {MAX_DOCUMENTS} documents"));
    }
    if content.documents.iter().any(|d| d.title.is_empty() || d.title.len() > MAX_TITLE_BYTES) {
        return Err(format!("a document's title is empty or longer than {MAX_TITLE_BYTES} bytes"));
    }
    if content.documents.iter().any(|d| d.url.len() > MAX_URL_BYTES) {
        return Err(format!("a document's URL is longer than {MAX_URL_BYTES} bytes"));
    }
    if content.summary.len() > MAX_TEXT_BYTES {
        return Err(format!("its summary is longer than {MAX_TEXT_BYTES} bytes"));
    }
    Ok(())
}

/// Decrypt and read a bid from its combined decryption.
fn open_bid(tender: &Tender, bid: &Bid, sealed: &threshold::SealedBox, combined: &Point, context: &[u8]) -> Opening {
    let plaintext = match threshold::open(sealed, combined, context, &bid_aad(tender.id, &bid.company)) {
        Ok(plaintext) => plaintext,
        Err(e) => return Opening::Invalid { reason: format!("it does not decrypt: {e}") },
    };
    let content: BidContent = match codec::decode_canonical("bid", &plaintext, MAX_SEALED_BID_BYTES) {
        Ok(content) => content,
        Err(e) => return Opening::Invalid { reason: format!("it decrypts to no bid: {e}") },
    };
    match check_content(tender, &content) {
        Ok(()) => Opening::Valid { content },
        Err(reason) => Opening::Invalid { reason: format!("it is not a valid bid: {reason}") },
    }
}

/// A key holder publishes decryption shares; bids that reach the threshold open.
pub fn publish_shares(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    shares: &[BidShare],
) -> Result<u32, TxError> {
    let mut tender = read(state, id)?;
    let key = crate::keys::read(state, tender.spec.sealing_key)?;
    let holder = key.holder_number(&ctx.sender).ok_or_else(|| {
        refuse(error::NOT_A_HOLDER, format!("{} holds no share of sealing key {}", ctx.sender, key.id))
    })?;
    publica_accounts::require_role(state, &ctx.sender, crate::KEY_HOLDER_ROLE)?;
    not_cancelled(&tender)?;
    if ctx.time_ms < tender.spec.timeline.opening_ms {
        return Err(refuse(
            error::OUT_OF_TIME,
            format!("tender {id} opens at {} ms: no share is taken before", tender.spec.timeline.opening_ms),
        ));
    }
    let KeyStage::Ready { verification_keys, .. } = &key.stage else {
        return Err(refuse(error::CEREMONY_STEP, format!("sealing key {} is not finished", key.id)));
    };
    let verification_key = verification_keys[usize::from(holder - 1)];
    if shares.is_empty() || shares.len() > MAX_SHARES_PER_CALL {
        return Err(refuse(
            error::SHARE_INVALID,
            format!("give 1 to {MAX_SHARES_PER_CALL} shares, not {}", shares.len()),
        ));
    }
    if shares.windows(2).any(|w| w[0].bid >= w[1].bid) {
        return Err(refuse(error::SHARE_INVALID, "the shares must be in ascending bid order, one per bid"));
    }
    let context = key_context(&ctx.chain_id, key.id);
    let mut bids = Vec::with_capacity(shares.len());
    for item in shares {
        let bid: Bid = schema::get(state, &schema::bid_key(id, item.bid))
            .ok_or_else(|| refuse(error::BID_NOT_FOUND, format!("tender {id} has no bid {}", item.bid)))?;
        if bid.withdrawn || bid.opening.is_some() || bid.shares.contains(&holder) {
            return Err(refuse(
                error::SHARE_INVALID,
                format!("bid {} is withdrawn, open already, or has holder {holder}'s share", item.bid),
            ));
        }
        bids.push(bid);
    }
    // Every share is checked (on all cores) before any is recorded.
    let batch: Vec<_> = shares
        .iter()
        .zip(&bids)
        .map(|(item, bid)| (&item.share, &verification_key, &bid.ephemeral, context.as_slice()))
        .collect();
    let verdicts = threshold::verify_decryption_shares_batch(&batch);
    if let Some((item, Err(e))) = shares.iter().zip(verdicts).find(|(_, v)| v.is_err()) {
        return Err(refuse(error::PROOF_INVALID, format!("the share for bid {} does not verify: {e}", item.bid)));
    }
    let mut opened = 0;
    for (item, mut bid) in shares.iter().zip(bids) {
        schema::put(state, schema::share_key(id, item.bid, holder), &item.share)?;
        bid.shares.push(holder);
        if bid.shares.len() == usize::from(key.threshold) {
            let points: Vec<(u16, Point)> = bid
                .shares
                .iter()
                .map(|&j| {
                    let share: threshold::DecryptionShare =
                        schema::get(state, &schema::share_key(id, bid.number, j)).expect("a recorded share is stored");
                    (j, share.share)
                })
                .collect();
            let sealed: threshold::SealedBox = schema::get(state, &schema::sealed_box_key(id, bid.number))
                .expect("a bid's sealed box is stored with it");
            let opening = match threshold::combine(&points, key.threshold) {
                Ok(combined) => open_bid(&tender, &bid, &sealed, &combined, &context),
                Err(e) => Opening::Invalid { reason: format!("its shares do not combine: {e}") },
            };
            if let Opening::Valid { content } = &opening {
                for price in &content.prices {
                    tender.lots[usize::from(price.lot)].valid_bids += 1;
                }
            }
            bid.opening = Some(opening);
            tender.opened += 1;
            opened += 1;
        }
        schema::put(state, schema::bid_key(id, bid.number), &bid)?;
    }
    schema::put(state, schema::tender_key(id), &tender)?;
    Ok(opened)
}
