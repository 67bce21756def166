/*
 * Customs clearance: a declaration passes when the goods' permit is valid at the block's time and the
 * importer's company is active in the business register.
 *
 * Input, a binary declaration (no trailing bytes):
 *
 *     u8 n, n bytes   declaration id        1..64 bytes
 *     u8 n, n bytes   importer company no.  1..32 bytes
 *     u8 n, n bytes   permit id             1..64 bytes
 *     u8 n, n bytes   goods code            1..16 bytes
 *     u64 LE          customs value         in minor units, not zero
 *
 * Cleared (status 0): output "cleared", event `cleared` with the declaration id, and the state key
 * `declaration/{id}` set to the declaration's bytes followed by the block time (u64 LE, ms).
 *
 * Refused (the status below): output and event `refused` data are the reason's name; nothing is written.
 * A view the host does not serve with its documented size aborts the call: that is the ledger's fault, not
 * the declaration's.
 */
#include "publica.h"

enum {
    CLEARED = 0,
    MALFORMED_DECLARATION = 1,
    PERMIT_UNKNOWN = 2,
    PERMIT_NOT_YET_VALID = 3,
    PERMIT_EXPIRED = 4,
    PERMIT_SUSPENDED = 5,
    PERMIT_REVOKED = 6,
    COMPANY_UNKNOWN = 7,
    COMPANY_IN_LIQUIDATION = 8,
    COMPANY_DISSOLVED = 9,
    ALREADY_DECLARED = 10,
};

static const char *const REASONS[] = {
    "cleared",         "malformed_declaration",  "permit_unknown",    "permit_not_yet_valid",
    "permit_expired",  "permit_suspended",       "permit_revoked",    "company_unknown",
    "company_in_liquidation", "company_dissolved", "already_declared",
};

#define DECLARATION_MAX 256

/** A field of the declaration: where it starts in the input and its length. */
typedef struct {
    const pub_u8 *bytes;
    pub_u32 len;
} field;

typedef struct {
    field id;
    field company;
    field permit;
    field goods;
    pub_u64 value;
} declaration;

/** Reads one length-prefixed field of 1..max bytes at `*at`; 0 when it is missing or out of range. */
static int read_field(const pub_u8 *input, pub_u32 len, pub_u32 *at, pub_u32 max, field *out) {
    if (*at >= len) return 0;
    pub_u32 n = input[*at];
    *at += 1;
    if (n == 0 || n > max || n > len - *at) return 0;
    out->bytes = input + *at;
    out->len = n;
    *at += n;
    return 1;
}

static int parse(const pub_u8 *input, pub_u32 len, declaration *d) {
    pub_u32 at = 0;
    if (!read_field(input, len, &at, 64, &d->id)) return 0;
    if (!read_field(input, len, &at, 32, &d->company)) return 0;
    if (!read_field(input, len, &at, 64, &d->permit)) return 0;
    if (!read_field(input, len, &at, 16, &d->goods)) return 0;
    if (len - at != 8) return 0;
    d->value = publica_le_u64(input + at);
    return d->value != 0;
}

static int refuse(int status) {
    const char *reason = REASONS[status];
    publica_output_str(reason);
    publica_event("refused", reason, publica_strlen(reason));
    return status;
}

static int permit_refusal(const field *permit_id) {
    publica_permit permit;
    switch (publica_view_permit(permit_id->bytes, permit_id->len, &permit)) {
    case PUBLICA_VIEW_OK:
        break;
    case PUBLICA_VIEW_ABSENT:
        return PERMIT_UNKNOWN;
    default:
        publica_abort("the permit view is unreadable: the ledger must serve permit/{id} as 9 bytes");
    }
    switch (permit.status) {
    case PUBLICA_PERMIT_VALID:
        return CLEARED;
    case PUBLICA_PERMIT_NOT_YET_VALID:
        return PERMIT_NOT_YET_VALID;
    case PUBLICA_PERMIT_EXPIRED:
        return PERMIT_EXPIRED;
    case PUBLICA_PERMIT_SUSPENDED:
        return PERMIT_SUSPENDED;
    case PUBLICA_PERMIT_REVOKED:
        return PERMIT_REVOKED;
    case PUBLICA_PERMIT_NOT_ISSUED:
        return PERMIT_UNKNOWN;
    default:
        publica_abort("the permit view has an unknown status byte: this contract knows 0 to 5");
    }
}

static int company_refusal(const field *company) {
    pub_u8 status = 0;
    switch (publica_view_company(company->bytes, company->len, &status)) {
    case PUBLICA_VIEW_OK:
        break;
    case PUBLICA_VIEW_ABSENT:
        return COMPANY_UNKNOWN;
    default:
        publica_abort("the company view is unreadable: the ledger must serve company/{number} as 1 byte");
    }
    switch (status) {
    case PUBLICA_COMPANY_ACTIVE:
        return CLEARED;
    case PUBLICA_COMPANY_IN_LIQUIDATION:
        return COMPANY_IN_LIQUIDATION;
    case PUBLICA_COMPANY_DISSOLVED:
        return COMPANY_DISSOLVED;
    case PUBLICA_COMPANY_NOT_REGISTERED:
        return COMPANY_UNKNOWN;
    default:
        publica_abort("the company view has an unknown status byte: this contract knows 0, 1, 2 and 5");
    }
}

PUBLICA_EXPORT("call") int call(void) {
    static pub_u8 input[DECLARATION_MAX + 8];
    declaration d;
    pub_i32 len = publica_input(input, DECLARATION_MAX);
    if (len < 0 || !parse(input, (pub_u32)len, &d)) return refuse(MALFORMED_DECLARATION);

    publica_key key = {.len = 0};
    publica_key_push_str(&key, "declaration/");
    publica_key_push(&key, d.id.bytes, d.id.len);
    if (publica_has(key.bytes, (pub_u32)key.len)) return refuse(ALREADY_DECLARED);

    int status = permit_refusal(&d.permit);
    if (status != CLEARED) return refuse(status);
    status = company_refusal(&d.company);
    if (status != CLEARED) return refuse(status);

    /* The record: the declaration as submitted, then the time it was cleared. */
    publica_put_le_u64(input + len, (pub_u64)publica_block_time_ms());
    publica_state_set(key.bytes, (pub_u32)key.len, input, (pub_u32)len + 8);
    publica_output_str("cleared");
    publica_event("cleared", d.id.bytes, d.id.len);
    return CLEARED;
}
