// SPDX-License-Identifier: ISC
/* The NTP server's NTS replies and NTS NAKs (daemon/nts/nts_server.h does the fields). */
#include <arpa/inet.h>
#include <string.h>

#include "daemon/common/log.h"
#include "daemon/nts/nts_server.h"
#include "daemon/server/server_int.h"

#define NTS_LOG_INTERVAL_NS 10000000000ull /* one NTS line per 10 s at most (clients can flood) */

static void log_limited(struct server *s, const struct server_slot *slot, uint64_t now_ns,
                        const char *what, const char *why)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    const void *a = slot->from.ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)&slot->from)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)&slot->from)->sin_addr;

    if (s->nts_log_ns != 0 && now_ns - s->nts_log_ns < NTS_LOG_INTERVAL_NS)
        return;
    s->nts_log_ns = now_ns;
    inet_ntop(slot->from.ss_family, a, addr, sizeof(addr));
    log_info("server: NTS request from %s: %s (%s)", addr, what, why);
}

static bool nak(struct server *s, struct server_slot *slot, size_t len,
                const struct ntp_packet *pkt, const struct nts_server_request *req)
{
    struct ntp_header r;
    long n;

    if (ntp_build_kod(&pkt->hdr, "NTSN", &r) < 0 ||
        ntp_header_encode(&r, slot->reply, NTP_HEADER_LEN) != NTP_HEADER_LEN)
        return false;
    n = nts_server_nak(req, slot->req, len, slot->reply, sizeof(slot->reply));
    if (n < 0)
        return false;
    slot->reply_len = (size_t)n;
    return true;
}

/* The time reply with its transmit timestamp now: it is authenticated data. */
static bool reply(struct server *s, struct server_slot *slot, size_t len,
                  const struct ntp_packet *pkt, const struct nts_server_request *req)
{
    struct timespec now = clk_map_now(s->map);
    struct ntp_header r;
    long n;

    if (ntp_build_reply(&pkt->hdr, &s->state, slot->rx_ntp, ntp_ts64_from_timespec(&now), &r) < 0 ||
        ntp_header_encode(&r, slot->reply, NTP_HEADER_LEN) != NTP_HEADER_LEN)
        return false;
    n = nts_server_finish(s->nts, req, slot->req, len, slot->reply, sizeof(slot->reply));
    if (n < 0)
        return false;
    slot->reply_len = (size_t)n;
    return true;
}

bool server_nts_answer(struct server *s, struct server_slot *slot, size_t len,
                       const struct ntp_packet *pkt, uint64_t now_ns, enum server_answer *answer)
{
    static struct nts_server_request req;

    if (s->nts == NULL || pkt->ef_count == 0)
        return false;
    switch (nts_server_check(s->nts, slot->req, len, pkt, &req)) {
    case NTS_SERVER_PLAIN:
        return false;
    case NTS_SERVER_REPLY:
        *answer = reply(s, slot, len, pkt, &req) ? SERVER_NTS : SERVER_NONE;
        s->stats.served += *answer == SERVER_NTS;
        s->stats.nts_served += *answer == SERVER_NTS;
        break;
    case NTS_SERVER_NAK:
        *answer = nak(s, slot, len, pkt, &req) ? SERVER_KOD : SERVER_NONE;
        s->stats.nts_naks += *answer == SERVER_KOD;
        log_limited(s, slot, now_ns, "NTS NAK sent", req.why);
        break;
    default:
        *answer = SERVER_NONE;
        s->stats.nts_dropped++;
        log_limited(s, slot, now_ns, "dropped", req.why);
        break;
    }
    memset(req.c2s, 0, sizeof(req.c2s));
    memset(req.s2c, 0, sizeof(req.s2c));
    return true;
}
