// SPDX-License-Identifier: ISC
/* NTS in the network child: NTS-KE requests and results, NTS sources, cookie keys
 * (net_nts.h). */
#include "daemon/net/net_nts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/random.h>

#include "daemon/common/log.h"
#include "daemon/net/net_int.h"
#include "daemon/resolver/resolver.h"

static const char *const status_text[] = {
    "ok",      "no connection", "TLS failed", "certificate not accepted", "NTS-KE protocol error",
    "timeout", "NTS-KE busy",
};

void net_nts_init(struct net *n)
{
    struct net_nts *t = &n->nts;

    t->ch = n->fds.ntske;
    t->rx_seq = t->tx_seq = t->next_id = 1;
}

static const char *name_of(const struct net *n, int slot)
{
    return n->clients[slot].cfg != NULL ? n->clients[slot].cfg->name : "?";
}

static void set_state(struct net_nts_source *s, uint8_t state)
{
    s->state = state;
}

static void addr_of(const struct client *c, struct msg_addr *a)
{
    memset(a, 0, sizeof(*a));
    a->family = c->addr.ss_family;
    if (a->family == AF_INET)
        memcpy(a->addr, &((const struct sockaddr_in *)&c->addr)->sin_addr, 4);
    else
        memcpy(a->addr, &((const struct sockaddr_in6 *)&c->addr)->sin6_addr, 16);
}

/* Ask the NTS-KE role for a session with the slot's NTS-KE server. */
static void request_ke(struct net *n, int slot, double now)
{
    struct net_nts_source *s = &n->nts.src[slot];
    const struct client *c = &n->clients[slot];
    struct msg_ntske_request req;
    char err[160];

    s->ke_retry_at = 0;
    if (!chan_is_open(&n->nts.ch)) {
        if (s->state != MSG_NTS_UNAVAILABLE)
            log_err("source %s: no NTS-KE process: not authenticated, no NTP request",
                    name_of(n, slot));
        set_state(s, MSG_NTS_UNAVAILABLE);
        return;
    }
    memset(&req, 0, sizeof(req));
    req.id = s->ke_id = (n->nts.next_id++ << 8) | (uint32_t)slot;
    /* the NTS-KE server is where the name led, even after the NTPv4 server moved elsewhere */
    req.family = s->ke_addr.family;
    memcpy(req.addr, s->ke_addr.addr, sizeof(req.addr));
    req.port = c->cfg != NULL ? c->cfg->nts_port : NTSKE_PORT;
    msg_copy_str(req.host, sizeof(req.host), c->cfg != NULL ? c->cfg->name : "");
    if (msg_check_payload(MSG_NTSKE_REQUEST, &req, err, sizeof(err)) < 0 ||
        chan_send(&n->nts.ch, MSG_NTSKE_REQUEST, &n->nts.tx_seq, &req, sizeof(req)) < 0) {
        log_warning("source %s: NTS-KE request not sent (%s)", name_of(n, slot),
                    errno == EAGAIN ? "NTS-KE busy" : err);
        s->ke_retry_at = now + NET_NTS_RETRY_MIN_S;
        return;
    }
    s->ke_in_flight = true;
    set_state(s, MSG_NTS_KE);
}

void net_nts_attach(struct net *n, struct client *c, double now)
{
    struct net_nts_source *s = &n->nts.src[c->slot];

    memset(s, 0, sizeof(*s));
    s->active = true;
    s->ke_last_ok = -1;
    s->ke_backoff_s = NET_NTS_RETRY_MIN_S;
    addr_of(c, &s->ke_addr);
    c->nts = &s->client;
    c->next_poll = now + NET_NTS_HOLD_S;
    request_ke(n, (int)c->slot, now);
}

void net_nts_detach(struct net *n, int slot)
{
    nts_client_clear(&n->nts.src[slot].client);
    memset(&n->nts.src[slot], 0, sizeof(n->nts.src[slot]));
}

/* The first poll after NTS-KE: at once, with a burst for iburst sources. */
static void release_polls(struct client *c, double now)
{
    c->next_poll = now;
    if (c->cfg != NULL && (c->cfg->flags & CFG_SRC_IBURST))
        c->burst_left = CLIENT_IBURST_PACKETS;
}

static void ke_failed(struct net *n, int slot, const struct msg_ntske_result *r, double now)
{
    struct net_nts_source *s = &n->nts.src[slot];

    s->ke_failures++;
    s->last_status = (uint8_t)r->status;
    set_state(s, MSG_NTS_FAILED);
    s->ke_retry_at = now + s->ke_backoff_s;
    log_warning("source %s: NTS-KE failed (%s: %s): not authenticated, no NTP request until "
                "NTS-KE succeeds (next try in %.0f s)",
                name_of(n, slot), status_text[r->status], r->reason, s->ke_backoff_s);
    s->ke_backoff_s = fmin(2 * s->ke_backoff_s, NET_NTS_RETRY_MAX_S);
}

