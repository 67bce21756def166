// The AssemblyScript SDK of Publica contracts: host API v1, module `publica_v1` (docs/contracts.md).
//
// A contract exports `call(): i32` and is compiled with the stub runtime (no garbage collector: a call runs
// in a fresh instance, so its memory is thrown away when it ends) and no floating point; see asconfig.json
// beside this file. Strings are UTF-16 in AssemblyScript: every byte the host sees (keys, topics, roles,
// messages) is converted to UTF-8 here.

// ---- Host API v1: the raw imports. ----

// @ts-ignore: decorator
@external("publica_v1", "input_len")
export declare function input_len(): i32;
// @ts-ignore: decorator
@external("publica_v1", "input_read")
export declare function input_read(ptr: usize): void;
// @ts-ignore: decorator
@external("publica_v1", "output_write")
export declare function output_write(ptr: usize, len: u32): void;
// @ts-ignore: decorator
@external("publica_v1", "state_get")
export declare function state_get(keyPtr: usize, keyLen: u32, outPtr: usize, outCap: u32): i64;
// @ts-ignore: decorator
@external("publica_v1", "state_set")
export declare function state_set(keyPtr: usize, keyLen: u32, valPtr: usize, valLen: u32): void;
// @ts-ignore: decorator
@external("publica_v1", "state_remove")
export declare function state_remove(keyPtr: usize, keyLen: u32): void;
// @ts-ignore: decorator
@external("publica_v1", "public_get")
export declare function public_get(keyPtr: usize, keyLen: u32, outPtr: usize, outCap: u32): i64;
// @ts-ignore: decorator
@external("publica_v1", "sender")
export declare function sender_read(outPtr: usize): void;
// @ts-ignore: decorator
@external("publica_v1", "has_role")
export declare function has_role(rolePtr: usize, roleLen: u32): i32;
// @ts-ignore: decorator
@external("publica_v1", "block_height")
export declare function block_height(): i64;
// @ts-ignore: decorator
@external("publica_v1", "block_time_ms")
export declare function block_time_ms(): i64;
// @ts-ignore: decorator
@external("publica_v1", "emit_event")
export declare function emit_event(topicPtr: usize, topicLen: u32, dataPtr: usize, dataLen: u32): void;
// @ts-ignore: decorator
@external("publica_v1", "call_contract")
export declare function call_contract(
  idPtr: usize, idLen: u32, inPtr: usize, inLen: u32, outPtr: usize, outCap: u32,
): i64;
// @ts-ignore: decorator
@external("publica_v1", "submit_native")
export declare function submit_native(callPtr: usize, callLen: u32): i32;
// @ts-ignore: decorator
@external("publica_v1", "abort")
export declare function abort_raw(msgPtr: usize, msgLen: u32): void;

// ---- Bytes. ----

/** The UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** `a` followed by `b`. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Bytes as lowercase hexadecimal (ASCII). */
export function hex(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out[2 * i] = hexDigit(b >> 4);
    out[2 * i + 1] = hexDigit(b & 15);
  }
  return out;
}

function hexDigit(v: u8): u8 {
  return v < 10 ? <u8>(48 + v) : <u8>(87 + v);
}

/** An unsigned number in decimal (ASCII). */
export function decimal(value: u64): Uint8Array {
  const digits = new Uint8Array(20);
  let start = 20;
  do {
    start--;
    digits[start] = <u8>(48 + <u8>(value % 10));
    value /= 10;
  } while (value != 0);
  return digits.subarray(start);
}

/** The little-endian u64 at `at` (the caller has checked the length). */
export function leU64(bytes: Uint8Array, at: i32): u64 {
  return load<u64>(bytes.dataStart + <usize>at);
}

/** `value` as 8 little-endian bytes. */
export function leBytes(value: u64): Uint8Array {
  const out = new Uint8Array(8);
  store<u64>(out.dataStart, value);
  return out;
}

// ---- The host API with byte arrays. ----

/** Ends the call as a failure with this message (at most 1 KiB); its effects are discarded. */
export function abort(message: string): void {
  const bytes = utf8(message);
  abort_raw(bytes.dataStart, bytes.length);
  unreachable();
}

/**
 * The call's input. Check `input_len()` first when only some lengths make sense: an input larger than the
 * memory left cannot be allocated, and the call then traps.
 */
export function input(): Uint8Array {
  const out = new Uint8Array(input_len());
  input_read(out.dataStart);
  return out;
}

