/*
 * publica.h: the C SDK of Publica contracts, host API v1 (docs/contracts.md).
 *
 * A contract is a freestanding wasm32 module: it exports its memory as `memory` and its entry as
 * `int call(void)`, imports only the functions of module `publica_v1` declared here, and uses no floating
 * point. This header needs no C library: it defines the few types it uses and a `memcpy`/`memset`/`memcmp`
 * for the calls clang emits on its own for struct copies and array initialisers.
 *
 * Build (Debian's clang and lld):
 *
 *     clang --target=wasm32 -mcpu=mvp -O2 -ffreestanding -nostdlib -fno-builtin \
 *         -Wl,--no-entry -Wl,--export=call -Wl,--export=memory -Wl,--initial-memory=131072 \
 *         -Wl,--max-memory=1048576 -Wl,-z,stack-size=65536 -Wl,--strip-all -I contracts/sdk/c \
 *         -o contract.wasm contract.c
 *
 * Define PUBLICA_NO_MEM_FUNCTIONS before including this header in every file but one when a contract has
 * several translation units, so that memcpy and its siblings are defined once.
 *
 * The helpers never trust what the host or the caller hands them beyond the documented sizes: every read
 * takes a buffer and its capacity and reports a value that does not fit instead of writing past the end.
 */
#ifndef PUBLICA_H
#define PUBLICA_H

typedef unsigned char pub_u8;
typedef unsigned short pub_u16;
typedef unsigned int pub_u32;
typedef int pub_i32;
typedef unsigned long long pub_u64;
typedef long long pub_i64;
typedef __SIZE_TYPE__ pub_size;

#define PUBLICA_IMPORT(name) __attribute__((import_module("publica_v1"), import_name(name)))
#define PUBLICA_EXPORT(name) __attribute__((export_name(name)))

/* ---- Host API v1: the raw imports (pointers and lengths are wasm32 addresses). ---- */

/** The length of the call's input. */
PUBLICA_IMPORT("input_len") pub_i32 publica_input_len(void);
/** Writes the whole input at `ptr` (which must have room for `publica_input_len()` bytes). */
PUBLICA_IMPORT("input_read") void publica_input_read(void *ptr);
/** Sets the call's output to these bytes; a later write replaces it. At most 64 KiB. */
PUBLICA_IMPORT("output_write") void publica_output_write(const void *ptr, pub_u32 len);
/** The value's length, or -1 when absent; written at `out` only when it fits in `out_cap`. */
PUBLICA_IMPORT("state_get")
pub_i64 publica_state_get(const void *key, pub_u32 key_len, void *out, pub_u32 out_cap);
/** Writes a key of the contract's own namespace (key at most 256 bytes, value at most 64 KiB). */
PUBLICA_IMPORT("state_set") void publica_state_set(const void *key, pub_u32 key_len, const void *val, pub_u32 val_len);
/** Removes a key of the contract's own namespace. */
PUBLICA_IMPORT("state_remove") void publica_state_remove(const void *key, pub_u32 key_len);
/** As publica_state_get, for other modules' public state; -2 when contracts may not read that key. */
PUBLICA_IMPORT("public_get")
pub_i64 publica_public_get(const void *key, pub_u32 key_len, void *out, pub_u32 out_cap);
/** Writes the transaction's sender, 20 bytes, at `out`. */
PUBLICA_IMPORT("sender") void publica_sender(void *out);
/** 1 when the sender holds the role (at most 64 bytes), else 0. */
PUBLICA_IMPORT("has_role") pub_i32 publica_has_role(const void *role, pub_u32 role_len);
/** The height of the block being executed. */
PUBLICA_IMPORT("block_height") pub_i64 publica_block_height(void);
/** The block's time from its header, milliseconds since the Unix epoch. */
PUBLICA_IMPORT("block_time_ms") pub_i64 publica_block_time_ms(void);
/** Records an event (topic at most 256 bytes, data at most 16 KiB, 64 events per call). */
PUBLICA_IMPORT("emit_event")
void publica_emit_event(const void *topic, pub_u32 topic_len, const void *data, pub_u32 data_len);
/** Runs another contract: its output's length (written when it fits), -1 failed, -2 refused, -3 too deep. */
PUBLICA_IMPORT("call_contract")
pub_i64 publica_call_contract(const void *id, pub_u32 id_len, const void *in, pub_u32 in_len, void *out,
                              pub_u32 out_cap);
