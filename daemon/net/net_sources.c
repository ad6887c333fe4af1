// SPDX-License-Identifier: ISC
/* The network child's sources: configuration lines -> addresses -> client associations. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/common/log.h"
#include "daemon/net/net_int.h"
#include "daemon/resolver/resolver.h"

#define NET_RETRY_MIN_S     2.0 /* first retry of a failed resolution */
#define NET_RETRY_MAX_S     600.0
#define NET_POOL_REFRESH_S  3600.0 /* pools are resolved again this often */
#define NET_POOL_DEAD_POLLS 8      /* a pool member silent this long is replaced */

static void retry_later(struct net *n, size_t i, const char *why, double now);

static int free_slot(const struct net *n)
{
    int i;

    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        if (!n->clients[i].in_use)
            return i;
    }
    return -1;
}

static int members(const struct net *n, size_t cfg_index)
{
    int i, k = 0;

    for (i = 0; i < MSG_NTP_SLOTS; i++)
        k += n->clients[i].in_use && n->clients[i].cfg_index == cfg_index;
    return k;
}

static bool same_addr(const struct client *c, const struct msg_addr *a)
{
    if (c->addr.ss_family != a->family)
        return false;
    if (a->family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)&c->addr)->sin_addr, a->addr, 4) == 0;
    return memcmp(&((const struct sockaddr_in6 *)&c->addr)->sin6_addr, a->addr, 16) == 0;
}

static bool known_addr(const struct net *n, size_t cfg_index, const struct msg_addr *a)
{
    int i;

    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        if (n->clients[i].in_use && n->clients[i].cfg_index == cfg_index &&
            same_addr(&n->clients[i], a))
            return true;
    }
    return false;
}

