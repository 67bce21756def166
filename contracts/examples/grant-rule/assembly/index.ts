// Grant rule: a one-off start-up grant to an active company, within a cap, committed from the budget through the
// ledger's finance module.
//
// Two inputs, each only from a sender holding `grant-officer` (the office's officer enters the applications it
// receives; the rule decides them):
//   apply      0x01, the amount as u64 LE (minor units), then the company number (1 to 32 bytes);
//   configure  0x02, the allocation the grants are committed from, as u64 LE (9 bytes).
//
// Granted (status 0): the contract submits a finance `commit_funds` from the configured allocation to the
// company, as its own account (the instance needs `spending-officer`, granted by the vote that deployed it); the
// treasurer pays it against that commitment like any other. Output "granted", event `granted` with the amount
// (u64 LE) and the company number, the state key `grant/{number}` set to the amount and the block time (u64 LE
// each).
//
// Refused (the status below): output and event `refused` data are the reason's name (for `funds_refused`, then a
// space and the finance module's code in decimal); nothing is written.
import {
  COMPANY_ACTIVE, COMPANY_DISSOLVED, COMPANY_IN_LIQUIDATION, COMPANY_NOT_REGISTERED, READ_FOUND, VIEW_ABSENT,
  VIEW_OK, abort, blockTimeMs, concat, decimal, emitEvent, hasRole, hasState, input, input_len, leBytes, leU64,
  output, stateGet, stateSet, submitNative, utf8, viewCompany,
} from "../../../sdk/assemblyscript/assembly/publica";

/** The largest grant, in minor units. */
const AMOUNT_CAP: u64 = 500_000;
/** The role that may enter applications and set the allocation. */
const GRANT_OFFICER = "grant-officer";
/** The longest company number. */
const MAX_NUMBER_BYTES: i32 = 32;

const APPLY: u8 = 0x01;
const CONFIGURE: u8 = 0x02;

const GRANTED: i32 = 0;
const MALFORMED_INPUT: i32 = 1;
const AMOUNT_INVALID: i32 = 2;
const ALREADY_GRANTED: i32 = 3;
const COMPANY_UNKNOWN: i32 = 4;
const COMPANY_IN_LIQUIDATION_STATUS: i32 = 5;
const COMPANY_DISSOLVED_STATUS: i32 = 6;
const NOT_CONFIGURED: i32 = 7;
const FUNDS_REFUSED: i32 = 8;
const NOT_PERMITTED: i32 = 9;

// The transaction call `Finance(CommitFunds { allocation, amount, payee: Some(Company(number)), reference })`, in
// borsh: the module's and the call's indexes in their enums, then the fields in order.
const CALL_FINANCE: u8 = 6;
const FINANCE_COMMIT_FUNDS: u8 = 12;
const OPTION_SOME: u8 = 1;
const HOLDER_COMPANY: u8 = 2;

function reasonName(status: i32): string {
  switch (status) {
    case MALFORMED_INPUT: return "malformed_input";
    case AMOUNT_INVALID: return "amount_invalid";
    case ALREADY_GRANTED: return "already_granted";
    case COMPANY_UNKNOWN: return "company_unknown";
    case COMPANY_IN_LIQUIDATION_STATUS: return "company_in_liquidation";
    case COMPANY_DISSOLVED_STATUS: return "company_dissolved";
    case NOT_CONFIGURED: return "not_configured";
    case FUNDS_REFUSED: return "funds_refused";
    case NOT_PERMITTED: return "not_permitted";
    default: return "granted";
  }
}

function refuseWith(status: i32, reason: Uint8Array): i32 {
  output(reason);
  emitEvent("refused", reason);
  return status;
}

function refuse(status: i32): i32 {
  return refuseWith(status, utf8(reasonName(status)));
}

/** `value` as 4 bytes, little-endian. */
function leU32(value: u32): Uint8Array {
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) bytes[i] = <u8>(value >> (8 * i));
  return bytes;
}