/** Submits a borsh-encoded native call with the contract's roles: 0 when done, the host's code otherwise. */
PUBLICA_IMPORT("submit_native") pub_i32 publica_submit_native(const void *call, pub_u32 call_len);
/** Ends the call as a failure with this UTF-8 message (at most 1 KiB); does not return. */
PUBLICA_IMPORT("abort") void publica_abort_raw(const void *msg, pub_u32 msg_len);

/* ---- Memory functions clang may call on its own (struct copies, initialisers). ---- */

#ifndef PUBLICA_NO_MEM_FUNCTIONS
void *memcpy(void *dst, const void *src, pub_size n) {
    pub_u8 *d = (pub_u8 *)dst;
    const pub_u8 *s = (const pub_u8 *)src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, pub_size n) {
    pub_u8 *d = (pub_u8 *)dst;
    while (n--) *d++ = (pub_u8)c;
    return dst;
}

void *memmove(void *dst, const void *src, pub_size n) {
    pub_u8 *d = (pub_u8 *)dst;
    const pub_u8 *s = (const pub_u8 *)src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, pub_size n) {
    const pub_u8 *x = (const pub_u8 *)a;
    const pub_u8 *y = (const pub_u8 *)b;
    for (pub_size i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
#else
void *memcpy(void *dst, const void *src, pub_size n);
void *memset(void *dst, int c, pub_size n);
void *memmove(void *dst, const void *src, pub_size n);
int memcmp(const void *a, const void *b, pub_size n);
#endif

/* ---- Small helpers. ---- */

/** The length of a NUL-terminated string. */
static inline pub_u32 publica_strlen(const char *s) {
    pub_u32 n = 0;
    while (s[n]) n++;
    return n;
}

/** Ends the call as a failure with a NUL-terminated message; does not return. */
__attribute__((noreturn)) static inline void publica_abort(const char *msg) {
    publica_abort_raw(msg, publica_strlen(msg));
    __builtin_unreachable();
}

/** Reads a little-endian u32 at `p`. */
static inline pub_u32 publica_le_u32(const pub_u8 *p) {
    return (pub_u32)p[0] | ((pub_u32)p[1] << 8) | ((pub_u32)p[2] << 16) | ((pub_u32)p[3] << 24);
}

/** Reads a little-endian u64 at `p`. */
static inline pub_u64 publica_le_u64(const pub_u8 *p) {
    return (pub_u64)publica_le_u32(p) | ((pub_u64)publica_le_u32(p + 4) << 32);
}

/** Writes `v` little-endian at `p`. */
static inline void publica_put_le_u64(pub_u8 *p, pub_u64 v) {
    for (int i = 0; i < 8; i++) p[i] = (pub_u8)(v >> (8 * i));
}

/**
 * Reads the call's input into `buf` (capacity `cap`): its length, or -1 when it is longer than `cap` (nothing
 * is read then, so the contract can refuse it as malformed).
 */
static inline pub_i32 publica_input(void *buf, pub_u32 cap) {
    pub_i32 len = publica_input_len();
    if (len < 0 || (pub_u32)len > cap) return -1;
    publica_input_read(buf);
    return len;
}

/** Sets the output to a NUL-terminated string. */
static inline void publica_output_str(const char *s) {
    publica_output_write(s, publica_strlen(s));
}

/** Records an event whose topic is a NUL-terminated string. */
static inline void publica_event(const char *topic, const void *data, pub_u32 data_len) {
    publica_emit_event(topic, publica_strlen(topic), data, data_len);
}

/** 1 when the sender holds the role named by a NUL-terminated string, else 0. */
static inline int publica_sender_has_role(const char *role) {
    return publica_has_role(role, publica_strlen(role)) == 1;
}

/** The answer of a read into a buffer. */
typedef enum {
    /** The value was written; its length is in `*len`. */
    PUBLICA_FOUND = 0,
    /** The key is absent. */
    PUBLICA_ABSENT = 1,
    /** The value is longer than the buffer (its length is in `*len`); nothing was written. */
    PUBLICA_TOO_LARGE = 2,
    /** The host does not let contracts read this key (public_get only). */
    PUBLICA_REFUSED = 3,
} publica_read;

static inline publica_read publica_read_answer(pub_i64 answer, pub_u32 cap, pub_u32 *len) {
    if (answer == -1) return PUBLICA_ABSENT;
    if (answer < 0) return PUBLICA_REFUSED;
    *len = (pub_u32)answer;
    return (pub_u64)answer > cap ? PUBLICA_TOO_LARGE : PUBLICA_FOUND;
}

/** Reads a key of the contract's own state into `out` (capacity `cap`). */
static inline publica_read publica_get(const void *key, pub_u32 key_len, void *out, pub_u32 cap, pub_u32 *len) {
    return publica_read_answer(publica_state_get(key, key_len, out, cap), cap, len);
}

/** Whether a key of the contract's own state is present (reads no value). */
static inline int publica_has(const void *key, pub_u32 key_len) {
    pub_u8 none;
    return publica_state_get(key, key_len, &none, 0) >= 0;
}

/** Reads another module's public state into `out` (capacity `cap`). */
static inline publica_read publica_view(const void *key, pub_u32 key_len, void *out, pub_u32 cap, pub_u32 *len) {
    return publica_read_answer(publica_public_get(key, key_len, out, cap), cap, len);
}

/* ---- A key builder: a prefix and parts, bounded by the host's 256-byte key limit. ---- */

/** The longest key the host accepts. */
#define PUBLICA_KEY_MAX 256

/** A key under construction; `len` is -1 once a part did not fit. */
typedef struct {
    pub_u8 bytes[PUBLICA_KEY_MAX];
    pub_i32 len;
} publica_key;

/** Appends bytes to a key (the key becomes invalid, `len` -1, when they do not fit). */
static inline void publica_key_push(publica_key *key, const void *part, pub_u32 part_len) {
    if (key->len < 0 || part_len > (pub_u32)(PUBLICA_KEY_MAX - key->len)) {
        key->len = -1;
        return;
    }
    memcpy(key->bytes + key->len, part, part_len);
    key->len += (pub_i32)part_len;
}

/** Appends a NUL-terminated string to a key. */
static inline void publica_key_push_str(publica_key *key, const char *part) {
    publica_key_push(key, part, publica_strlen(part));
}

/** Appends bytes as lowercase hexadecimal to a key. */
static inline void publica_key_push_hex(publica_key *key, const pub_u8 *bytes, pub_u32 n) {
    static const char digits[] = "0123456789abcdef";
    for (pub_u32 i = 0; i < n; i++) {
        char pair[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 15]};
        publica_key_push(key, pair, 2);
    }
}

/** Appends an unsigned number in decimal to a key. */
static inline void publica_key_push_u32(publica_key *key, pub_u32 v) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) publica_key_push(key, &digits[--n], 1);
}

