//! Execution of the identity module's calls. Each call checks the sender's authority first, then its arguments
//! (every size and count bounded), and writes only once every check passed: a refusal writes nothing.

use std::collections::BTreeSet;

use publica_accounts::{AccountKind, AccountRecord};
use publica_types::{codec, sha256, Address, CallContext, Hash, StateRead, StateWrite, TxError, TxOutcome};

use crate::call::*;
use crate::error::{self, refuse};
use crate::query;
use crate::schema::*;

/// The role that makes an official a trust root, in an agency allowed to grant it (from genesis or a governance
/// vote): a ministry that may accredit issuers and register schemas.
pub const TRUST_ROOT_ROLE: &str = "trust-root";
/// Most links of an accreditation chain, root included.
pub const MAX_ACCREDITATION_CHAIN_LINKS: usize = 8;
/// Most accreditations one issuer holds for one type (the index is one bounded value).
pub const MAX_ACCREDITATIONS_PER_ISSUER_TYPE: usize = 64;
/// Most status lists one owner creates.
pub const MAX_STATUS_LISTS_PER_OWNER: u32 = 1_000_000;
/// Most uses recorded on one consent.
pub const MAX_CONSENT_USES: u32 = 1_000_000;

/// Execute an identity call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &IdentityCall) -> Result<TxOutcome, TxError> {
    match call {
        IdentityCall::RegisterSchema { type_name, version, document } => {
            register_schema(state, ctx, type_name, *version, document)?;
            Ok(TxOutcome::None)
        }
        IdentityCall::Accredit { issuer, credential_type, schema, valid_from_ms, valid_until_ms } => {
            let window = (*valid_from_ms, *valid_until_ms);
            let id = accredit(state, ctx, issuer, credential_type, schema, window)?;
            Ok(TxOutcome::Accreditation { id })
        }
        IdentityCall::RevokeAccreditation { id } => {
            revoke_accreditation(state, ctx, *id)?;
            Ok(TxOutcome::None)
        }
        IdentityCall::CreateStatusList { bits, capacity } => {
            let number = create_status_list(state, ctx, *bits, *capacity)?;
            Ok(TxOutcome::StatusList { number })
        }
        IdentityCall::UpdateStatus { list, status, indices } => {
            update_status(state, ctx, *list, *status, indices)?;
            Ok(TxOutcome::None)
        }
        IdentityCall::GrantConsent { grantee, credential, claims, purpose, until_ms } => {
            let id = grant_consent(state, ctx, grantee, credential, claims, purpose, *until_ms)?;
            Ok(TxOutcome::Consent { id })
        }
        IdentityCall::RevokeConsent { id } => {
            revoke_consent(state, ctx, *id)?;
            Ok(TxOutcome::None)
        }
        IdentityCall::RecordConsentUse { id } => {
            record_consent_use(state, ctx, *id)?;
            Ok(TxOutcome::None)
        }
    }
}

fn register_schema(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    type_name: &str,
    version: u32,
    document: &[u8],
) -> Result<(), TxError> {
    publica_accounts::require_role(state, &ctx.sender, TRUST_ROOT_ROLE)?;
    check_type_name(type_name).map_err(|e| refuse(error::TYPE_NAME_INVALID, e))?;
    check_schema_document(document)?;
    let hash = sha256(document);
    if state.get(&schema_key(&hash)).is_some() {
        return Err(refuse(
            error::SCHEMA_ALREADY_REGISTERED,
            format!("schema {} is already registered; refer to it by its hash", hex(&hash)),
        ));
    }
    let version_key = schema_version_key(type_name, version);
    if state.get(&version_key).is_some() {
        return Err(refuse(
            error::SCHEMA_VERSION_TAKEN,
            format!("type {type_name:?} already has a schema version {version}; register a new version"),
        ));
    }
    let record = SchemaRecord {
        hash,
        type_name: type_name.to_owned(),
        version,
        document: document.to_vec(),
        registered_by: ctx.sender,
        registered_at_ms: ctx.time_ms,
        height: ctx.height,
    };
    state.put(schema_key(&hash), codec::encode(&record));
    state.put(version_key, hash.to_vec());
    Ok(())
}

