// SPDX-License-Identifier: ISC
/*
 * Mode 6 in the NTP server: who may ask (acl_query_allowed: loopback, or where restrict rules
 * allow queries), how often (the token buckets of server.h), how much (the amplification rule
 * of mode6.h), and sending the packets m6_answer() built. Mode 7 is never answered.
 */
#include <string.h>

#include "daemon/server/server_int.h"

/* The client's address family and octets (AF_INET: 4 octets). */
static int client_address(const struct sockaddr_storage *from, const uint8_t **addr)
{
    if (from->ss_family == AF_INET) {
        *addr = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
        return AF_INET;
    }
    *addr = ((const struct sockaddr_in6 *)from)->sin6_addr.s6_addr;
    return AF_INET6;
}

/* Access and rate: true when the request may be answered. */
static bool admitted(struct server *s, const struct server_slot *slot, bool *loopback,
                     uint64_t now_ns)
{
    const uint8_t *addr;
    int family = client_address(&slot->from, &addr);

    *loopback = acl_is_loopback(family, addr);
    if (!acl_query_allowed(&s->acl, family, addr))
        return false;
    return m6_bucket_take(*loopback ? &s->m6_local : &s->m6_remote, now_ns);
}

bool server_control(struct server *s, struct server_socket *sock, int i, size_t len, bool truncated,
                    const struct clk_map *map, uint64_t now_ns)
{
    const struct server_slot *slot = &s->slots[i];
    struct m6_context ctx;
    bool loopback;

    if (len < 1 || (slot->req[0] & 7) < NTP_MODE_CONTROL)
        return false;
    if ((slot->req[0] & 7) != NTP_MODE_CONTROL) { /* mode 7 (ntpdc, monlist): never */
        s->stats.other_mode++;
        return true;
    }
    if (truncated) {
        s->stats.malformed++;
        return true;
    }
    if (!admitted(s, slot, &loopback, now_ns)) {
        s->stats.mode6_refused++;
        return true;
    }
    ctx = (struct m6_context){
        .snap = s->snap,
        .now = clk_map_now(map),
        .precision_log2 = SERVER_PRECISION_LOG2,
        .max_octets = loopback ? M6_MAX_PACKETS * M6_PACKET_LEN : M6_REMOTE_FACTOR * len,
    };
    m6_answer(slot->req, len, &ctx, &s->m6);
    if (s->m6.n == 0) {
        s->stats.malformed++;
        return true;
    }
    s->stats.mode6_answered++;
    for (int k = 0; k < s->m6.n; k++) {
        if (!server_send_one(s, sock, i, s->m6.pkt[k], s->m6.len[k]))
            break;
    }
    return true;
}