/** A borsh string: its length as u32 LE, then its bytes. */
function borshBytes(bytes: Uint8Array): Uint8Array {
  return concat(leU32(<u32>bytes.length), bytes);
}

/** The borsh-encoded finance call committing `amount` from `allocation` to the company `number`. */
function commitFunds(allocation: u64, amount: u64, number: Uint8Array): Uint8Array {
  const head = new Uint8Array(2);
  head[0] = CALL_FINANCE;
  head[1] = FINANCE_COMMIT_FUNDS;
  const payee = new Uint8Array(2);
  payee[0] = OPTION_SOME;
  payee[1] = HOLDER_COMPANY;
  const reference = concat(utf8("Start-up grant to company "), number);
  let call = concat(head, concat(leBytes(allocation), leBytes(amount)));
  call = concat(call, concat(payee, borshBytes(number)));
  return concat(call, borshBytes(reference));
}

function companyRefusal(number: Uint8Array): i32 {
  const company = viewCompany(number);
  if (company.answer == VIEW_ABSENT) return COMPANY_UNKNOWN;
  if (company.answer != VIEW_OK) abort("the company view is unreadable: the ledger must serve company/{number} as 1 byte");
  const value = company.value;
  if (value == COMPANY_ACTIVE) return GRANTED;
  if (value == COMPANY_IN_LIQUIDATION) return COMPANY_IN_LIQUIDATION_STATUS;
  if (value == COMPANY_DISSOLVED) return COMPANY_DISSOLVED_STATUS;
  if (value == COMPANY_NOT_REGISTERED) return COMPANY_UNKNOWN;
  abort("the company view has an unknown status byte: this contract knows 0, 1, 2 and 5");
  return COMPANY_UNKNOWN;
}

function apply(data: Uint8Array): i32 {
  // The form byte, the amount and at least one byte of company number; any other length is refused unread.
  if (data.length < 10 || data.length > 9 + MAX_NUMBER_BYTES) return refuse(MALFORMED_INPUT);
  if (!hasRole(GRANT_OFFICER)) return refuse(NOT_PERMITTED);
  const amount = leU64(data, 1);
  const number = data.subarray(9);
  if (amount == 0 || amount > AMOUNT_CAP) return refuse(AMOUNT_INVALID);

  const grantKey = concat(utf8("grant/"), number);
  if (hasState(grantKey)) return refuse(ALREADY_GRANTED);

  const company = companyRefusal(number);
  if (company != GRANTED) return refuse(company);

  const configured = stateGet(utf8("allocation"));
  if (configured.status != READ_FOUND) return refuse(NOT_CONFIGURED);
  if (configured.value.length != 8) abort("allocation is not 8 bytes: the contract's state is corrupt");
  const allocation = leU64(configured.value, 0);

  const answer = submitNative(commitFunds(allocation, amount, number));
  if (answer != 0) {
    const reason = concat(utf8(reasonName(FUNDS_REFUSED) + " "), decimal(<u64>answer));
    return refuseWith(FUNDS_REFUSED, reason);
  }

  stateSet(grantKey, concat(leBytes(amount), leBytes(blockTimeMs())));
  output(utf8("granted"));
  emitEvent("granted", concat(leBytes(amount), number));
  return GRANTED;
}

function configure(data: Uint8Array): i32 {
  if (data.length != 9) return refuse(MALFORMED_INPUT);
  if (!hasRole(GRANT_OFFICER)) return refuse(NOT_PERMITTED);
  const allocation = data.subarray(1);
  stateSet(utf8("allocation"), allocation);
  output(utf8("configured"));
  emitEvent("configured", allocation);
  return GRANTED;
}

export function call(): i32 {
  // Longer inputs than either form's are refused unread.
  const length = input_len();
  if (length == 0 || length > 9 + MAX_NUMBER_BYTES) return refuse(MALFORMED_INPUT);
  const data = input();
  if (data[0] == APPLY) return apply(data);
  if (data[0] == CONFIGURE) return configure(data);
  return refuse(MALFORMED_INPUT);
}
