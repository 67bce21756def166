// Grant rule: a one-off grant to an active citizen, within a cap, while the budget line has appropriation
// left.
//
// Input (28 bytes): the applicant's 20-byte account, then the amount as u64 LE (minor units).
//
// Granted (status 0): output "granted", event `granted` with the input, the state key `grant/{40 hex}` set
// to the amount and the block time (u64 LE each), and `granted-total` (u64 LE) raised by the amount.
//
// Refused (the status below): output and event `refused` data are the reason's name; nothing is written.
//
// The appropriation left is the line's appropriation less what is allocated and less this contract's own
// grant total: grants are recorded here until the ledger lets contracts submit native calls, when each grant
// will be paid from the line by `submitNative` (a finance payment) and the ledger's figures will count it.
import {
  ACCOUNT_CITIZEN, ACCOUNT_INACTIVE, ACCOUNT_OFFICIAL, ACCOUNT_UNKNOWN, VIEW_ABSENT, VIEW_OK,
  abort, blockTimeMs, concat, emitEvent, hasState, hex, input, input_len, leBytes, leU64, output, READ_FOUND,
  stateGet, stateSet, utf8, viewAccount, viewBudgetLine,
} from "../../../sdk/assemblyscript/assembly/publica";

/** The budget year and line the grants are paid from. */
const BUDGET_YEAR: u32 = 2027;
const BUDGET_CODE = "10.4.1";
/** The largest grant, in minor units. */
const AMOUNT_CAP: u64 = 500_000;

const GRANTED: i32 = 0;
const MALFORMED_INPUT: i32 = 1;
const APPLICANT_UNKNOWN: i32 = 2;
const APPLICANT_INACTIVE: i32 = 3;
const APPLICANT_NOT_CITIZEN: i32 = 4;
const AMOUNT_INVALID: i32 = 5;
const ALREADY_GRANTED: i32 = 6;
const BUDGET_LINE_UNKNOWN: i32 = 7;
const APPROPRIATION_EXHAUSTED: i32 = 8;

function reasonName(status: i32): string {
  switch (status) {
    case MALFORMED_INPUT: return "malformed_input";
    case APPLICANT_UNKNOWN: return "applicant_unknown";
    case APPLICANT_INACTIVE: return "applicant_inactive";
    case APPLICANT_NOT_CITIZEN: return "applicant_not_citizen";
    case AMOUNT_INVALID: return "amount_invalid";
    case ALREADY_GRANTED: return "already_granted";
    case BUDGET_LINE_UNKNOWN: return "budget_line_unknown";
    case APPROPRIATION_EXHAUSTED: return "appropriation_exhausted";
    default: return "granted";
  }
}

function refuse(status: i32): i32 {
  const reason = utf8(reasonName(status));
  output(reason);
  emitEvent("refused", reason);
  return status;
}

function applicantRefusal(account: Uint8Array): i32 {
  const standing = viewAccount(account);
  if (standing.answer == VIEW_ABSENT) return APPLICANT_UNKNOWN;
  if (standing.answer != VIEW_OK) abort("the account view is unreadable: the ledger must serve account/{40 hex} as 1 byte");
  const value = standing.value;
  if (value == ACCOUNT_CITIZEN) return GRANTED;
  if (value == ACCOUNT_OFFICIAL) return APPLICANT_NOT_CITIZEN;
  if (value == ACCOUNT_INACTIVE) return APPLICANT_INACTIVE;
  if (value == ACCOUNT_UNKNOWN) return APPLICANT_UNKNOWN;
  abort("the account view has an unknown standing byte: this contract knows 0, 1, 2 and 5");
  return APPLICANT_UNKNOWN;
}

/** The contract's own total of grants recorded, from `granted-total`. */
function grantedTotal(key: Uint8Array): u64 {
  const read = stateGet(key);
  if (read.status != READ_FOUND) return 0;
  if (read.value.length != 8) abort("granted-total is not 8 bytes: the contract's state is corrupt");
  return leU64(read.value, 0);
}

export function call(): i32 {
  // Any other length is refused unread.
  if (input_len() != 28) return refuse(MALFORMED_INPUT);
  const data = input();
  const account = data.subarray(0, 20);
  const amount = leU64(data, 20);
  if (amount == 0 || amount > AMOUNT_CAP) return refuse(AMOUNT_INVALID);

  const grantKey = concat(utf8("grant/"), hex(account));
  if (hasState(grantKey)) return refuse(ALREADY_GRANTED);

  const applicant = applicantRefusal(account);
  if (applicant != GRANTED) return refuse(applicant);

  const line = viewBudgetLine(BUDGET_YEAR, BUDGET_CODE);
  if (line.answer == VIEW_ABSENT) return refuse(BUDGET_LINE_UNKNOWN);
  if (line.answer != VIEW_OK) abort("the budget line view is unreadable: the ledger must serve budget-line/{year}/{code} as 32 bytes");
  const totalKey = utf8("granted-total");
  const total = grantedTotal(totalKey);
  // Integer arithmetic that cannot wrap: what is spoken for is compared before it is subtracted.
  const spoken = line.allocated + total;
  if (spoken < total || spoken >= line.appropriation || amount > line.appropriation - spoken) {
    return refuse(APPROPRIATION_EXHAUSTED);
  }

  const record = concat(leBytes(amount), leBytes(blockTimeMs()));
  stateSet(grantKey, record);
  stateSet(totalKey, leBytes(total + amount));
  output(utf8("granted"));
  emitEvent("granted", data);
  return GRANTED;
}
