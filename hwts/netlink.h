// SPDX-License-Identifier: ISC
// Link and address tracking (libnl-route cache manager on a NETLINK_ROUTE socket subscribed to
// RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR), so the daemon can re-enable
// hardware timestamping and rebind sockets when interfaces appear, change or come back up.
//
// Needs no privilege (the network namespace of the caller is watched). Usage: put
// nl_watch_fd() in the poll() set with POLLIN and call nl_watch_process() when it is readable;
// the callback runs from inside nl_watch_process(), once per event, and must not close the
// watch. Interfaces and addresses that exist when the watch opens produce no event; call
// nl_watch_replay() to get them as NEW/UP/ADDED events.

#ifndef TSYNC_HWTS_NETLINK_H
#define TSYNC_HWTS_NETLINK_H

#include <linux/netlink.h>

#include <net/if.h>
#include <netinet/in.h>

enum nl_watch_kind {
    NL_WATCH_LINK_NEW,     // an interface appeared
    NL_WATCH_LINK_CHANGED, // its name, MTU or flags (other than up/running) changed
    NL_WATCH_LINK_UP,      // it became usable: IFF_UP and IFF_RUNNING (carrier) both set
    NL_WATCH_LINK_DOWN,    // it stopped being usable
    NL_WATCH_LINK_GONE,    // it was deleted
    NL_WATCH_ADDR_ADDED,   // an address became usable (added, IPv6 duplicate detection done)
    NL_WATCH_ADDR_REMOVED, // a usable address was removed or became unusable
};

struct nl_watch_event {
    enum nl_watch_kind kind;
    int if_index;              // interface index
    char if_name[IF_NAMESIZE]; // interface name ("" if unknown for an address event)
    unsigned int if_flags;     // IFF_* after the change (link events), else 0
    int family;                // AF_INET or AF_INET6 (address events), else 0
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } addr;         // the local address (address events)
    int prefix_len; // its prefix length in bits (address events)
};

typedef void (*nl_watch_cb)(const struct nl_watch_event *event, void *arg);

struct nl_watch;

// The name of an event kind ("link-new", "addr-added", ...), for logs.
const char *nl_watch_kind_name(enum nl_watch_kind kind);

// Subscribes to link and address changes of the current network namespace and loads the
// current state. `cb` receives every later event with `arg`. Returns NULL with *err = -errno.
struct nl_watch *nl_watch_open(nl_watch_cb cb, void *arg, int *err);

// The descriptor to poll for POLLIN (non-blocking).
int nl_watch_fd(const struct nl_watch *watch);

// Reads every pending notification and calls the callback for each event. Returns 0, or -errno
// when the socket failed; after -ENOBUFS (notifications were lost) the state may be stale: close
// the watch, open a new one and replay.
int nl_watch_process(struct nl_watch *watch);

// Calls the callback for the current state: LINK_NEW for every interface (followed by LINK_UP
// when it is usable) and ADDR_ADDED for every usable address.
void nl_watch_replay(struct nl_watch *watch);

// Unsubscribes and frees. NULL is ignored.
void nl_watch_close(struct nl_watch *watch);

// For tests and fuzzing: a watch with empty caches and no socket, and one netlink message
// (RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR...) handed to it as the kernel would send
// it: parsed by libnl, put into its cache, the callback called for what changed. msg->nlmsg_len
// must be the message's length (the kernel's guarantee). Returns 0, or -errno.
struct nl_watch *nl_watch_open_detached(nl_watch_cb cb, void *arg, int *err);
int nl_watch_feed(struct nl_watch *watch, struct nlmsghdr *msg);

#endif