/* Move the association to the negotiated NTPv4 server when it is elsewhere, then poll. */
static void use_server(struct net *n, int slot, const struct msg_addr *a, double now)
{
    struct net_nts_source *s = &n->nts.src[slot];
    struct client *c = &n->clients[slot];

    if (net_readdress_source(n, slot, a, s->ntp_port, now) < 0)
        return;
    c->nts = &s->client;
    set_state(s, MSG_NTS_READY);
    release_polls(c, now);
}

/* The negotiated server: "" (the NTS-KE server's address), an address literal or a name. */
static void negotiated_server(struct net *n, int slot, const struct msg_ntske_result *r, double now)
{
    struct net_nts_source *s = &n->nts.src[slot];
    const struct client *c = &n->clients[slot];
    struct msg_addr a = {0};
    int family = c->addr.ss_family == AF_INET6 ? 6 : 4;

    if (r->ntp_server[0] == '\0') {
        use_server(n, slot, &s->ke_addr, now);
    } else if (inet_pton(AF_INET, r->ntp_server, a.addr) == 1) {
        a.family = AF_INET;
        use_server(n, slot, &a, now);
    } else if (inet_pton(AF_INET6, r->ntp_server, a.addr) == 1) {
        a.family = AF_INET6;
        use_server(n, slot, &a, now);
    } else if (n->resolver != NULL &&
               resolver_client_request(n->resolver, r->ntp_server, family, &s->resolve_id) == 0) {
        s->resolving = true;
    } else {
        log_warning("source %s: cannot resolve the NTPv4 server %s NTS-KE named", name_of(n, slot),
                    r->ntp_server);
        s->ke_retry_at = now + s->ke_backoff_s;
        set_state(s, MSG_NTS_FAILED);
    }
}

static void ke_result(struct net *n, const struct msg_ntske_result *r, double now)
{
    int slot = (int)(r->id & 0xff);
    struct net_nts_source *s;

    if (slot >= MSG_NTP_SLOTS || !n->nts.src[slot].active || n->nts.src[slot].ke_id != r->id)
        return; /* for an association that is gone */
    s = &n->nts.src[slot];
    s->ke_in_flight = false;
    if (r->status != MSG_NTSKE_OK) {
        ke_failed(n, slot, r, now);
        return;
    }
    nts_client_set_session(&s->client, r->c2s, r->s2c, r->ncookies, r->cookie_len,
                           (const uint8_t(*)[NTS_COOKIE_MAX])r->cookies);
    s->ke_ok++;
    s->ke_last_ok = now;
    s->last_status = MSG_NTSKE_OK;
    s->ke_backoff_s = NET_NTS_RETRY_MIN_S;
    s->ntp_port = r->ntp_port != 0 ? r->ntp_port : n->clients[slot].cfg->port;
    log_info("source %s: NTS-KE done, %u cookies%s%s: authenticated requests", name_of(n, slot),
             r->ncookies, r->ntp_server[0] ? ", NTPv4 server " : "", r->ntp_server);
    negotiated_server(n, slot, r, now);
}

bool net_nts_resolved(struct net *n, const struct msg_resolved *r, double now)
{
    for (int slot = 0; slot < MSG_NTP_SLOTS; slot++) {
        struct net_nts_source *s = &n->nts.src[slot];

        if (!s->active || !s->resolving || s->resolve_id != r->id)
            continue;
        s->resolving = false;
        if (r->error != 0 || r->count == 0) {
            log_warning("source %s: the NTPv4 server NTS-KE named does not resolve",
                        name_of(n, slot));
            s->ke_retry_at = now + s->ke_backoff_s;
            set_state(s, MSG_NTS_FAILED);
        } else {
            use_server(n, slot, &r->addrs[0], now);
        }
        return true;
    }
    return false;
}

/* Seal cookies for a session of the NTS-KE server. */
static void make_cookies(struct net *n, const struct msg_ntske_cookie_req *q)
{
    static struct msg_ntske_cookies out;
    uint8_t nonces[MSG_NTS_COOKIES][NTS_COOKIE_NONCE_LEN];

    memset(&out, 0, sizeof(out));
    out.id = q->id;
    if (n->nts.have_keys && getrandom(nonces, sizeof(nonces), 0) == (ssize_t)sizeof(nonces)) {
        for (uint32_t i = 0; i < q->count; i++) {
            if (nts_cookie_make(&n->nts.jar, q->c2s, q->s2c, nonces[i], out.cookies[i]) < 0)
                break;
            out.cookie_len[i] = NTS_COOKIE_LEN;
            out.count++;
        }
    }
    n->nts.ke_sessions += out.count > 0;
    chan_send(&n->nts.ch, MSG_NTSKE_COOKIES, &n->nts.tx_seq, &out, sizeof(out));
}