/// A schema document is at most [`MAX_SCHEMA_DOCUMENT_BYTES`], parses as JSON, is an object, declares
/// `"$schema": SCHEMA_DIALECT` and uses only the keywords a verifier checks offline
/// ([`crate::verify::check_schema_subset`]).
fn check_schema_document(document: &[u8]) -> Result<(), TxError> {
    if document.len() > MAX_SCHEMA_DOCUMENT_BYTES {
        return Err(refuse(
            error::SCHEMA_DOCUMENT_TOO_LARGE,
            format!("a schema document has at most {MAX_SCHEMA_DOCUMENT_BYTES} bytes, this one has {}", document.len()),
        ));
    }
    let invalid = |why: String| refuse(error::SCHEMA_DOCUMENT_INVALID, why);
    let value: serde_json::Value =
        serde_json::from_slice(document).map_err(|e| invalid(format!("the schema document is not JSON: {e}")))?;
    let object = value.as_object().ok_or_else(|| invalid("the schema document is not a JSON object".into()))?;
    if object.get("$schema").and_then(|s| s.as_str()) != Some(SCHEMA_DIALECT) {
        return Err(invalid(format!("the schema document must declare \"$schema\": \"{SCHEMA_DIALECT}\"")));
    }
    crate::verify::check_schema_subset(&value).map_err(invalid)
}

fn is_trust_root(state: &dyn StateRead, address: &Address) -> bool {
    publica_accounts::require_role(state, address, TRUST_ROOT_ROLE).is_ok()
}

/// The accreditor's standing for a type at a time: a trust root (no parent), or the in-force accreditations whose
/// chain is in force too (the candidates for the parent).
fn accreditor_parents(
    state: &dyn StateRead,
    sender: &Address,
    credential_type: &str,
    now_ms: u64,
) -> Vec<(Accreditation, usize)> {
    query::issuer_accreditations(state, sender, credential_type)
        .value
        .into_iter()
        .filter_map(|a| chain_in_force(state, &a, now_ms).map(|depth| (a, depth)))
        .collect()
}

/// The number of links from `a` to its root when every one is in force at `now_ms`.
fn chain_in_force(state: &dyn StateRead, a: &Accreditation, now_ms: u64) -> Option<usize> {
    let mut link = a.clone();
    for depth in 1..=MAX_ACCREDITATION_CHAIN_LINKS {
        if !link.in_force_at(now_ms) {
            return None;
        }
        match link.parent {
            None => return Some(depth),
            Some(parent) => link = query::accreditation(state, parent).value?,
        }
    }
    None
}

fn accredit(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    issuer: &Address,
    credential_type: &str,
    schema: &Hash,
    (valid_from_ms, valid_until_ms): (u64, u64),
) -> Result<u64, TxError> {
    check_type_name(credential_type).map_err(|e| refuse(error::TYPE_NAME_INVALID, e))?;
    let root = is_trust_root(state, &ctx.sender);
    let parents = if root { Vec::new() } else { accreditor_parents(state, &ctx.sender, credential_type, ctx.time_ms) };
    if !root && parents.is_empty() {
        return Err(refuse(
            error::ACCREDITOR_NOT_ACCREDITED,
            format!(
                "{} is neither a trust root nor accredited for {credential_type:?} now; ask a trust root or an \
                 accredited issuer to accredit {issuer}",
                ctx.sender
            ),
        ));
    }
    if valid_from_ms >= valid_until_ms {
        return Err(refuse(error::ACCREDITATION_WINDOW_INVALID, "an accreditation's window must start before it ends"));
    }
    let registered = query::schema(state, schema).value;
    if registered.is_none_or(|s| s.type_name != credential_type) {
        return Err(refuse(
            error::SCHEMA_NOT_REGISTERED_FOR_TYPE,
            format!("schema {} is not registered for {credential_type:?}; register it first", hex(schema)),
        ));
    }
    let issuer_record = publica_accounts::query::account(state, issuer);
    if !issuer_record.as_ref().is_some_and(|r| r.active && matches!(r.kind, AccountKind::Official { .. })) {
        return Err(refuse(error::ISSUER_NOT_AN_ACTIVE_OFFICIAL, format!("{issuer} is not an active official")));
    }
    let parent = if root { None } else { Some(choose_parent(&parents, valid_from_ms, valid_until_ms)?) };
    let index_key = issuer_index_key(issuer, credential_type);
    let mut index: Vec<u64> = state.get(&index_key).map(|b| decode_stored("issuer index", &b)).unwrap_or_default();
    if index.len() >= MAX_ACCREDITATIONS_PER_ISSUER_TYPE {
        return Err(refuse(
            error::ISSUER_ACCREDITATIONS_FULL,
            format!(
                "{issuer} already holds {MAX_ACCREDITATIONS_PER_ISSUER_TYPE} accreditations for {credential_type:?}"
            ),
        ));
    }
    let id = next_number(state, NEXT_ACCREDITATION_KEY);
    let record = Accreditation {
        id,
        issuer: *issuer,
        credential_type: credential_type.to_owned(),
        schema: *schema,
        valid_from_ms,
        valid_until_ms,
        accredited_by: ctx.sender,
        parent,
        created_at_ms: ctx.time_ms,
        height: ctx.height,
        revoked_at_ms: None,
    };
    index.push(id);
    state.put(index_key, codec::encode(&index));
    state.put(accreditation_key(id), codec::encode(&record));
    Ok(id)
}

