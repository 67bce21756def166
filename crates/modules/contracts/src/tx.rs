//! Calls of the contracts module and the rules they enforce, and the changes governance applies through it.
//!
//! Every call checks the sender's authority first, then its arguments (cheap checks before expensive ones), then
//! writes. A contract call that passes its checks always commits: the fuel it used is charged to the agency's
//! budget for the day and to the sender's daily use of the instance whether the contract succeeded or not, and a
//! [`Receipt`] records the result; the contract's own writes and events are applied only when it returned 0.

use std::sync::OnceLock;

use publica_types::{sha256, AgencyId, CallContext, ErrorCode, Hash, Role, StateRead, StateWrite, TxError, TxOutcome};
use publica_wasm::{Engine, Error as WasmError};

use crate::call::{
    ContractsCall, Deployment, Policy, MAX_FUEL_PER_CALL, MAX_INPUT_BYTES, MAX_INSTANCE_ROLES, MAX_NAME_BYTES,
    MAX_POLICY_CODE_HASHES, MAX_UPLOAD_CODE_BYTES,
};
use crate::error::{self, refuse};
use crate::host::{LedgerHost, NativeCalls};
use crate::schema::{
    self, Authority, CallFailure, CodeRecord, CodeVersion, Instance, Receipt, MAX_CODE_HISTORY,
    MAX_RECEIPT_MESSAGE_BYTES, MAX_RECEIPT_OUTPUT_BYTES,
};

/// The role an official needs to upload code.
pub const DEVELOPER_ROLE: &str = "contract-developer";

/// The node's one engine: it caches compiled modules by code hash, and a cached module runs exactly as a freshly
/// compiled one, so sharing it changes no result.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// Execute a contracts call: a deployment reports nothing (the instance is found by its name), a call records
/// its [`Receipt`] under the transaction's id. `native` runs the native calls a contract submits.
pub fn execute(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    call: &ContractsCall,
    native: &dyn NativeCalls,
) -> Result<TxOutcome, TxError> {
    match call {
        ContractsCall::Upload { code } => upload(state, ctx, code)?,
        ContractsCall::Deploy { name, code_hash, fuel_per_call, fuel_per_sender_day } => {
            deploy_by_admin(state, ctx, name, code_hash, *fuel_per_call, *fuel_per_sender_day)?;
        }
        ContractsCall::Call { instance, input, fuel_limit } => {
            call_instance(state, ctx, native, *instance, input, *fuel_limit)?;
        }
        ContractsCall::Freeze { instance } => freeze(state, ctx, *instance)?,
    }
    Ok(TxOutcome::None)
}

fn upload(state: &mut dyn StateWrite, ctx: &CallContext, code: &[u8]) -> Result<(), TxError> {
    let developer = publica_accounts::require_role(state, &ctx.sender, DEVELOPER_ROLE)?;
    let agency = developer.agency().cloned().expect("an account with a role is an official of an agency");
    if code.len() > MAX_UPLOAD_CODE_BYTES {
        return Err(refuse(
            error::CODE_TOO_LARGE,
            format!(
                "the module is {} bytes, more than the {MAX_UPLOAD_CODE_BYTES} bytes an upload may carry: optimise it \
                 for size and strip custom sections",
                code.len()
            ),
        ));
    }
    publica_wasm::validate(code).map_err(|e| refuse(error::CODE_INVALID, format!("the module is refused: {e}")))?;
    let hash = sha256(code);
    if state.get(&schema::code_key(&hash)).is_some() {
        return Err(refuse(
            error::CODE_EXISTS,
            format!("code {} is already uploaded; deploy it by its hash", hex::encode(hash)),
        ));
    }
    let record = CodeRecord { code: code.to_vec(), uploader: ctx.sender, agency, height: ctx.height };
    schema::put(state, schema::code_key(&hash), &record);
    Ok(())
}

/// Check an instance name: `[a-z0-9-]{1,64}`.
pub fn check_name(name: &str) -> Result<(), TxError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(refuse(
            error::NAME_INVALID,
            format!("instance name {name:?} is not 1 to {MAX_NAME_BYTES} characters of a-z, 0-9 and '-'"),
        ))
    }
}

