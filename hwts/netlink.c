// SPDX-License-Identifier: ISC
// Link and address tracking with a libnl-route cache manager (see netlink.h).

#include "config.h"

#include "hwts/netlink.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 // carrier (linux/if.h, not in glibc's net/if.h)
#endif

struct nl_watch {
    struct nl_cache_mngr *mngr;
    struct nl_cache *links; // owned by mngr
    struct nl_cache *addrs; // owned by mngr
    nl_watch_cb cb;
    void *arg;
};

const char *nl_watch_kind_name(enum nl_watch_kind kind)
{
    switch (kind) {
    case NL_WATCH_LINK_NEW:
        return "link-new";
    case NL_WATCH_LINK_CHANGED:
        return "link-changed";
    case NL_WATCH_LINK_UP:
        return "link-up";
    case NL_WATCH_LINK_DOWN:
        return "link-down";
    case NL_WATCH_LINK_GONE:
        return "link-gone";
    case NL_WATCH_ADDR_ADDED:
        return "addr-added";
    case NL_WATCH_ADDR_REMOVED:
        return "addr-removed";
    }
    return "?";
}

// ---- links ----

static bool link_usable(struct rtnl_link *link)
{
    unsigned int flags = rtnl_link_get_flags(link);
    return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static void emit_link(struct nl_watch *w, enum nl_watch_kind kind, struct rtnl_link *link)
{
    struct nl_watch_event ev = {.kind = kind};
    const char *name = rtnl_link_get_name(link);
    ev.if_index = rtnl_link_get_ifindex(link);
    ev.if_flags = rtnl_link_get_flags(link);
    if (name)
        strncpy(ev.if_name, name, sizeof(ev.if_name) - 1);
    w->cb(&ev, w->arg);
}

// True if the name, the MTU or a flag outside `ignored_flags` differs.
static bool link_details_changed(struct rtnl_link *old, struct rtnl_link *new,
                                 unsigned int ignored_flags)
{
    const char *old_name = rtnl_link_get_name(old), *new_name = rtnl_link_get_name(new);
    if ((old_name == NULL) != (new_name == NULL) ||
        (old_name && new_name && strcmp(old_name, new_name) != 0))
        return true;
    if (rtnl_link_get_mtu(old) != rtnl_link_get_mtu(new))
        return true;
    return (rtnl_link_get_flags(old) & ~ignored_flags) !=
           (rtnl_link_get_flags(new) & ~ignored_flags);
}

// A change of usability is reported as UP or DOWN; anything else the daemon may care about
// (renamed, new MTU, set administratively up while it has no carrier yet) as CHANGED. Carrier
// flags alone without a change of usability are not reported.
static void link_changed(struct nl_watch *w, struct rtnl_link *old, struct rtnl_link *new)
{
    bool usable_changed = link_usable(old) != link_usable(new);
    unsigned int ignored = IFF_RUNNING | IFF_LOWER_UP | (usable_changed ? IFF_UP : 0);
    if (link_details_changed(old, new, ignored))
        emit_link(w, NL_WATCH_LINK_CHANGED, new);
    if (usable_changed)
        emit_link(w, link_usable(new) ? NL_WATCH_LINK_UP : NL_WATCH_LINK_DOWN, new);
}

static void on_link(struct nl_cache *cache, struct nl_object *old_obj, struct nl_object *new_obj,
                    uint64_t diff, int action, void *arg)
{
    struct nl_watch *w = arg;
    struct rtnl_link *old = (struct rtnl_link *)old_obj, *new = (struct rtnl_link *)new_obj;
    // RTM_NEWLINK with AF_INET6 (IPv6 per-link state) makes a second object per interface in
    // the cache: only the generic (AF_UNSPEC) one describes the link.
    struct rtnl_link *any = new ? new : old;
    if (!any || rtnl_link_get_family(any) != AF_UNSPEC)
        return;
    if (action == NL_ACT_NEW && new) {
        emit_link(w, NL_WATCH_LINK_NEW, new);
        if (link_usable(new))
            emit_link(w, NL_WATCH_LINK_UP, new);
    } else if (action == NL_ACT_DEL && (old || new)) {
        emit_link(w, NL_WATCH_LINK_GONE, old ? old : new);
    } else if (action == NL_ACT_CHANGE && old && new) {
        link_changed(w, old, new);
    }
}

// ---- addresses ----

static bool addr_usable(struct rtnl_addr *addr)
{
    return !(rtnl_addr_get_flags(addr) & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

static void emit_addr(struct nl_watch *w, enum nl_watch_kind kind, struct rtnl_addr *addr)
{
    struct nl_watch_event ev = {.kind = kind};
    struct nl_addr *local = rtnl_addr_get_local(addr);
    ev.if_index = rtnl_addr_get_ifindex(addr);
    struct rtnl_link *link = rtnl_link_get(w->links, ev.if_index);
    ev.family = rtnl_addr_get_family(addr);
    ev.prefix_len = rtnl_addr_get_prefixlen(addr);
    if (link) {
        const char *name = rtnl_link_get_name(link);
        if (name)
            strncpy(ev.if_name, name, sizeof(ev.if_name) - 1);
        rtnl_link_put(link);
    }
    if (local && nl_addr_get_len(local) <= sizeof(ev.addr))
        memcpy(&ev.addr, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
    w->cb(&ev, w->arg);
}

static void on_addr(struct nl_cache *cache, struct nl_object *old_obj, struct nl_object *new_obj,
                    uint64_t diff, int action, void *arg)
{
    struct nl_watch *w = arg;
    struct rtnl_addr *old = (struct rtnl_addr *)old_obj, *new = (struct rtnl_addr *)new_obj;
    if (action == NL_ACT_NEW && new) {
        if (addr_usable(new))
            emit_addr(w, NL_WATCH_ADDR_ADDED, new);
    } else if (action == NL_ACT_DEL && (old || new)) {
        struct rtnl_addr *gone = old ? old : new;
        if (addr_usable(gone))
            emit_addr(w, NL_WATCH_ADDR_REMOVED, gone);
    } else if (action == NL_ACT_CHANGE && old && new &&addr_usable(old) != addr_usable(new)) {
        emit_addr(w, addr_usable(new) ? NL_WATCH_ADDR_ADDED : NL_WATCH_ADDR_REMOVED, new);
    }
}

// ---- the watch ----

static int errno_from_nl(int nl_err)
{
    switch (-nl_err) {
    case NLE_NOMEM:
        return -ENOBUFS; // also how libnl reports a receive buffer overrun
    case NLE_PERM:
        return -EPERM;
    case NLE_AF_NOSUPPORT:
    case NLE_PROTO_MISMATCH:
        return -EAFNOSUPPORT;
    default:
        return -EIO;
    }
}

// Allocates the cache named `kind` ("route/link", "route/addr") and hands it to the manager,
// which subscribes to its multicast groups and fills it.
static int add_cache(struct nl_watch *w, const char *kind, change_func_v2_t cb,
                     struct nl_cache **cache)
{
    int err = nl_cache_alloc_name(kind, cache);
    if (err < 0)
        return errno_from_nl(err);
    err = nl_cache_mngr_add_cache_v2(w->mngr, *cache, cb, w);
    if (err < 0) {
        nl_cache_free(*cache);
        *cache = NULL;
        return errno_from_nl(err);
    }
    return 0;
}

struct nl_watch *nl_watch_open(nl_watch_cb cb, void *arg, int *err)
{
    struct nl_watch *w = calloc(1, sizeof(*w));
    if (!w) {
        *err = -ENOMEM;
        return NULL;
    }
    w->cb = cb;
    w->arg = arg;
    int nl_err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &w->mngr);
    if (nl_err < 0) {
        *err = errno_from_nl(nl_err);
        free(w);
        return NULL;
    }
    *err = add_cache(w, "route/link", on_link, &w->links);
    if (*err == 0)
        *err = add_cache(w, "route/addr", on_addr, &w->addrs);
    if (*err) {
        nl_watch_close(w);
        return NULL;
    }
    return w;
}

int nl_watch_fd(const struct nl_watch *watch)
{
    return nl_cache_mngr_get_fd(watch->mngr);
}

int nl_watch_process(struct nl_watch *watch)
{
    int n = nl_cache_mngr_data_ready(watch->mngr);
    return n < 0 ? errno_from_nl(n) : 0;
}

static void replay_link(struct nl_object *obj, void *arg)
{
    on_link(NULL, NULL, obj, 0, NL_ACT_NEW, arg);
}

static void replay_addr(struct nl_object *obj, void *arg)
{
    on_addr(NULL, NULL, obj, 0, NL_ACT_NEW, arg);
}

void nl_watch_replay(struct nl_watch *watch)
{
    nl_cache_foreach(watch->links, replay_link, watch);
    nl_cache_foreach(watch->addrs, replay_addr, watch);
}

struct nl_watch *nl_watch_open_detached(nl_watch_cb cb, void *arg, int *err)
{
    struct nl_watch *w = calloc(1, sizeof(*w));
    int nl_err = NLE_NOMEM;
    if (w && (nl_err = nl_cache_alloc_name("route/link", &w->links)) == 0 &&
        (nl_err = nl_cache_alloc_name("route/addr", &w->addrs)) == 0) {
        w->cb = cb;
        w->arg = arg;
        *err = 0;
        return w;
    }
    *err = errno_from_nl(nl_err);
    nl_watch_close(w);
    return NULL;
}

// One object parsed from a fed message goes into its cache, as the manager would put it.
static void feed_object(struct nl_object *obj, void *arg)
{
    struct nl_watch *w = arg;
    const char *type = nl_object_get_type(obj);
    if (type && strcmp(type, "route/link") == 0)
        nl_cache_include_v2(w->links, obj, on_link, w);
    else if (type && strcmp(type, "route/addr") == 0)
        nl_cache_include_v2(w->addrs, obj, on_addr, w);
}

int nl_watch_feed(struct nl_watch *watch, struct nlmsghdr *msg)
{
    struct nl_msg *m = nlmsg_convert(msg);
    if (!m)
        return -ENOMEM;
    int rc = nl_msg_parse(m, feed_object, watch);
    nlmsg_free(m);
    return rc < 0 ? -EINVAL : 0;
}

void nl_watch_close(struct nl_watch *watch)
{
    if (!watch)
        return;
    if (watch->mngr) {
        nl_cache_mngr_free(watch->mngr); // frees the caches it manages
    } else {
        nl_cache_free(watch->links);
        nl_cache_free(watch->addrs);
    }
    free(watch);
}