/// The first in-force accreditation of the accreditor whose window holds the new one and whose chain leaves room
/// for one more link.
fn choose_parent(parents: &[(Accreditation, usize)], from_ms: u64, until_ms: u64) -> Result<u64, TxError> {
    let within: Vec<&(Accreditation, usize)> =
        parents.iter().filter(|(p, _)| p.valid_from_ms <= from_ms && until_ms <= p.valid_until_ms).collect();
    if within.is_empty() {
        let windows: Vec<String> =
            parents.iter().map(|(p, _)| format!("{}: {}..{}", p.id, p.valid_from_ms, p.valid_until_ms)).collect();
        return Err(refuse(
            error::ACCREDITATION_WINDOW_OUTSIDE_PARENT,
            format!(
                "the window {from_ms}..{until_ms} does not lie within the accreditor's own accreditation ({}); \
                 shorten it",
                windows.join(", ")
            ),
        ));
    }
    within.iter().find(|(_, depth)| *depth < MAX_ACCREDITATION_CHAIN_LINKS).map(|(p, _)| p.id).ok_or_else(|| {
        refuse(
            error::ACCREDITATION_CHAIN_TOO_LONG,
            format!("a chain of accreditations has at most {MAX_ACCREDITATION_CHAIN_LINKS} links"),
        )
    })
}

fn revoke_accreditation(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut record = query::accreditation(state, id)
        .value
        .ok_or_else(|| refuse(error::ACCREDITATION_NOT_FOUND, format!("no accreditation has number {id}")))?;
    if record.accredited_by != ctx.sender && !is_trust_root(state, &ctx.sender) {
        return Err(refuse(
            error::ACCREDITATION_REVOKE_NOT_PERMITTED,
            format!("accreditation {id} is revoked by its accreditor {} or a trust root only", record.accredited_by),
        ));
    }
    if let Some(at) = record.revoked_at_ms {
        return Err(refuse(error::ACCREDITATION_ALREADY_REVOKED, format!("accreditation {id} was revoked at {at} ms")));
    }
    record.revoked_at_ms = Some(ctx.time_ms);
    state.put(accreditation_key(id), codec::encode(&record));
    Ok(())
}

fn create_status_list(state: &mut dyn StateWrite, ctx: &CallContext, bits: u8, capacity: u32) -> Result<u32, TxError> {
    let owner = publica_accounts::query::account(state, &ctx.sender);
    if !owner.as_ref().is_some_and(|r| r.active && matches!(r.kind, AccountKind::Official { .. })) {
        return Err(refuse(
            error::STATUS_LIST_OWNER_NOT_AN_OFFICIAL,
            format!("{} is not an active official; only issuers own status lists", ctx.sender),
        ));
    }
    if bits != 1 && bits != 2 {
        return Err(refuse(
            error::STATUS_LIST_BITS_INVALID,
            format!("a status list has 1 or 2 bits per entry, not {bits}"),
        ));
    }
    if capacity == 0 || capacity > MAX_STATUS_LIST_ENTRIES {
        return Err(refuse(
            error::STATUS_LIST_CAPACITY_OUT_OF_RANGE,
            format!("a status list holds 1 to {MAX_STATUS_LIST_ENTRIES} entries, not {capacity}"),
        ));
    }
    let count_key = status_list_count_key(&ctx.sender);
    let number = state.get(&count_key).map_or(0, |b| decode_counter(&b)) as u32;
    if number >= MAX_STATUS_LISTS_PER_OWNER {
        return Err(refuse(
            error::STATUS_LISTS_FULL,
            format!("an owner creates at most {MAX_STATUS_LISTS_PER_OWNER} lists"),
        ));
    }
    let header =
        StatusListHeader { owner: ctx.sender, number, bits, capacity, created_at_ms: ctx.time_ms, height: ctx.height };
    state.put(count_key, (number + 1).to_le_bytes().to_vec());
    state.put(status_list_key(&ctx.sender, number), codec::encode(&header));
    Ok(number)
}