/* ---- Public views served to contracts (the contracts module's keys and encodings). ---- */

/* The key prefixes, in one place: `permit/{id}`, `company/{number}`, `account/{40 hex}`,
 * `budget-line/{year}/{code}`. */
#define PUBLICA_VIEW_PERMIT "permit/"
#define PUBLICA_VIEW_COMPANY "company/"
#define PUBLICA_VIEW_ACCOUNT "account/"
#define PUBLICA_VIEW_BUDGET_LINE "budget-line/"

/** A permit's status at the block's time, the first byte of `permit/{id}`. */
enum {
    PUBLICA_PERMIT_VALID = 0,
    PUBLICA_PERMIT_NOT_YET_VALID = 1,
    PUBLICA_PERMIT_EXPIRED = 2,
    PUBLICA_PERMIT_SUSPENDED = 3,
    PUBLICA_PERMIT_REVOKED = 4,
    PUBLICA_PERMIT_NOT_ISSUED = 5,
};

/** A company's status, the byte of `company/{number}`. */
enum {
    PUBLICA_COMPANY_ACTIVE = 0,
    PUBLICA_COMPANY_IN_LIQUIDATION = 1,
    PUBLICA_COMPANY_DISSOLVED = 2,
    PUBLICA_COMPANY_NOT_REGISTERED = 5,
};

