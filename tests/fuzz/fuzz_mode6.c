// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/server/mode6.c daemon/server/mode6_vars.c daemon/common/ntp_packet.c
// fuzz-sources: daemon/common/msg.c daemon/common/ntpd_status.c discipline/clock.c
// fuzz-sources: discipline/clock_system.c discipline/clock_virtual.c discipline/clock_none.c
// fuzz-sources: daemon/common/log.c discipline/disc_status.c
// fuzz-sources: daemon/common/log_limit.c discipline/discipline.c discipline/filter.c
// fuzz-sources: discipline/loop.c discipline/sample.c
// fuzz-sources: daemon/common/msg_nts.c
/*
 * libFuzzer target for mode 6: any datagram a client can send the network child. The answer
 * must stay within its bounds whatever the request: at most M6_MAX_PACKETS packets of at most
 * 480 octets, each a multiple of 4 with a consistent header (response bit, the request's
 * opcode and sequence, offsets that add up), never more octets than max_octets, and no
 * response at all to what is not a mode 6 request. The first octet of the input picks the
 * amplification bound, so both the loopback and the remote rule are explored.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/ntpd_status.h"
#include "daemon/server/mode6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static struct msg_snapshot snap;

static void make_snapshot(void)
{
    static const char *const addrs[] = {"192.0.2.1", "[2001:db8::1]:10123", "PHC0(/dev/ptp0)"};

    snap.leap = 0;
    snap.stratum = 2;
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.now.sec = 1790000000;
    snap.sys_peer_assoc = 1;
    snap.leap_known = 1;
    snap.tai_offset_s = 37;
    snap.leap_last_s = 1483228800;
    snap.leap_expire_s = 1798416000;
    for (int i = 0; i < MSG_MAX_SOURCES; i++) {
        struct msg_source_state *s = &snap.sources[i];

        s->slot = (uint32_t)i;
        s->in_use = 1;
        s->kind = i >= MSG_NTP_SLOTS ? MSG_KIND_REFCLOCK : i % 2 ? MSG_KIND_POOL : MSG_KIND_SERVER;
        s->assoc_id = (uint16_t)(i + 1);
        s->tally = (uint8_t) " x.-+#*"[i % 7];
        s->reach = (uint8_t)i;
        s->age_s = i % 3 ? i : -1;
        s->ntpd_status = ntpd_peer_status(NTPD_PEER_CONFIG, (unsigned)i % 8, NULL);
        msg_copy_str(s->name, sizeof(s->name), "a-rather-long-host-name.example.org");
        msg_copy_str(s->addr, sizeof(s->addr), addrs[i % 3]);
    }
    snap.nsources = MSG_MAX_SOURCES;
}

static void check_response(const uint8_t *req, size_t len, const struct m6_context *ctx,
                           const struct m6_response *r)
{
    size_t offset = 0;

    CHECK(r->n >= 0 && r->n <= M6_MAX_PACKETS);
    if (!m6_is_request(req, len))
        CHECK(r->n == 0);
    CHECK(m6_response_octets(r) <= ctx->max_octets || r->n == 0);
    for (int i = 0; i < r->n; i++) {
        const uint8_t *p = r->pkt[i];
        size_t count = (size_t)p[10] << 8 | p[11];

        CHECK(r->len[i] >= NTP_CTL_HEADER_LEN && r->len[i] <= M6_PACKET_LEN);
        CHECK(r->len[i] % 4 == 0 && count <= r->len[i] - NTP_CTL_HEADER_LEN);
        CHECK((p[0] & 7) == 6 && (p[0] & 0x38) == (req[0] & 0x38));
        CHECK((p[1] & 0x80) && (p[1] & 0x1f) == (req[1] & 0x1f));
        CHECK(!!(p[1] & 0x20) == (i + 1 < r->n));
        CHECK(p[2] == req[2] && p[3] == req[3]);
        CHECK(((size_t)p[8] << 8 | p[9]) == offset);
        offset += count;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct m6_response r;
    struct m6_context ctx = {.snap = &snap, .now = {1790000001, 5}, .precision_log2 = -24};

    if (snap.nsources == 0)
        make_snapshot();
    if (size < 1)
        return 0;
    ctx.max_octets = data[0] & 1 ? M6_MAX_PACKETS * M6_PACKET_LEN
                                 : (size - 1 > 12 ? size - 1 : 12) * M6_REMOTE_FACTOR;
    if (data[0] & 2)
        ctx.snap = NULL;
    m6_answer(data + 1, size - 1, &ctx, &r);
    if (size > 1)
        check_response(data + 1, size - 1, &ctx, &r);
    return 0;
}