static socklen_t make_sockaddr(const struct msg_addr *a, unsigned port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (a->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        memcpy(&sin->sin_addr, a->addr, 4);
        return sizeof(*sin);
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    memcpy(&sin6->sin6_addr, a->addr, 16);
    return sizeof(*sin6);
}

int net_sources_notrust(struct net *n)
{
    for (size_t i = 0; i < n->cfg->n_restricts; i++)
        n->have_notrust = n->have_notrust || (n->cfg->restricts[i].flags & CFG_RES_NOTRUST);
    if (n->have_notrust && acl_build(&n->notrust, n->cfg) < 0) {
        log_err("network child: out of memory");
        n->have_notrust = false;
        return -1;
    }
    return 0;
}

/* The source's key; NULL for a source without one, or (logged) when it cannot be used: its key
 * is missing (the configuration checks that), or `restrict ... notrust` covers its address and
 * it has neither a key nor NTS (ntpd would drop every reply: tsyncd does not poll it). */
static bool source_key(struct net *n, const struct cfg_source *src, const struct msg_addr *a,
                       const struct auth_key **key)
{
    char text[INET6_ADDRSTRLEN];

    *key = src->key_id != 0 ? auth_keyring_find(&n->cfg->keys, src->key_id) : NULL;
    if (src->key_id != 0 && *key == NULL) {
        log_err("source %s: key %u not loaded: not used", src->name, (unsigned)src->key_id);
        return false;
    }
    if (src->key_id == 0 && !(src->flags & CFG_SRC_NTS) && n->have_notrust &&
        (acl_check(&n->notrust, a->family == AF_INET ? AF_INET : AF_INET6, a->addr) &
         ACL_NOTRUST)) {
        log_err("source %s (%s): restrict ... notrust applies and the source has no key: not used",
                src->name, inet_ntop((int)a->family, a->addr, text, sizeof(text)));
        return false;
    }
    return true;
}

/* Open slot's association for one address and port of configuration line cfg_index, with its
 * key (NULL: none), and tell the parent. */
static int open_source(struct net *n, int slot, size_t cfg_index, const struct msg_addr *a,
                       unsigned port, const struct auth_key *key, double now)
{
    const struct cfg_source *src = &n->cfg->sources[cfg_index];
    struct msg_source_add m;
    struct sockaddr_storage ss;
    socklen_t len = make_sockaddr(a, port, &ss);
    struct client *c = &n->clients[slot];

    c->slot = (uint32_t)slot;
    c->cfg_index = (uint32_t)cfg_index;
    c->cfg = src;
    c->key = key;
    c->kind = src->type == CFG_SOURCE_POOL ? MSG_KIND_POOL : MSG_KIND_SERVER;
    if (client_open(c, &n->pool, (struct sockaddr *)&ss, len, now) < 0) {
        log_warning("cannot open a socket for %s: %m", src->name);
        client_close(c);
        return -1;
    }
    memset(&m, 0, sizeof(m));
    m.slot = (uint32_t)slot;
    m.kind = c->kind;
    m.cfg_index = (uint32_t)cfg_index;
    m.family = a->family;
    memcpy(m.addr, a->addr, sizeof(m.addr));
    m.port = port;
    msg_copy_str(m.name, sizeof(m.name), src->name);
    char keytext[32] = "";
    if (key != NULL)
        snprintf(keytext, sizeof(keytext), ", key %u %s", (unsigned)key->id,
                 auth_type_name(key->type));
    log_info("source %s (%s) added, timestamps: %s%s", src->name,
             inet_ntop((int)a->family, a->addr, (char[INET6_ADDRSTRLEN]){0}, INET6_ADDRSTRLEN),
             ts_mode_name(c->ts_mode), keytext);
    if (net_send(n, MSG_SOURCE_ADD, &m, sizeof(m)) < 0) {
        client_close(c); /* the parent does not know it: no sample may name this slot */
        return -1;
    }
    return 0;
}

/* A new association for one address of configuration line cfg_index (NTS sources run NTS-KE
 * first: daemon/net/net_nts.h). Returns 0, -1 on a failure worth a retry, -2 when the source
 * may never be used (its key). */
static int add_source(struct net *n, size_t cfg_index, const struct msg_addr *a, double now)
{
    const struct cfg_source *src = &n->cfg->sources[cfg_index];
    const struct auth_key *key;
    int slot = free_slot(n);

    if (!source_key(n, src, a, &key))
        return -2;
    if (slot < 0) {
        log_warning("source table full: %s not added", src->name);
        return -1;
    }
    if (open_source(n, slot, cfg_index, a, src->port, key, now) < 0)
        return -1;
    if (src->flags & CFG_SRC_NTS)
        net_nts_attach(n, &n->clients[slot], now);
    return 0;
}

static unsigned port_of(const struct client *c)
{
    return ntohs(c->addr.ss_family == AF_INET ? ((const struct sockaddr_in *)&c->addr)->sin_port
                                              : ((const struct sockaddr_in6 *)&c->addr)->sin6_port);
}

int net_readdress_source(struct net *n, int slot, const struct msg_addr *a, unsigned port,
                         double now)
{
    struct client *c = &n->clients[slot];
    struct msg_source_ref m = {.slot = (uint32_t)slot};
    size_t cfg_index = c->cfg_index;
    const struct auth_key *key = c->key;

    if (same_addr(c, a) && port_of(c) == port)
        return 0;
    client_close(c);
    /* the parent shows and filters what this slot is now: start it again */
    if (net_send(n, MSG_SOURCE_REMOVE, &m, sizeof(m)) < 0) {
        n->stop = true;
        return -1;
    }
    if (open_source(n, slot, cfg_index, a, port, key, now) < 0) {
        net_nts_detach(n, slot);
        retry_later(n, cfg_index, "cannot use the NTPv4 server NTS-KE named", now);
        return -1;
    }
    return 0;
}

void net_remove_source(struct net *n, int slot)
{
    struct msg_source_ref m = {.slot = (uint32_t)slot};

    client_close(&n->clients[slot]);
    net_nts_detach(n, slot);
    /* A lost REMOVE would leave the parent's slot table out of step: start again instead. */
    if (net_send(n, MSG_SOURCE_REMOVE, &m, sizeof(m)) < 0)
        n->stop = true;
}

/* An address literal is used at once; only names go to the resolver. */
static bool numeric_address(const struct cfg_source *src, struct msg_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (src->family != CFG_FAMILY_IPV6 && inet_pton(AF_INET, src->name, a->addr) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (src->family != CFG_FAMILY_IPV4 && inet_pton(AF_INET6, src->name, a->addr) == 1) {
        a->family = AF_INET6;
        return true;
    }
    return false;
}

static void retry_later(struct net *n, size_t i, const char *why, double now)
{
    struct net_name *nm = &n->names[i];

    log_warning("source %s: %s (retry in %.0f s)", n->cfg->sources[i].name, why, nm->retry_s);
    nm->next_try = now + nm->retry_s;
    nm->retry_s = fmin(2 * nm->retry_s, NET_RETRY_MAX_S);
}

/* A configuration line without an association: an address literal is opened at once (and
 * retried with backoff while that fails, e.g. before the network is up), a name goes to the
 * resolver. */
static void request_name(struct net *n, size_t i, double now)
{
    const struct cfg_source *src = &n->cfg->sources[i];
    struct net_name *nm = &n->names[i];
    int family = src->family == CFG_FAMILY_IPV4 ? 4 : src->family == CFG_FAMILY_IPV6 ? 6 : 0;
    struct msg_addr a;

    if (numeric_address(src, &a)) {
        if (add_source(n, i, &a, now) == -1)
            retry_later(n, i, "cannot be used yet", now);
        return;
    }
    if (n->resolver == NULL ||
        resolver_client_request(n->resolver, src->name, family, &nm->request_id) < 0) {
        retry_later(n, i, "resolver unavailable", now);
        return;
    }
    nm->pending = true;
}

void net_open_sockets(struct net *n)
{
    int n4, n6;

    client_pool_size(n->cfg, NET_POOL_ADDRS, &n4, &n6);
    if (client_pool_open(&n->pool, n4, n6,
                         n->fds.hw != NULL && n->fds.hw->n > 0 ? TS_FLAG_HARDWARE : 0) < n4 + n6)
        log_notice("client sockets: %d IPv4 and %d IPv6 wanted, %d and %d opened", n4, n6,
                   n->pool.n[0], n->pool.n[1]);
}

void net_sources_start(struct net *n, double now)
{
    size_t i;

    for (i = 0; i < n->cfg->n_sources; i++) {
        n->names[i].retry_s = NET_RETRY_MIN_S;
        request_name(n, i, now);
    }
}

void net_sources_resolved(struct net *n, const struct msg_resolved *r, double now)
{
    size_t i;
    uint32_t k;

    for (i = 0; i < n->cfg->n_sources; i++) {
        if (n->names[i].pending && n->names[i].request_id == r->id)
            break;
    }
    if (i == n->cfg->n_sources)
        return; /* a reply to a request of a previous child */
    n->names[i].pending = false;
    if (r->error != 0 || r->count == 0) {
        retry_later(n, i, r->error != 0 ? gai_strerror(r->error) : "no address", now);
        return;
    }
    int want = n->cfg->sources[i].type == CFG_SOURCE_POOL ? (int)cfg_pool_members(n->cfg) : 1;
    for (k = 0; k < r->count && members(n, i) < want; k++) {
        if (!known_addr(n, i, &r->addrs[k]))
            add_source(n, i, &r->addrs[k], now);
    }
    n->names[i].next_try =
        n->cfg->sources[i].type == CFG_SOURCE_POOL ? now + NET_POOL_REFRESH_S : 0;
}

/* Retries, pool refreshes, and replacement of dead pool members. */
void net_sources_maintain(struct net *n, double now)
{
    size_t i;
    int s;

    for (s = 0; s < MSG_NTP_SLOTS; s++) {
        struct client *c = &n->clients[s];

        if (c->in_use && c->kind == MSG_KIND_POOL && c->unanswered >= NET_POOL_DEAD_POLLS) {
            log_notice("pool member %u of %s unreachable: replacing it", c->slot, c->cfg->name);
            n->names[c->cfg_index].next_try = now;
            net_remove_source(n, s);
        }
    }
    for (i = 0; i < n->cfg->n_sources; i++) {
        struct net_name *nm = &n->names[i];
        bool wanted = n->cfg->sources[i].type == CFG_SOURCE_POOL || members(n, i) == 0;

        if (!nm->pending && nm->next_try > 0 && now >= nm->next_try && wanted) {
            nm->next_try = 0;
            request_name(n, i, now);
        }
    }
}