/** An account's standing, the byte of `account/{40 hex}`. */
enum {
    PUBLICA_ACCOUNT_CITIZEN = 0,
    PUBLICA_ACCOUNT_OFFICIAL = 1,
    PUBLICA_ACCOUNT_INACTIVE = 2,
    PUBLICA_ACCOUNT_UNKNOWN = 5,
};

/** What a view helper answers. */
typedef enum {
    /** The view was read and decoded. */
    PUBLICA_VIEW_OK = 0,
    /** The key is absent (the identifier is not known to the ledger). */
    PUBLICA_VIEW_ABSENT = 1,
    /** The key is too long, contracts may not read it, or its value is not of the documented size. */
    PUBLICA_VIEW_UNREADABLE = 2,
} publica_view_answer;

/** The permit view: its status at the block's time and the end of its validity. */
typedef struct {
    pub_u8 status;
    pub_u64 valid_until_ms;
} publica_permit;

/** The budget line view: its four amounts. */
typedef struct {
    pub_u64 appropriation;
    pub_u64 allocated;
    pub_u64 committed;
    pub_u64 paid;
} publica_budget_line;

static inline publica_view_answer publica_view_exact(const publica_key *key, pub_u8 *out, pub_u32 size) {
    pub_u32 len = 0;
    if (key->len < 0) return PUBLICA_VIEW_UNREADABLE;
    switch (publica_view(key->bytes, (pub_u32)key->len, out, size, &len)) {
    case PUBLICA_FOUND:
        return len == size ? PUBLICA_VIEW_OK : PUBLICA_VIEW_UNREADABLE;
    case PUBLICA_ABSENT:
        return PUBLICA_VIEW_ABSENT;
    default:
        return PUBLICA_VIEW_UNREADABLE;
    }
}

/** Reads `permit/{id}`. */
static inline publica_view_answer publica_view_permit(const void *id, pub_u32 id_len, publica_permit *permit) {
    publica_key key = {.len = 0};
    pub_u8 value[9];
    publica_key_push_str(&key, PUBLICA_VIEW_PERMIT);
    publica_key_push(&key, id, id_len);
    publica_view_answer answer = publica_view_exact(&key, value, sizeof value);
    if (answer == PUBLICA_VIEW_OK) {
        permit->status = value[0];
        permit->valid_until_ms = publica_le_u64(value + 1);
    }
    return answer;
}

/** Reads `company/{number}`. */
static inline publica_view_answer publica_view_company(const void *number, pub_u32 number_len, pub_u8 *status) {
    publica_key key = {.len = 0};
    publica_key_push_str(&key, PUBLICA_VIEW_COMPANY);
    publica_key_push(&key, number, number_len);
    return publica_view_exact(&key, status, 1);
}

/** Reads `account/{40 hex}` of a 20-byte account. */
static inline publica_view_answer publica_view_account(const pub_u8 account[20], pub_u8 *standing) {
    publica_key key = {.len = 0};
    publica_key_push_str(&key, PUBLICA_VIEW_ACCOUNT);
    publica_key_push_hex(&key, account, 20);
    return publica_view_exact(&key, standing, 1);
}

/** Reads `budget-line/{year}/{code}`. */
static inline publica_view_answer publica_view_budget_line(pub_u32 year, const char *code,
                                                           publica_budget_line *line) {
    publica_key key = {.len = 0};
    pub_u8 value[32];
    publica_key_push_str(&key, PUBLICA_VIEW_BUDGET_LINE);
    publica_key_push_u32(&key, year);
    publica_key_push_str(&key, "/");
    publica_key_push_str(&key, code);
    publica_view_answer answer = publica_view_exact(&key, value, sizeof value);
    if (answer == PUBLICA_VIEW_OK) {
        line->appropriation = publica_le_u64(value);
        line->allocated = publica_le_u64(value + 8);
        line->committed = publica_le_u64(value + 16);
        line->paid = publica_le_u64(value + 24);
    }
    return answer;
}

#endif /* PUBLICA_H */