static void read_ntske(struct net *n, double now)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160] = "unexpected message type";
    ssize_t len;

    while (chan_is_open(&n->nts.ch) && (len = chan_recv(&n->nts.ch, buf, sizeof(buf))) != 0) {
        if (len < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (len < 0 || (size_t)len > sizeof(buf) ||
            msg_validate(buf, (size_t)len, &n->nts.rx_seq, &hdr, &payload, err, sizeof(err)) < 0 ||
            (hdr.type != MSG_NTSKE_RESULT && hdr.type != MSG_NTSKE_COOKIE_REQ))
            break;
        if (hdr.type == MSG_NTSKE_RESULT)
            ke_result(n, payload, now);
        else
            make_cookies(n, payload);
    }
    log_err("network child: the NTS-KE channel is gone (%s): NTS-KE unavailable",
            len == 0 ? "closed" : err);
    chan_close(&n->nts.ch);
}

/* What happened to a ready source since the last turn: unauthentic replies, an NTS NAK, the
 * last cookie spent. */
static void check_source(struct net *n, int slot, double now)
{
    struct net_nts_source *s = &n->nts.src[slot];
    struct client *c = &n->clients[slot];

    if (s->client.unauth != s->unauth_logged) {
        log_warning("source %s: %u NTS reply(ies) not authentic, dropped (%s)", name_of(n, slot),
                    s->client.unauth - s->unauth_logged, s->client.why);
        s->unauth_logged = s->client.unauth;
    }
    if (s->state != MSG_NTS_READY || nts_client_ready(&s->client))
        return;
    if (s->client.nak) {
        s->naks++;
        s->client.nak = false;
        log_warning("source %s: NTS NAK: the server does not accept our cookies (stale); "
                    "running NTS-KE again",
                    name_of(n, slot));
    } else {
        log_info("source %s: no NTS cookie left: running NTS-KE again", name_of(n, slot));
    }
    c->next_poll = now + NET_NTS_HOLD_S;
    request_ke(n, slot, now);
}

void net_nts_dispatch(struct net *n, double now)
{
    if (chan_is_open(&n->nts.ch))
        read_ntske(n, now);
    for (int slot = 0; slot < MSG_NTP_SLOTS; slot++) {
        struct net_nts_source *s = &n->nts.src[slot];

        if (!s->active || !n->clients[slot].in_use)
            continue;
        check_source(n, slot, now);
        if (!s->ke_in_flight && s->ke_retry_at > 0 && now >= s->ke_retry_at)
            request_ke(n, slot, now);
    }
}

int net_nts_fd(const struct net *n)
{
    return chan_poll_fd(&n->nts.ch);
}

bool net_nts_ready(const struct net *n)
{
    return chan_ready(&n->nts.ch);
}

double net_nts_timeout(const struct net *n, double now)
{
    double t = INFINITY;

    for (int slot = 0; slot < MSG_NTP_SLOTS; slot++) {
        const struct net_nts_source *s = &n->nts.src[slot];

        if (s->active && !s->ke_in_flight && s->ke_retry_at > 0)
            t = fmin(t, fmax(0, s->ke_retry_at - now));
    }
    return t;
}

void net_nts_keys(struct net *n, const struct msg_nts_keys *m)
{
    struct nts_keyring ring;

    memset(&ring, 0, sizeof(ring));
    for (uint32_t i = 0; i < m->count; i++)
        nts_keys_add(&ring, m->keys[i].id, m->keys[i].key, m->keys[i].created);
    nts_cookie_jar_set(&n->nts.jar, &ring);
    memset(&ring, 0, sizeof(ring));
    n->nts.have_keys = m->count > 0;
    if (n->server != NULL)
        server_set_nts_keys(n->server, &n->nts.jar);
    server_workers_publish_nts(&n->nts.jar);
}

void net_nts_fill_snapshot(const struct net *n, struct msg_snapshot *snap, double now)
{
    for (int i = 0; i < MSG_MAX_SOURCES; i++) {
        struct msg_source_state *st = &snap->sources[i];
        const struct net_nts_source *s;

        if (!st->in_use || st->slot >= MSG_NTP_SLOTS || !n->nts.src[st->slot].active)
            continue;
        s = &n->nts.src[st->slot];
        st->nts_state = s->state;
        st->nts_cookies = (uint8_t)s->client.count;
        st->nts_ke_status = s->last_status;
        st->nts_ke_ok = s->ke_ok;
        st->nts_ke_failures = s->ke_failures;
        st->nts_naks = s->naks;
        st->nts_ke_age_s = s->ke_last_ok >= 0 ? now - s->ke_last_ok : -1;
    }
    snap->server.ntske_sessions = n->nts.ke_sessions;
}
