// SPDX-License-Identifier: ISC
// fuzz-libs: -lnettle
// fuzz-sources: daemon/server/server.c daemon/server/server_reply.c daemon/server/server_io.c
// fuzz-sources: daemon/server/acl.c daemon/server/ratelimit.c daemon/common/ntp_packet.c
// fuzz-sources: daemon/common/log.c daemon/common/log_limit.c daemon/common/msg.c
// fuzz-sources: daemon/config/config_parse.c daemon/config/config_values.c
// fuzz-sources: daemon/config/config_sources.c daemon/config/config_access.c
// fuzz-sources: daemon/config/config_directives.c daemon/config/config_print.c
// fuzz-sources: discipline/clock.c discipline/clock_system.c discipline/clock_virtual.c
// fuzz-sources: discipline/clock_none.c discipline/disc_status.c discipline/discipline.c
// fuzz-sources: discipline/disc_update.c discipline/filter.c discipline/loop.c
// fuzz-sources: discipline/sample.c discipline/select.c hwts/timestamping.c hwts/sock.c
// fuzz-sources: daemon/common/auth.c daemon/config/config_keys.c daemon/config/config_observe.c
// fuzz-sources: daemon/config/config_security.c daemon/config/config_stats.c daemon/server/mode6.c
// fuzz-sources: daemon/server/server_auth.c daemon/server/server_control.c
// fuzz-sources: daemon/server/mode6_vars.c
// fuzz-sources: daemon/common/ntpd_status.c
// fuzz-sources: daemon/common/msg_nts.c
// fuzz-sources: daemon/config/config_nts.c
// fuzz-sources: daemon/server/server_nts.c daemon/nts/nts_server.c daemon/nts/nts_ef.c
// fuzz-sources: daemon/nts/nts_aead.c daemon/nts/nts_cookie.c daemon/nts/nts_keys.c
/*
 * libFuzzer target for the NTP server's decision (daemon/server/server_reply.c server_answer):
 * what any host on the network sends, from any address, at any pace. Input: one octet picks the
 * access configuration, then records of [family, 16 address octets, 2 octets of time step (ms),
 * 1 octet flags, 2 octets length, the request]. Invariants: no amplification (an answer is
 * 48 octets, never larger than its request); malformed, truncated and non-mode-3 requests get
 * nothing; an `ignore`d address gets nothing; a KoD carries no time (stratum 0, leap 3).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"
#include "daemon/server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const configs[] = {
    "restrict default kod limited nomodify\n"
    "restrict 192.0.2.0 mask 255.255.255.0 ignore\n"
    "restrict 2001:db8:: mask ffff:ffff:: noserve kod\n",
    "allow 10.0.0.0/8\nallow 2001:db8::/32\ndeny 10.1.0.0/16\nratelimit interval 1 burst 4\n",
    "local stratum 1\nrestrict default limited\nratelimit interval 3 burst 2 leak 4\n",
};
#define N_CONFIGS (sizeof(configs) / sizeof(configs[0]))

static struct cfg cfgs[N_CONFIGS];
static struct server *servers[N_CONFIGS];

static void init(void)
{
    for (size_t i = 0; i < N_CONFIGS; i++) {
        struct cfg_diag diag;

        cfg_diag_init(&diag);
        if (cfg_load_string("fuzz", configs[i], strlen(configs[i]), 0, &cfgs[i], &diag) < 0)
            abort();
        cfg_diag_free(&diag);
        servers[i] = server_create(&cfgs[i]);
        if (servers[i] == NULL)
            abort();
    }
}

/* The client's address from a record; *ignored: an address the first configuration ignores. */
static void set_from(struct server_slot *slot, const uint8_t *rec, bool *ignored)
{
    memset(&slot->from, 0, sizeof(slot->from));
    if (rec[0] & 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&slot->from;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, rec + 1, 16);
        *ignored = false; /* mapped addresses are checked as IPv4: not tracked here */
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&slot->from;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, rec + 1, 4);
        *ignored = rec[1] == 192 && rec[2] == 0 && rec[3] == 2;
    }
}

static void check_answer(enum server_answer a, const struct server_slot *slot, size_t len,
                         bool truncated, bool ignored)
{
    bool valid = len >= NTP_HEADER_LEN && !truncated && (slot->req[0] & 7) == NTP_MODE_CLIENT;

    if (a == SERVER_NONE)
        return;
    if (!valid || len < NTP_HEADER_LEN || ignored)
        abort(); /* an answer to what must get none */
    if (a == SERVER_KOD && (slot->reply[1] != 0 || (slot->reply[0] >> 6) != 3))
        abort(); /* a KoD must carry no time */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct server_slot slot;
    static uint64_t now_ns = 1000000000ull;
    enum { REC_HEAD = 1 + 16 + 2 + 1 + 2 };

    if (servers[0] == NULL)
        init();
    if (size < 1)
        return 0;
    size_t which = data[0] % N_CONFIGS;
    struct server *s = servers[which];
    data++;
    size--;
    while (size >= REC_HEAD) {
        bool ignored, truncated = data[19] & 1;
        size_t len = (size_t)data[20] << 8 | data[21];

        set_from(&slot, data, &ignored);
        now_ns += ((uint64_t)data[17] << 8 | data[18]) * 1000000ull;
        data += REC_HEAD;
        size -= REC_HEAD;
        if (len > size)
            len = size;
        if (len > sizeof(slot.req))
            len = sizeof(slot.req);
        memset(slot.req, 0, sizeof(slot.req));
        memcpy(slot.req, data, len);
        data += len;
        size -= len;
        check_answer(server_answer(s, &slot, len, truncated, now_ns), &slot, len, truncated,
                     ignored && which == 0);
    }
    return 0;
}