fn update_status(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    list: u32,
    status: u8,
    indices: &[u32],
) -> Result<(), TxError> {
    let header = query::status_list(state, &ctx.sender, list).value.ok_or_else(|| {
        refuse(
            error::STATUS_LIST_NOT_FOUND,
            format!("{} owns no status list {list}; a list is updated by its owner", ctx.sender),
        )
    })?;
    check_status_update(&header, status, indices)?;
    // Indices are increasing, so each chunk's indices are consecutive: read, check and change one chunk at a time,
    // and write only after every chunk passed.
    let mut changed: Vec<(u32, Vec<u8>)> = Vec::new();
    for &index in indices {
        let chunk = header.chunk_of(index);
        if changed.last().is_none_or(|(c, _)| *c != chunk) {
            let bytes = state.get(&status_chunk_key(&header.owner, list, chunk));
            changed.push((chunk, bytes.unwrap_or_else(|| vec![0; header.chunk_len(chunk)])));
        }
        let bytes = &mut changed.last_mut().expect("a chunk was just pushed").1;
        let current = header.read_entry(bytes, index);
        if current == STATUS_REVOKED && status != STATUS_REVOKED {
            return Err(refuse(
                error::STATUS_REVOKED_IS_FINAL,
                format!("entry {index} of list {list} is revoked, and a revoked entry never changes again"),
            ));
        }
        header.write_entry(bytes, index, status);
    }
    for (chunk, bytes) in changed {
        state.put(status_chunk_key(&header.owner, list, chunk), bytes);
    }
    Ok(())
}

fn check_status_update(header: &StatusListHeader, status: u8, indices: &[u32]) -> Result<(), TxError> {
    if status > STATUS_SUSPENDED {
        return Err(refuse(
            error::STATUS_VALUE_INVALID,
            format!("a status is 0 (valid), 1 (revoked) or 2 (suspended), not {status}"),
        ));
    }
    if status == STATUS_SUSPENDED && header.bits != 2 {
        return Err(refuse(
            error::STATUS_SUSPENSION_NEEDS_TWO_BITS,
            format!("list {} has one bit per entry: it can revoke, not suspend; use a two-bit list", header.number),
        ));
    }
    if indices.is_empty() || indices.len() > MAX_STATUS_UPDATE_INDICES {
        return Err(refuse(
            error::STATUS_INDEX_COUNT_OUT_OF_RANGE,
            format!("a status update carries 1 to {MAX_STATUS_UPDATE_INDICES} indices, this one {}", indices.len()),
        ));
    }
    if let Some(w) = indices.windows(2).find(|w| w[0] >= w[1]) {
        return Err(refuse(
            error::STATUS_INDICES_NOT_INCREASING,
            format!("indices must be strictly increasing (sorted, no repeats): {} is followed by {}", w[0], w[1]),
        ));
    }
    let last = *indices.last().expect("indices are not empty");
    if last >= header.capacity {
        return Err(refuse(
            error::STATUS_INDEX_OUT_OF_RANGE,
            format!("index {last} is out of range: list {} has {} entries", header.number, header.capacity),
        ));
    }
    Ok(())
}

fn grant_consent(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    grantee: &Address,
    credential: &Hash,
    claims: &[String],
    purpose: &str,
    until_ms: u64,
) -> Result<u64, TxError> {
    let grantor = publica_accounts::query::account(state, &ctx.sender);
    if !grantor.as_ref().is_some_and(|r: &AccountRecord| r.active && matches!(r.kind, AccountKind::Citizen { .. })) {
        return Err(refuse(
            error::CONSENT_GRANTOR_NOT_A_CITIZEN,
            format!("{} is not an active citizen; consents are granted by the credential's holder", ctx.sender),
        ));
    }
    check_claims(claims)?;
    check_text("consent purpose", purpose, MAX_PURPOSE_BYTES).map_err(|e| refuse(error::CONSENT_PURPOSE_INVALID, e))?;
    if until_ms <= ctx.time_ms {
        return Err(refuse(
            error::CONSENT_UNTIL_NOT_IN_FUTURE,
            format!("a consent must end after the block's time ({} ms), not at {until_ms} ms", ctx.time_ms),
        ));
    }
    if publica_accounts::query::account(state, grantee).is_none() {
        return Err(refuse(error::CONSENT_GRANTEE_UNKNOWN, format!("grantee {grantee} is not a registered account")));
    }
    let id = next_number(state, NEXT_CONSENT_KEY);
    let consent = Consent {
        id,
        grantor: ctx.sender,
        grantee: *grantee,
        credential: *credential,
        claims: claims.to_vec(),
        purpose: purpose.to_owned(),
        until_ms,
        granted_at_ms: ctx.time_ms,
        height: ctx.height,
        revoked_at_ms: None,
        uses: 0,
    };
    state.put(consent_key(id), codec::encode(&consent));
    append_index(state, grantor_count_key(&ctx.sender), |n| grantor_entry_key(&ctx.sender, n), id);
    append_index(state, grantee_count_key(grantee), |n| grantee_entry_key(grantee, n), id);
    Ok(id)
}

