;; fee-schedule, written by hand in WebAssembly text to do exactly what src/lib.rs does, host call for host
;; call, because the machine that ships it has no wasm32 Rust target. `fee-schedule.wasm` is this file
;; assembled (the `wat` crate, 1.228.0); the tests in crates/contract-examples check both the bytes and the
;; SHA-256 in fee-schedule.wasm.sha256. See src/lib.rs for the input forms, the statuses and the state layout.
(module
  (import "publica_v1" "input_len" (func $input_len (result i32)))
  (import "publica_v1" "input_read" (func $input_read (param i32)))
  (import "publica_v1" "output_write" (func $output_write (param i32 i32)))
  (import "publica_v1" "state_get" (func $state_get (param i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
  (import "publica_v1" "has_role" (func $has_role (param i32 i32) (result i32)))
  (import "publica_v1" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "publica_v1" "abort" (func $abort (param i32 i32)))

  ;; Memory layout (one page):
  ;;   0..64    the refusals' names, 16 bytes apart, status 1 at 0
  ;;   64       "refused"          72   "fee-set"          80   "fee-setter"
  ;;   96..104  the entry key: "fee/" then the service code's 4 bytes
  ;;   112      the abort message (57 bytes)
  ;;   248..252 the refusals' name lengths
  ;;   256..288 the input buffer (32 bytes, as src/lib.rs)
  ;;   288..304 the table entry read (base fee, unit fee)
  ;;   304..312 the output (the fee)
  (memory (export "memory") 1 1)
  (data (i32.const 0) "malformed_input")
  (data (i32.const 16) "fee_not_set")
  (data (i32.const 32) "not_authorised")
  (data (i32.const 48) "fee_overflow")
  (data (i32.const 64) "refused")
  (data (i32.const 72) "fee-set")
  (data (i32.const 80) "fee-setter")
  (data (i32.const 96) "fee/")
  (data (i32.const 112) "the fee table entry is not 16 bytes: the table is corrupt")
  (data (i32.const 248) "\0f\0b\0e\0c")

  ;; Sets the output to the refusal's name, emits `refused` with it, and answers its status.
  (func $refuse (param $status i32) (result i32)
    (local $ptr i32)
    (local $len i32)
    (local.set $ptr (i32.shl (i32.sub (local.get $status) (i32.const 1)) (i32.const 4)))
    (local.set $len (i32.load8_u offset=247 (local.get $status)))
    (call $output_write (local.get $ptr) (local.get $len))
    (call $emit_event (i32.const 64) (i32.const 7) (local.get $ptr) (local.get $len))
    (local.get $status))

  ;; The quote form: input[1..5] service code, input[5..9] quantity.
  (func $quote (result i32)
    (local $answer i64)
    (local $quantity i64)
    (local $unit i64)
    (local $product i64)
    (local $fee i64)
    (i32.store (i32.const 100) (i32.load (i32.const 257)))
    (local.set $answer (call $state_get (i32.const 96) (i32.const 8) (i32.const 288) (i32.const 16)))
    (if (i64.eq (local.get $answer) (i64.const -1))
      (then (return (call $refuse (i32.const 2)))))
    (if (i64.ne (local.get $answer) (i64.const 16))
      (then
        (call $abort (i32.const 112) (i32.const 57))
        (unreachable)))
    (local.set $quantity (i64.extend_i32_u (i32.load (i32.const 261))))
    (local.set $unit (i64.load (i32.const 296)))
    ;; unit × quantity overflows exactly when quantity is not zero and unit > u64::MAX / quantity.
    (if (i64.ne (local.get $quantity) (i64.const 0))
      (then
        (if (i64.gt_u (local.get $unit) (i64.div_u (i64.const -1) (local.get $quantity)))
          (then (return (call $refuse (i32.const 4)))))))
    (local.set $product (i64.mul (local.get $unit) (local.get $quantity)))
    (local.set $fee (i64.add (local.get $product) (i64.load (i32.const 288))))
    (if (i64.lt_u (local.get $fee) (local.get $product))
      (then (return (call $refuse (i32.const 4)))))
    (i64.store (i32.const 304) (local.get $fee))
    (call $output_write (i32.const 304) (i32.const 8))
    (i32.const 0))

  ;; The set form: input[1..5] service code, input[5..21] base fee and unit fee.
  (func $set (result i32)
    (if (i32.ne (call $has_role (i32.const 80) (i32.const 10)) (i32.const 1))
      (then (return (call $refuse (i32.const 3)))))
    (i32.store (i32.const 100) (i32.load (i32.const 257)))
    (call $state_set (i32.const 96) (i32.const 8) (i32.const 261) (i32.const 16))
    (call $emit_event (i32.const 72) (i32.const 7) (i32.const 257) (i32.const 20))
    (i32.const 0))

  (func (export "call") (result i32)
    (local $len i32)
    (local.set $len (call $input_len))
    ;; An input longer than the buffer is refused unread.
    (if (i32.gt_u (local.get $len) (i32.const 32))
      (then (return (call $refuse (i32.const 1)))))
    (call $input_read (i32.const 256))
    (block $malformed
      (br_if $malformed (i32.eqz (local.get $len)))
      (if (i32.eq (i32.load8_u (i32.const 256)) (i32.const 1))
        (then
          (br_if $malformed (i32.ne (local.get $len) (i32.const 9)))
          (return (call $quote))))
      (if (i32.eq (i32.load8_u (i32.const 256)) (i32.const 2))
        (then
          (br_if $malformed (i32.ne (local.get $len) (i32.const 21)))
          (return (call $set)))))
    (call $refuse (i32.const 1))))