fn check_fuel(what: &str, fuel: u64, max: u64) -> Result<(), TxError> {
    if fuel == 0 || fuel > max {
        return Err(refuse(error::FUEL_LIMIT_INVALID, format!("{what} must be between 1 and {max}, not {fuel}")));
    }
    Ok(())
}

/// The checks every deployment passes, by an administrator or by a vote: name free and well formed, code
/// uploaded, fuel limits in range, and room under the agency's instance limit when it has a policy.
fn check_deployment(
    state: &dyn StateRead,
    agency: &AgencyId,
    name: &str,
    code_hash: &Hash,
    fuel_per_call: u64,
    fuel_per_sender_day: u64,
) -> Result<CodeRecord, TxError> {
    check_name(name)?;
    if state.get(&schema::name_key(name)).is_some() {
        return Err(refuse(error::NAME_TAKEN, format!("an instance named {name} exists; choose another name")));
    }
    let code: CodeRecord = schema::get(state, &schema::code_key(code_hash)).ok_or_else(|| {
        refuse(error::CODE_NOT_FOUND, format!("no code {} is uploaded; upload it first", hex::encode(code_hash)))
    })?;
    check_fuel("fuel_per_call", fuel_per_call, MAX_FUEL_PER_CALL)?;
    check_fuel("fuel_per_sender_day", fuel_per_sender_day, u64::MAX)?;
    if let Some(policy) = schema::get::<Policy>(state, &schema::policy_key(agency)) {
        let held = schema::get_u64(state, &schema::agency_count_key(agency));
        if held >= u64::from(policy.max_instances) {
            return Err(refuse(
                error::INSTANCE_LIMIT_REACHED,
                format!("agency {agency} holds {held} instances, the most its policy allows"),
            ));
        }
    }
    Ok(code)
}

/// Write a new instance; returns its number.
// Each argument is a field of the instance; a struct for them would only repeat `Instance`.
#[allow(clippy::too_many_arguments)]
fn write_instance(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    agency: &AgencyId,
    name: &str,
    code_hash: &Hash,
    fuel: (u64, u64),
    roles: Vec<Role>,
    authority: Authority,
) -> u64 {
    let id = schema::get_u64(state, schema::NEXT_INSTANCE_KEY);
    let instance = Instance {
        id,
        name: name.to_owned(),
        agency: agency.clone(),
        code_hash: *code_hash,
        fuel_per_call: fuel.0,
        fuel_per_sender_day: fuel.1,
        roles,
        frozen: false,
        history: vec![CodeVersion { code_hash: *code_hash, height: ctx.height, authority }],
        deployed_at_height: ctx.height,
    };
    schema::put(state, schema::instance_key(id), &instance);
    schema::put_u64(state, schema::name_key(name), id);
    schema::put_u64(state, schema::NEXT_INSTANCE_KEY.to_vec(), id + 1);
    let held = schema::get_u64(state, &schema::agency_count_key(agency));
    schema::put_u64(state, schema::agency_count_key(agency), held + 1);
    id
}

fn deploy_by_admin(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    name: &str,
    code_hash: &Hash,
    fuel_per_call: u64,
    fuel_per_sender_day: u64,
) -> Result<u64, TxError> {
    let admin = publica_accounts::require_role(state, &ctx.sender, Role::ADMIN)?;
    let agency = admin.agency().cloned().expect("an account with a role is an official of an agency");
    let policy: Policy = schema::get(state, &schema::policy_key(&agency)).ok_or_else(|| {
        refuse(
            error::POLICY_NOT_SET,
            format!("agency {agency} has no contract policy; deploy by a governance vote, or have one voted"),
        )
    })?;
    if !policy.admin_deploy {
        return Err(refuse(
            error::ADMIN_DEPLOY_NOT_ALLOWED,
            format!("agency {agency}'s policy does not let its administrators deploy; deploy by a governance vote"),
        ));
    }
    let code = check_deployment(state, &agency, name, code_hash, fuel_per_call, fuel_per_sender_day)?;
    let allowed = policy.code_hashes.contains(code_hash) || (policy.any_agency_code && code.agency == agency);
    if !allowed {
        return Err(refuse(
            error::CODE_NOT_ALLOWED,
            format!(
                "agency {agency}'s policy does not list code {} for its administrators; deploy it by a governance vote",
                hex::encode(code_hash)
            ),
        ));
    }
    if fuel_per_call > policy.max_fuel_per_call {
        return Err(refuse(
            error::FUEL_LIMIT_INVALID,
            format!(
                "fuel_per_call {fuel_per_call} is above the {} agency {agency}'s policy allows",
                policy.max_fuel_per_call
            ),
        ));
    }
    let authority = Authority::Admin { address: ctx.sender };
    Ok(write_instance(state, ctx, &agency, name, code_hash, (fuel_per_call, fuel_per_sender_day), vec![], authority))
}

