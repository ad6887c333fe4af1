// SPDX-License-Identifier: ISC
/* The NTP server's decision for one request: validity, access, rate limit, the reply. */
#include <string.h>

#include "daemon/server/server_int.h"

void server_state_from_snapshot(const struct msg_snapshot *snap, const struct clk_map *map,
                                struct ntp_server_state *st)
{
    memset(st, 0, sizeof(*st));
    st->precision = SERVER_PRECISION_LOG2;
    if (snap == NULL || snap->sync_state == MSG_SYNC_UNSYNCHRONISED || snap->stratum == 0 ||
        snap->stratum >= 16) {
        st->leap = NTP_LEAP_UNSYNC;
        st->stratum = 16;
        return;
    }
    struct timespec ref = msg_time_to_timespec(snap->ref_time);
    struct timespec made = msg_time_to_timespec(snap->now), now = clk_map_now(map);
    double age_s = (double)(now.tv_sec - made.tv_sec) + (now.tv_nsec - made.tv_nsec) * 1e-9;

    st->leap = snap->leap;
    st->stratum = snap->stratum;
    st->root_delay = snap->root_delay_s;
    /* the dispersion grows by PHI per second since the snapshot was made (RFC 5905) */
    st->root_dispersion =
        snap->root_dispersion_s + (made.tv_sec > 0 && age_s > 0 ? age_s * SERVER_PHI : 0);
    st->refid[0] = (uint8_t)(snap->refid >> 24);
    st->refid[1] = (uint8_t)(snap->refid >> 16);
    st->refid[2] = (uint8_t)(snap->refid >> 8);
    st->refid[3] = (uint8_t)snap->refid;
    st->reference_ts = ref.tv_sec > 0 ? ntp_ts64_from_timespec(&ref) : 0;
}

/* The client's address: AF_INET/AF_INET6 and a pointer to its octets; the 16-octet key. */
static int client_addr(const struct sockaddr_storage *from, const uint8_t **addr, uint8_t key[16])
{
    if (from->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)from;

        *addr = (const uint8_t *)&sin->sin_addr;
        rl_map_ipv4(*addr, key);
        return AF_INET;
    }
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)from;

    *addr = sin6->sin6_addr.s6_addr;
    memcpy(key, *addr, 16);
    return AF_INET6;
}

static enum server_answer kod(struct server_slot *slot, const struct ntp_header *req,
                              const char code[4])
{
    struct ntp_header r;

    if (ntp_build_kod(req, code, &r) < 0 ||
        ntp_header_encode(&r, slot->reply, NTP_HEADER_LEN) != NTP_HEADER_LEN)
        return SERVER_NONE;
    slot->reply_len = auth_sign(slot->key, slot->reply, NTP_HEADER_LEN, sizeof(slot->reply));
    return slot->reply_len > 0 ? SERVER_KOD : SERVER_NONE;
}

/* Interleaved mode (RFC 9769): a request whose origin is the receive time of our previous
 * reply to this client, whose kernel transmit stamp we have, gets that transmit stamp (the true
 * one, taken after sending) with its own receive time; its origin is the request's receive
 * field, which tells the client the reply is interleaved. Anything else: basic mode. */
static void interleave(struct server *s, struct server_slot *slot, const struct ntp_header *req,
                       struct ntp_header *r)
{
    const struct rl_client *c;

    slot->interleaved = false;
    if (slot->client == SERVER_NO_CLIENT || req->origin_ts == 0 || req->receive_ts == 0)
        return;
    c = &s->clients.entries[slot->client];
    if (c->tx_pending || c->tx_ntp == 0 || req->origin_ts != c->rx_ntp ||
        req->origin_ts == req->transmit_ts)
        return;
    r->origin_ts = req->receive_ts;
    r->transmit_ts = c->tx_ntp;
    slot->interleaved = true;
    s->stats.interleaved++;
}

