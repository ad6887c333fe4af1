// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/msg.c discipline/clock.c discipline/clock_system.c
// fuzz-sources: discipline/clock_virtual.c discipline/clock_none.c discipline/disc_status.c
// fuzz-sources: discipline/discipline.c discipline/disc_update.c discipline/filter.c
// fuzz-sources: discipline/loop.c discipline/sample.c discipline/select.c
// fuzz-sources: daemon/common/log.c
// fuzz-sources: daemon/common/log_limit.c
// fuzz-sources: daemon/common/msg_nts.c
/*
 * libFuzzer target for the message schema: what a compromised network child can send the
 * privileged parent, and what the NTS-KE process and the network child send each other.
 * msg_validate() must never read out of bounds, and whatever it accepts must satisfy the
 * invariants the receiver relies on (finite values, slots in range, terminated strings, cookie
 * counts and lengths within their arrays).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cookie counts and lengths of the NTS messages stay within their arrays. */
static void check_cookies(uint32_t n, const uint16_t *len)
{
    if (n > MSG_NTS_COOKIES)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        if (len[i] == 0 || len[i] > MSG_NTS_COOKIE_LEN)
            abort();
    }
}

static void check_nts(uint16_t type, const void *payload)
{
    if (type == MSG_NTSKE_RESULT) {
        const struct msg_ntske_result *r = payload;
        check_cookies(r->ncookies, r->cookie_len);
        if (r->status >= MSG_NTSKE_STATUS_COUNT || r->ntp_port > 65535 ||
            memchr(r->ntp_server, 0, sizeof(r->ntp_server)) == NULL ||
            memchr(r->reason, 0, sizeof(r->reason)) == NULL)
            abort();
    } else if (type == MSG_NTSKE_COOKIES) {
        const struct msg_ntske_cookies *c = payload;
        check_cookies(c->count, c->cookie_len);
    } else if (type == MSG_NTSKE_COOKIE_REQ) {
        const struct msg_ntske_cookie_req *c = payload;
        if (c->count == 0 || c->count > MSG_NTS_COOKIES)
            abort();
    } else if (type == MSG_NTS_KEYS) {
        if (((const struct msg_nts_keys *)payload)->count > MSG_NTS_SERVER_KEYS)
            abort();
    } else if (type == MSG_NTSKE_REQUEST) {
        const struct msg_ntske_request *q = payload;
        if (q->port == 0 || q->port > 65535 || memchr(q->host, 0, sizeof(q->host)) == NULL)
            abort();
    }
}

static void check_accepted(uint16_t type, const void *payload)
{
    check_nts(type, payload);
    if (type == MSG_SAMPLE) {
        const struct msg_sample *s = payload;
        if (s->slot >= MSG_NTP_SLOTS || !isfinite(s->root_delay_s) ||
            !isfinite(s->root_dispersion_s) || s->t1.nsec >= 1000000000)
            abort();
    } else if (type == MSG_SOURCE_ADD) {
        const struct msg_source_add *a = payload;
        if (a->slot >= MSG_NTP_SLOTS || memchr(a->name, 0, sizeof(a->name)) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    uint32_t seq;
    char err[160];

    if (size > sizeof(buf))
        return 0;
    memcpy(buf, data, size); /* aligned copy, as recv() into the parent's buffer */
    seq = size >= 12 ? ((const struct msg_header *)(const void *)buf)->seq : 1;
    if (msg_validate(buf, size, &seq, &hdr, &payload, err, sizeof(err)) == 0)
        check_accepted(hdr.type, payload);
    return 0;
}