fn instance(state: &dyn StateRead, id: u64) -> Result<Instance, TxError> {
    schema::get(state, &schema::instance_key(id))
        .ok_or_else(|| refuse(error::INSTANCE_NOT_FOUND, format!("there is no contract instance {id}")))
}

fn freeze(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let admin = publica_accounts::require_role(state, &ctx.sender, Role::ADMIN)?;
    let mut instance = instance(state, id)?;
    if admin.agency() != Some(&instance.agency) {
        return Err(refuse(
            error::NOT_INSTANCE_AGENCY,
            format!("instance {id} belongs to agency {}; only its administrators freeze it", instance.agency),
        ));
    }
    if instance.frozen {
        return Err(refuse(error::FROZEN_UNCHANGED, format!("instance {id} is already frozen")));
    }
    instance.frozen = true;
    schema::put(state, schema::instance_key(id), &instance);
    Ok(())
}

/// Check a call before anything runs, cheapest checks first; returns the instance, the code and the day.
fn check_call(
    state: &dyn StateRead,
    ctx: &CallContext,
    id: u64,
    input: &[u8],
    fuel_limit: u64,
) -> Result<(Instance, CodeRecord, u64), TxError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(refuse(
            error::INPUT_TOO_LARGE,
            format!("the input is {} bytes, more than the {MAX_INPUT_BYTES} a call may carry", input.len()),
        ));
    }
    let instance = instance(state, id)?;
    if instance.frozen {
        return Err(refuse(
            error::INSTANCE_FROZEN,
            format!("instance {id} is frozen; calls are refused until a governance vote unfreezes it"),
        ));
    }
    if fuel_limit == 0 {
        return Err(refuse(error::FUEL_LIMIT_INVALID, "a call's fuel limit must be at least 1"));
    }
    if fuel_limit > instance.fuel_per_call {
        return Err(refuse(
            error::FUEL_ABOVE_INSTANCE_LIMIT,
            format!("fuel_limit {fuel_limit} is above instance {id}'s limit of {} per call", instance.fuel_per_call),
        ));
    }
    let day = schema::day_of(ctx.time_ms);
    let used = schema::get_u64(state, &schema::usage_key(id, &ctx.sender, day));
    if used.saturating_add(fuel_limit) > instance.fuel_per_sender_day {
        return Err(refuse(
            error::SENDER_DAILY_FUEL_EXHAUSTED,
            format!(
                "{} used {used} of the {} fuel a sender may use on instance {id} today; lower fuel_limit or call \
                 tomorrow (UTC)",
                ctx.sender, instance.fuel_per_sender_day
            ),
        ));
    }
    let budget = schema::get::<Policy>(state, &schema::policy_key(&instance.agency)).map_or(0, |p| p.fuel_per_day);
    let spent = schema::get_u64(state, &schema::budget_key(&instance.agency, day));
    if spent.saturating_add(fuel_limit) > budget {
        return Err(refuse(
            error::AGENCY_DAILY_FUEL_EXHAUSTED,
            format!(
                "agency {}'s contracts used {spent} of their {budget} fuel for today; lower fuel_limit or call \
                 tomorrow (UTC)",
                instance.agency
            ),
        ));
    }
    let code = schema::get(state, &schema::code_key(&instance.code_hash))
        .ok_or_else(|| TxError::new(ErrorCode::Internal, format!("instance {id}'s code is missing from the state")))?;
    Ok((instance, code, day))
}