static enum server_answer time_reply(struct server *s, struct server_slot *slot,
                                     const struct ntp_packet *pkt, size_t len, uint64_t now_ns)
{
    struct ntp_header r;
    enum server_answer nts;

    slot->interleaved = false;
    if (server_nts_answer(s, slot, len, pkt, now_ns, &nts))
        return nts;
    if (slot->nts_only) { /* notrust: an NTS request that NTS does not authenticate */
        s->stats.denied++;
        return SERVER_NONE;
    }
    if (ntp_build_reply(&pkt->hdr, &s->state, slot->rx_ntp, 0, &r) < 0)
        return SERVER_NONE;
    interleave(s, slot, &pkt->hdr, &r);
    if (ntp_header_encode(&r, slot->reply, NTP_HEADER_LEN) != NTP_HEADER_LEN)
        return SERVER_NONE;
    /* signed by server_io.c once the transmit timestamp is in */
    slot->reply_len = NTP_HEADER_LEN + (slot->key ? 4 + auth_digest_len(slot->key->type) : 0);
    s->stats.served++;
    return SERVER_TIME;
}

/* A request the access rules refuse: nothing, or a KoD DENY (limited per client). */
static enum server_answer refuse(struct server *s, struct server_slot *slot,
                                 const struct ntp_header *req, uint32_t verdict,
                                 const uint8_t key[16], uint64_t now_ns)
{
    s->stats.denied++;
    if ((verdict & (ACL_KOD | ACL_IGNORE)) != ACL_KOD)
        return SERVER_NONE;
    struct rl_client *c = rl_lookup(&s->clients, key, now_ns);
    if (!rl_kod_allowed(c, &s->limits_kod, now_ns))
        return SERVER_NONE;
    s->stats.kod_deny++;
    return kod(slot, req, "DENY");
}

/* Decode the request: true for a valid mode 3 request; counts the others. */
static bool valid_request(struct server *s, const uint8_t *buf, size_t len, bool truncated,
                          struct ntp_packet *out)
{
    struct ntp_packet pkt;
    int rc;

    if (len > 0 && (buf[0] & 7) >= NTP_MODE_CONTROL) { /* modes 6 and 7: never answered here */
        s->stats.other_mode++;
        return false;
    }
    if (truncated || len < NTP_HEADER_LEN) {
        s->stats.malformed++;
        return false;
    }
    rc = ntp_packet_decode(buf, len, &pkt);
    if (rc == 0 && pkt.hdr.mode != NTP_MODE_CLIENT) {
        s->stats.other_mode++;
        return false;
    }
    if (rc < 0) {
        s->stats.malformed++;
        return false;
    }
    *out = pkt;
    return true;
}

enum server_answer server_answer(struct server *s, struct server_slot *slot, size_t len,
                                 bool truncated, uint64_t now_ns)
{
    struct ntp_packet pkt;
    const struct ntp_header *req = &pkt.hdr;
    const uint8_t *addr;
    uint8_t key[16];
    struct rl_client *c;
    uint32_t verdict;
    int family;

    slot->client = SERVER_NO_CLIENT;
    slot->key = NULL;
    slot->nts_only = false;
    if (!valid_request(s, slot->req, len, truncated, &pkt))
        return SERVER_NONE;
    family = client_addr(&slot->from, &addr, key);
    verdict = acl_check(&s->acl, family, addr);
    if (!(verdict & ACL_SERVE))
        return refuse(s, slot, req, verdict, key, now_ns);
    if (!server_auth_request(s, slot, len, &pkt, verdict))
        return SERVER_NONE;
    c = rl_lookup(&s->clients, key, now_ns);
    slot->client = (uint32_t)(c - s->clients.entries);
    if (!s->rate_all && !(verdict & ACL_LIMITED))
        return time_reply(s, slot, &pkt, len, now_ns);
    switch (rl_decide(&s->clients, c, verdict & ACL_KOD ? &s->limits_kod : &s->limits, now_ns)) {
    case RL_PASS:
        return time_reply(s, slot, &pkt, len, now_ns);
    case RL_LEAK:
        s->stats.limited++;
        s->stats.leaked++;
        return time_reply(s, slot, &pkt, len, now_ns);
    case RL_KOD:
        s->stats.limited++;
        s->stats.kod_rate++;
        slot->client = SERVER_NO_CLIENT;
        return kod(slot, req, "RATE");
    case RL_DROP:
    default:
        s->stats.limited++;
        return SERVER_NONE;
    }
}