fn check_claims(claims: &[String]) -> Result<(), TxError> {
    let invalid = |why: String| refuse(error::CONSENT_CLAIMS_INVALID, why);
    if claims.is_empty() || claims.len() > MAX_CONSENT_CLAIMS {
        return Err(invalid(format!("a consent covers 1 to {MAX_CONSENT_CLAIMS} claims, this one {}", claims.len())));
    }
    let mut seen = BTreeSet::new();
    for claim in claims {
        check_text("claim name", claim, MAX_CLAIM_NAME_BYTES).map_err(invalid)?;
        if !seen.insert(claim.as_str()) {
            return Err(invalid(format!("claim {claim:?} is named twice")));
        }
    }
    Ok(())
}

fn revoke_consent(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut consent = find_consent(state, id)?;
    if consent.grantor != ctx.sender {
        return Err(refuse(
            error::CONSENT_REVOKE_NOT_PERMITTED,
            format!("consent {id} is revoked by its grantor only"),
        ));
    }
    if let Some(at) = consent.revoked_at_ms {
        return Err(refuse(error::CONSENT_ALREADY_REVOKED, format!("consent {id} was revoked at {at} ms")));
    }
    consent.revoked_at_ms = Some(ctx.time_ms);
    state.put(consent_key(id), codec::encode(&consent));
    Ok(())
}

fn record_consent_use(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut consent = find_consent(state, id)?;
    if consent.grantee != ctx.sender {
        return Err(refuse(error::CONSENT_USE_NOT_PERMITTED, format!("consent {id} is relied on by its grantee only")));
    }
    if let Some(at) = consent.revoked_at_ms {
        return Err(refuse(error::CONSENT_REVOKED, format!("consent {id} was revoked at {at} ms; do not rely on it")));
    }
    if ctx.time_ms >= consent.until_ms {
        return Err(refuse(
            error::CONSENT_EXPIRED,
            format!("consent {id} ended at {} ms; ask the grantor for a new one", consent.until_ms),
        ));
    }
    if consent.uses >= MAX_CONSENT_USES {
        return Err(refuse(error::CONSENT_USES_FULL, format!("consent {id} already records {MAX_CONSENT_USES} uses")));
    }
    let used = ConsentUse { by: ctx.sender, time_ms: ctx.time_ms, height: ctx.height };
    state.put(consent_use_key(id, consent.uses), codec::encode(&used));
    consent.uses += 1;
    state.put(consent_key(id), codec::encode(&consent));
    Ok(())
}

fn find_consent(state: &dyn StateRead, id: u64) -> Result<Consent, TxError> {
    query::consent(state, id, 0, 0)
        .value
        .map(|v| v.consent)
        .ok_or_else(|| refuse(error::CONSENT_NOT_FOUND, format!("no consent has number {id}")))
}

/// Take the next number of a counter (numbers start at 1).
fn next_number(state: &mut dyn StateWrite, key: &[u8]) -> u64 {
    let id = state.get(key).map_or(1, |b| decode_counter(&b));
    state.put(key.to_vec(), (id + 1).to_le_bytes().to_vec());
    id
}

/// Append `id` to a counted index (count under `count_key`, entry `n` under `entry_key(n)`).
fn append_index(state: &mut dyn StateWrite, count_key: Vec<u8>, entry_key: impl Fn(u64) -> Vec<u8>, id: u64) {
    let n = state.get(&count_key).map_or(0, |b| decode_counter(&b));
    state.put(entry_key(n), id.to_be_bytes().to_vec());
    state.put(count_key, (n + 1).to_le_bytes().to_vec());
}

fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}