/// Run a call; returns its receipt, also written under the transaction's id.
fn call_instance(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    native: &dyn NativeCalls,
    id: u64,
    input: &[u8],
    fuel_limit: u64,
) -> Result<Receipt, TxError> {
    let (instance, code, day) = check_call(state, ctx, id, input, fuel_limit)?;
    let engine = engine();
    let contract = engine
        .compile(&code.code)
        .map_err(|e| refuse(error::CODE_NOT_RUNNABLE, format!("instance {id}'s code cannot be compiled: {e}")))?;
    let agency = instance.agency.clone();
    let mut host = LedgerHost::new(state, ctx, engine, native, instance);
    let result = engine.run(&contract, &mut host, input, fuel_limit);
    let buffer = host.into_buffer();
    let (receipt, keep) = match result {
        Ok(outcome) => {
            let failure = (outcome.status != 0).then(|| CallFailure {
                kind: "status".into(),
                message: format!("the contract returned status {}", outcome.status),
            });
            let keep = failure.is_none();
            let events = if keep { buffer.event_count() } else { 0 };
            let receipt = Receipt {
                instance: id,
                status: Some(outcome.status),
                output: outcome.output[..outcome.output.len().min(MAX_RECEIPT_OUTPUT_BYTES)].to_vec(),
                output_len: u32::try_from(outcome.output.len()).unwrap_or(u32::MAX),
                fuel_used: outcome.fuel_used,
                failure,
                events: u32::try_from(events).unwrap_or(u32::MAX),
            };
            (receipt, keep)
        }
        Err(failure) => {
            let receipt = Receipt {
                instance: id,
                status: None,
                output: Vec::new(),
                output_len: 0,
                fuel_used: failure.fuel_used,
                failure: Some(CallFailure { kind: failure_kind(&failure.error).into(), message: cut(&failure.error) }),
                events: 0,
            };
            (receipt, false)
        }
    };
    if keep {
        buffer.apply(state, ctx);
    }
    let fuel = receipt.fuel_used.min(fuel_limit);
    let budget_key = schema::budget_key(&agency, day);
    let spent = schema::get_u64(state, &budget_key);
    schema::put_u64(state, budget_key, spent.saturating_add(fuel));
    let usage_key = schema::usage_key(id, &ctx.sender, day);
    let used = schema::get_u64(state, &usage_key);
    schema::put_u64(state, usage_key, used.saturating_add(fuel));
    schema::put(state, schema::receipt_key(&ctx.tx_id), &receipt);
    Ok(receipt)
}

/// The receipt's name of a runtime failure.
fn failure_kind(error: &WasmError) -> &'static str {
    match error {
        WasmError::OutOfFuel { .. } => "out_of_fuel",
        WasmError::Trap { .. } => "trap",
        WasmError::Aborted { .. } => "aborted",
        WasmError::Host(_) => "host",
        // A validation refusal cannot end a call of stored code; named like the runtime names it.
        other => other.name(),
    }
}

