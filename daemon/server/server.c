// SPDX-License-Identifier: ISC
/* The NTP server: set-up, the batch loop, counters. */
#include "daemon/server/server.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/server/server_int.h"

#define NS_PER_S                1000000000ull
#define SERVER_REPORT_DEFAULT_S 3600
#define SERVER_REPORT_ENV       "TSYNCD_SERVER_REPORT_S"

static uint64_t random_seed(void)
{
    struct timespec ts;
    uint64_t seed = 0;

    if (getentropy(&seed, sizeof(seed)) == 0)
        return seed;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
}

static uint64_t report_interval_ns(void)
{
    const char *v = getenv(SERVER_REPORT_ENV);
    long s = v != NULL ? strtol(v, NULL, 10) : 0;

    return (uint64_t)(s > 0 && s <= 86400 ? s : SERVER_REPORT_DEFAULT_S) * NS_PER_S;
}

struct server *server_create(const struct cfg *cfg)
{
    struct server *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->cfg = cfg;
    s->keys = &cfg->keys;
    if (acl_build(&s->acl, cfg) < 0 ||
        rl_create(&s->clients, RL_DEFAULT_ORDER, random_seed()) < 0) {
        acl_free(&s->acl);
        free(s);
        return NULL;
    }
    if (s->acl.skipped > 0)
        log_warning("server: %zu restrict rule(s) for `source` or a host name are not applied",
                    s->acl.skipped);
    rl_params_from_cfg(&s->limits, &cfg->ratelimit, false);
    rl_params_from_cfg(&s->limits_kod, &cfg->ratelimit, true);
    s->rate_all = cfg->ratelimit.enabled;
    m6_bucket_init(&s->m6_local, SERVER_M6_LOCAL_BURST, SERVER_M6_LOCAL_RATE);
    m6_bucket_init(&s->m6_remote, SERVER_M6_REMOTE_BURST, SERVER_M6_REMOTE_RATE);
    s->report_interval_ns = report_interval_ns();
    for (int i = 0; i < SERVER_MAX_SOCKETS; i++)
        s->sockets[i].fd = -1;
    return s;
}

void server_get_stats(const struct server *s, struct server_stats *out)
{
    *out = s->stats;
    out->clients = s->clients.in_use;
    out->evictions = s->clients.evictions;
}

static void log_stats(const struct server *s)
{
    struct server_stats st;

    server_get_stats(s, &st);
    log_info("server: served %llu, limited %llu (leaked %llu), kod rate %llu, kod deny %llu, "
             "denied %llu, malformed %llu, other modes %llu, send errors %llu, tx stamps %llu, "
             "clients %llu, evictions %llu, authenticated %llu, bad auth %llu, mode 6 answered "
             "%llu, refused %llu, nts %llu, nts naks %llu, nts dropped %llu",
             (unsigned long long)st.served, (unsigned long long)st.limited,
             (unsigned long long)st.leaked, (unsigned long long)st.kod_rate,
             (unsigned long long)st.kod_deny, (unsigned long long)st.denied,
             (unsigned long long)st.malformed, (unsigned long long)st.other_mode,
             (unsigned long long)st.send_errors, (unsigned long long)st.tx_stamps,
             (unsigned long long)st.clients, (unsigned long long)st.evictions,
             (unsigned long long)st.auth_ok, (unsigned long long)st.auth_bad,
             (unsigned long long)st.mode6_answered, (unsigned long long)st.mode6_refused,
             (unsigned long long)st.nts_served, (unsigned long long)st.nts_naks,
             (unsigned long long)st.nts_dropped);
}

void server_destroy(struct server *s)
{
    if (s == NULL)
        return;
    log_stats(s);
    acl_free(&s->acl);
    rl_destroy(&s->clients);
    if (s->nts != NULL)
        memset(s->nts, 0, sizeof(*s->nts));
    free(s->nts);
    free(s);
}

void server_set_nts_keys(struct server *s, const struct nts_cookie_jar *jar)
{
    if (jar != NULL && s->nts == NULL)
        s->nts = malloc(sizeof(*s->nts));
    if (jar != NULL && s->nts != NULL) {
        *s->nts = *jar;
        return;
    }
    free(s->nts);
    s->nts = NULL;
}

void server_set_plain_io(struct server *s, bool plain)
{
    s->plain_io = plain;
}

void server_maintain(struct server *s, uint64_t now_ns)
{
    if (now_ns < s->next_report_ns)
        return;
    s->next_report_ns = now_ns + s->report_interval_ns;
    if (memcmp(&s->stats, &s->reported, sizeof(s->stats)) == 0)
        return;
    s->reported = s->stats;
    log_stats(s);
}

/* Answer the n requests in the slots: queue the replies, then send them together. */
static void answer_batch(struct server *s, struct server_socket *sock, int n,
                         const struct clk_map *map, uint64_t now_ns)
{
    int queued = 0;

    for (int i = 0; i < n; i++) {
        const struct msghdr *mh = &s->rx_msgs[i].msg_hdr;
        bool truncated = (mh->msg_flags & MSG_TRUNC) != 0;
        enum server_answer a;

        if (server_control(s, sock, i, s->rx_msgs[i].msg_len, truncated, map, now_ns))
            continue;
        a = server_answer(s, &s->slots[i], s->rx_msgs[i].msg_len, truncated, now_ns);
        if (a == SERVER_NONE)
            continue;
        s->tx_slot[queued] = (uint32_t)i;
        s->tx_kind[queued] = a;
        queued++;
    }
    if (queued > 0)
        server_send(s, sock, queued, map);
}

void server_handle(struct server *s, int fd, short revents, const struct clk_map *map,
                   const struct msg_snapshot *snap, uint64_t now_ns)
{
    struct server_socket *sock = server_socket_get(s, fd);
    int n;

    if (sock == NULL)
        return;
    if (revents & (POLLERR | POLLPRI))
        server_drain_tx(s, sock, map);
    if (!(revents & POLLIN))
        return;
    server_state_from_snapshot(snap, map, &s->state);
    s->map = map;
    s->snap = snap;
    /* read again after a short batch too: requests that arrived meanwhile are cheaper to take
     * now than after another poll() (measured: about 4 % less CPU per reply at 40-100 k/s) */
    for (int round = 0; round < SERVER_MAX_ROUNDS; round++) {
        n = server_receive(s, sock, map);
        if (n == 0)
            break;
        answer_batch(s, sock, n, map, now_ns);
    }
}