/** Sets the call's output (the last write wins; at most 64 KiB). */
export function output(bytes: Uint8Array): void {
  output_write(bytes.dataStart, bytes.length);
}

/** Sets the call's output to a string's UTF-8 bytes. */
export function outputString(s: string): void {
  output(utf8(s));
}

/** How a read ended: the value in a `ReadResult`, or why there is none. */
export const READ_FOUND: i32 = 0;
export const READ_ABSENT: i32 = 1;
export const READ_REFUSED: i32 = 2;

/** The answer to a read: `status` READ_FOUND with the value's bytes, READ_ABSENT or READ_REFUSED. */
export class ReadResult {
  constructor(public status: i32, public value: Uint8Array) {}
}

/** The longest value a read takes in one step; a longer one is read again with a buffer of its size. */
const READ_GUESS: u32 = 64;

function readWith(publicState: bool, key: Uint8Array): ReadResult {
  let buf = new Uint8Array(READ_GUESS);
  let answer = get(publicState, key, buf, READ_GUESS);
  if (answer == -1) return new ReadResult(READ_ABSENT, new Uint8Array(0));
  if (answer < 0) return new ReadResult(READ_REFUSED, new Uint8Array(0));
  if (answer > <i64>READ_GUESS) {
    buf = new Uint8Array(<i32>answer);
    answer = get(publicState, key, buf, <u32>answer);
  }
  return new ReadResult(READ_FOUND, buf.subarray(0, <i32>answer));
}

function get(publicState: bool, key: Uint8Array, buf: Uint8Array, cap: u32): i64 {
  return publicState
    ? public_get(key.dataStart, key.length, buf.dataStart, cap)
    : state_get(key.dataStart, key.length, buf.dataStart, cap);
}

/** Reads a key of the contract's own state. */
export function stateGet(key: Uint8Array): ReadResult {
  return readWith(false, key);
}

/** Whether a key of the contract's own state is present (its value is not copied). */
export function hasState(key: Uint8Array): bool {
  return state_get(key.dataStart, key.length, 0, 0) >= 0;
}

/** Writes a key of the contract's own state (key at most 256 bytes, value at most 64 KiB). */
export function stateSet(key: Uint8Array, value: Uint8Array): void {
  state_set(key.dataStart, key.length, value.dataStart, value.length);
}

/** Removes a key of the contract's own state. */
export function stateRemove(key: Uint8Array): void {
  state_remove(key.dataStart, key.length);
}

/** Reads another module's public state. */
export function publicGet(key: Uint8Array): ReadResult {
  return readWith(true, key);
}

/** The transaction's 20-byte sender. */
export function sender(): Uint8Array {
  const out = new Uint8Array(20);
  sender_read(out.dataStart);
  return out;
}

/** Whether the sender holds the role (at most 64 bytes). */
export function hasRole(role: string): bool {
  const bytes = utf8(role);
  return has_role(bytes.dataStart, bytes.length) == 1;
}

/** The height of the block being executed. */
export function blockHeight(): u64 {
  return <u64>block_height();
}

/** The block's time, ms since the Unix epoch (from its header: the same on every validator). */
export function blockTimeMs(): u64 {
  return <u64>block_time_ms();
}

/** Records an event (topic at most 256 bytes, data at most 16 KiB, 64 events per call). */
export function emitEvent(topic: string, data: Uint8Array): void {
  const t = utf8(topic);
  emit_event(t.dataStart, t.length, data.dataStart, data.length);
}

/** Submits a borsh-encoded native call with the contract's roles: 0 when done, the host's code otherwise. */
export function submitNative(call: Uint8Array): i32 {
  return submit_native(call.dataStart, call.length);
}

/**
 * Runs another contract: its output (at most `cap` bytes) as a READ_FOUND result, READ_ABSENT when it
 * failed or its output is longer than `cap`, READ_REFUSED when the host refused or the depth limit is reached.
 */
export function callContract(id: Uint8Array, callInput: Uint8Array, cap: u32): ReadResult {
  const buf = new Uint8Array(cap);
  const answer = call_contract(id.dataStart, id.length, callInput.dataStart, callInput.length, buf.dataStart, cap);
  if (answer == -1 || answer > <i64>cap) return new ReadResult(READ_ABSENT, new Uint8Array(0));
  if (answer < 0) return new ReadResult(READ_REFUSED, new Uint8Array(0));
  return new ReadResult(READ_FOUND, buf.subarray(0, <i32>answer));
}