/// The failure's message, cut to [`MAX_RECEIPT_MESSAGE_BYTES`] at a character boundary.
fn cut(error: &WasmError) -> String {
    let mut message = error.to_string();
    if message.len() > MAX_RECEIPT_MESSAGE_BYTES {
        let mut end = MAX_RECEIPT_MESSAGE_BYTES;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    message
}

// Changes applied by governance votes. Each `check_*` is what the proposal is checked against when proposed (so a
// change that could never apply is refused at once), and each `apply_*` checks again and writes, when the vote
// passes: other changes may have landed in between.

/// Check a policy for `agency`.
pub fn check_policy(state: &dyn StateRead, agency: &AgencyId, policy: &Policy) -> Result<(), TxError> {
    publica_accounts::agency(state, agency)
        .ok_or_else(|| TxError::new(ErrorCode::UnknownAgency, format!("agency {agency} does not exist")))?;
    if policy.code_hashes.len() > MAX_POLICY_CODE_HASHES {
        return Err(refuse(
            error::POLICY_INVALID,
            format!("a policy lists at most {MAX_POLICY_CODE_HASHES} code hashes, not {}", policy.code_hashes.len()),
        ));
    }
    if policy.max_fuel_per_call > MAX_FUEL_PER_CALL {
        return Err(refuse(
            error::POLICY_INVALID,
            format!("max_fuel_per_call is at most {MAX_FUEL_PER_CALL}, not {}", policy.max_fuel_per_call),
        ));
    }
    if schema::get::<Policy>(state, &schema::policy_key(agency)).as_ref() == Some(policy) {
        return Err(refuse(error::POLICY_UNCHANGED, format!("agency {agency} already has exactly this policy")));
    }
    Ok(())
}

/// Set `agency`'s policy (a vote passed).
pub fn apply_policy(state: &mut dyn StateWrite, agency: &AgencyId, policy: &Policy) -> Result<(), TxError> {
    check_policy(state, agency, policy)?;
    schema::put(state, schema::policy_key(agency), policy);
    Ok(())
}

/// Check a deployment by vote.
pub fn check_deploy(state: &dyn StateRead, deployment: &Deployment) -> Result<(), TxError> {
    let agency = publica_accounts::agency(state, &deployment.agency).ok_or_else(|| {
        TxError::new(ErrorCode::UnknownAgency, format!("agency {} does not exist", deployment.agency))
    })?;
    if deployment.roles.len() > MAX_INSTANCE_ROLES {
        return Err(refuse(
            error::POLICY_INVALID,
            format!("an instance holds at most {MAX_INSTANCE_ROLES} roles, not {}", deployment.roles.len()),
        ));
    }
    if let Some(role) = deployment.roles.iter().find(|r| r.as_str() == Role::ADMIN || !agency.grants(r.as_str())) {
        return Err(refuse(
            error::POLICY_INVALID,
            format!("agency {} may not grant role {role} to an instance", deployment.agency),
        ));
    }
    check_deployment(
        state,
        &deployment.agency,
        &deployment.name,
        &deployment.code_hash,
        deployment.fuel_per_call,
        deployment.fuel_per_sender_day,
    )?;
    Ok(())
}

/// Deploy an instance (a vote passed, proposal `proposal`); returns its number.
pub fn apply_deploy(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    deployment: &Deployment,
    proposal: u64,
) -> Result<u64, TxError> {
    check_deploy(state, deployment)?;
    let fuel = (deployment.fuel_per_call, deployment.fuel_per_sender_day);
    Ok(write_instance(
        state,
        ctx,
        &deployment.agency,
        &deployment.name,
        &deployment.code_hash,
        fuel,
        deployment.roles.clone(),
        Authority::Proposal { id: proposal },
    ))
}

/// Check an upgrade of instance `id` to `code_hash`.
pub fn check_upgrade(state: &dyn StateRead, id: u64, code_hash: &Hash) -> Result<Instance, TxError> {
    let instance = instance(state, id)?;
    if state.get(&schema::code_key(code_hash)).is_none() {
        return Err(refuse(
            error::CODE_NOT_FOUND,
            format!("no code {} is uploaded; upload it first", hex::encode(code_hash)),
        ));
    }
    if instance.code_hash == *code_hash {
        return Err(refuse(error::UPGRADE_UNCHANGED, format!("instance {id} already runs this code")));
    }
    if instance.history.len() >= MAX_CODE_HISTORY {
        return Err(refuse(
            error::HISTORY_FULL,
            format!("instance {id} has had {MAX_CODE_HISTORY} code versions, the most kept; deploy a new instance"),
        ));
    }
    Ok(instance)
}

/// Upgrade instance `id` to `code_hash` (a vote passed, proposal `proposal`): its state is kept, the version is
/// appended to its history.
pub fn apply_upgrade(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    code_hash: &Hash,
    proposal: u64,
) -> Result<(), TxError> {
    let mut instance = check_upgrade(state, id, code_hash)?;
    instance.code_hash = *code_hash;
    instance.history.push(CodeVersion {
        code_hash: *code_hash,
        height: ctx.height,
        authority: Authority::Proposal { id: proposal },
    });
    schema::put(state, schema::instance_key(id), &instance);
    Ok(())
}

/// Check freezing or unfreezing instance `id`.
pub fn check_frozen(state: &dyn StateRead, id: u64, frozen: bool) -> Result<Instance, TxError> {
    let instance = instance(state, id)?;
    if instance.frozen == frozen {
        let word = if frozen { "frozen" } else { "not frozen" };
        return Err(refuse(error::FROZEN_UNCHANGED, format!("instance {id} is already {word}")));
    }
    Ok(instance)
}

/// Freeze or unfreeze instance `id` (a vote passed).
pub fn apply_frozen(state: &mut dyn StateWrite, id: u64, frozen: bool) -> Result<(), TxError> {
    let mut instance = check_frozen(state, id, frozen)?;
    instance.frozen = frozen;
    schema::put(state, schema::instance_key(id), &instance);
    Ok(())
}