// ---- Public views served to contracts: their keys and encodings, in one place. ----

/** `permit/{id}`: 1 byte status at the block's time, then valid_until_ms as u64 LE. */
export const VIEW_PERMIT = "permit/";
/** `company/{number}`: 1 byte status. */
export const VIEW_COMPANY = "company/";
/** `account/{40 hex}`: 1 byte standing. */
export const VIEW_ACCOUNT = "account/";
/** `budget-line/{year}/{code}`: appropriation, allocated, committed, paid, each u64 LE. */
export const VIEW_BUDGET_LINE = "budget-line/";

/** A view's answer beside its value: read, absent, or not readable as documented. */
export const VIEW_OK: i32 = 0;
export const VIEW_ABSENT: i32 = 1;
export const VIEW_UNREADABLE: i32 = 2;

export const PERMIT_VALID: u8 = 0;
export const PERMIT_NOT_YET_VALID: u8 = 1;
export const PERMIT_EXPIRED: u8 = 2;
export const PERMIT_SUSPENDED: u8 = 3;
export const PERMIT_REVOKED: u8 = 4;
export const PERMIT_NOT_ISSUED: u8 = 5;

export const COMPANY_ACTIVE: u8 = 0;
export const COMPANY_IN_LIQUIDATION: u8 = 1;
export const COMPANY_DISSOLVED: u8 = 2;
export const COMPANY_NOT_REGISTERED: u8 = 5;

export const ACCOUNT_CITIZEN: u8 = 0;
export const ACCOUNT_OFFICIAL: u8 = 1;
export const ACCOUNT_INACTIVE: u8 = 2;
export const ACCOUNT_UNKNOWN: u8 = 5;

function viewExact(key: Uint8Array, size: i32): ReadResult {
  const read = publicGet(key);
  if (read.status == READ_FOUND && read.value.length != size) return new ReadResult(READ_REFUSED, read.value);
  return read;
}

function viewAnswer(read: ReadResult): i32 {
  if (read.status == READ_FOUND) return VIEW_OK;
  return read.status == READ_ABSENT ? VIEW_ABSENT : VIEW_UNREADABLE;
}

/** The permit view; `status` and `validUntilMs` are set when `answer` is VIEW_OK. */
export class Permit {
  constructor(public answer: i32, public status: u8, public validUntilMs: u64) {}
}

/** Reads `permit/{id}`. */
export function viewPermit(id: Uint8Array): Permit {
  const read = viewExact(concat(utf8(VIEW_PERMIT), id), 9);
  const answer = viewAnswer(read);
  if (answer != VIEW_OK) return new Permit(answer, 0, 0);
  return new Permit(VIEW_OK, read.value[0], leU64(read.value, 1));
}

/** A one-byte view: `value` is set when `answer` is VIEW_OK. */
export class Status {
  constructor(public answer: i32, public value: u8) {}
}

/** Reads `company/{number}`. */
export function viewCompany(number: Uint8Array): Status {
  const read = viewExact(concat(utf8(VIEW_COMPANY), number), 1);
  const answer = viewAnswer(read);
  return new Status(answer, answer == VIEW_OK ? read.value[0] : 0);
}

/** Reads `account/{40 hex}` of a 20-byte account. */
export function viewAccount(account: Uint8Array): Status {
  const read = viewExact(concat(utf8(VIEW_ACCOUNT), hex(account)), 1);
  const answer = viewAnswer(read);
  return new Status(answer, answer == VIEW_OK ? read.value[0] : 0);
}

/** The budget line view: the amounts are set when `answer` is VIEW_OK. */
export class BudgetLine {
  constructor(
    public answer: i32,
    public appropriation: u64,
    public allocated: u64,
    public committed: u64,
    public paid: u64,
  ) {}
}

/** Reads `budget-line/{year}/{code}`. */
export function viewBudgetLine(year: u32, code: string): BudgetLine {
  const key = concat(concat(concat(utf8(VIEW_BUDGET_LINE), decimal(year)), utf8("/")), utf8(code));
  const read = viewExact(key, 32);
  const answer = viewAnswer(read);
  if (answer != VIEW_OK) return new BudgetLine(answer, 0, 0, 0, 0);
  const v = read.value;
  return new BudgetLine(VIEW_OK, leU64(v, 0), leU64(v, 8), leU64(v, 16), leU64(v, 24));
}
