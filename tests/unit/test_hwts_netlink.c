// SPDX-License-Identifier: ISC
// hwts/netlink: real link and address events in a private network namespace (a forked child
// unshares CLONE_NEWNET; needs root, skipped otherwise): loopback up, a veth pair created, set
// up, given and stripped of an address, its MTU changed, set down and deleted.

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "hwts/netlink.h"

#define EXIT_SKIP  77
#define MAX_EVENTS 128

struct recorder {
    struct nl_watch_event events[MAX_EVENTS];
    int n;
};

static void record(const struct nl_watch_event *event, void *arg)
{
    struct recorder *r = arg;
    if (r->n < MAX_EVENTS)
        r->events[r->n++] = *event;
}

// Index of the first event at or after `from` of `kind` on interface `name` (and, unless
// `family` is 0, of that address family), or -1.
static int find_event(const struct recorder *r, int from, enum nl_watch_kind kind, const char *name,
                      int family)
{
    for (int i = from; i < r->n; i++)
        if (r->events[i].kind == kind && strcmp(r->events[i].if_name, name) == 0 &&
            (family == 0 || r->events[i].family == family))
            return i;
    return -1;
}

// Processes notifications until such an event appears (at most 3 s).
static int wait_event(struct nl_watch *w, struct recorder *r, int from, enum nl_watch_kind kind,
                      const char *name, int family)
{
    for (int tries = 0; tries < 30; tries++) {
        int i = find_event(r, from, kind, name, family);
        if (i >= 0)
            return i;
        struct pollfd pfd = {.fd = nl_watch_fd(w), .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0 && nl_watch_process(w) != 0)
            return -1;
    }
    return find_event(r, from, kind, name, family);
}

static void dump_events(const struct recorder *r)
{
    for (int i = 0; i < r->n; i++)
        fprintf(stderr, "  event %d: %s %s (index %d)\n", i, nl_watch_kind_name(r->events[i].kind),
                r->events[i].if_name, r->events[i].if_index);
}

// ---- actions, through a separate libnl socket ----

static int link_change(struct nl_sock *sk, const char *name, int up, int mtu)
{
    struct rtnl_link *orig, *change = rtnl_link_alloc();
    if (rtnl_link_get_kernel(sk, 0, name, &orig) < 0)
        return -1;
    if (up > 0)
        rtnl_link_set_flags(change, IFF_UP);
    else if (up == 0)
        rtnl_link_unset_flags(change, IFF_UP);
    if (mtu > 0)
        rtnl_link_set_mtu(change, (unsigned int)mtu);
    int err = rtnl_link_change(sk, orig, change, 0);
    rtnl_link_put(orig);
    rtnl_link_put(change);
    return err;
}

static int link_delete(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *link = rtnl_link_alloc();
    rtnl_link_set_name(link, name);
    int err = rtnl_link_delete(sk, link);
    rtnl_link_put(link);
    return err;
}

// Adds (add = 1) or deletes (add = 0) address `cidr` on interface `name`.
static int addr_change(struct nl_sock *sk, const char *name, const char *cidr, int add)
{
    struct rtnl_addr *addr = rtnl_addr_alloc();
    struct nl_addr *local;
    int index = (int)if_nametoindex(name);
    if (index == 0 || nl_addr_parse(cidr, AF_INET, &local) < 0)
        return -1;
    rtnl_addr_set_ifindex(addr, index);
    rtnl_addr_set_local(addr, local);
    int err = add ? rtnl_addr_add(sk, addr, 0) : rtnl_addr_delete(sk, addr, 0);
    nl_addr_put(local);
    rtnl_addr_put(addr);
    return err;
}

// ---- the scenario, run in the child; returns the failed step or 0 ----

// A step: run `action` (0 on success), then wait for `kind` on `name` (address `family`).
#define STEP(step_no, action, kind, name, family)                                                  \
    do {                                                                                           \
        mark = seen.n;                                                                             \
        if ((action) < 0)                                                                          \
            return step_no;                                                                        \
        EXPECT(step_no, kind, name, family);                                                       \
    } while (0)

// Another event caused by the last step's action, in any order after its mark.
#define EXPECT(step_no, kind, name, family)                                                        \
    do {                                                                                           \
        if ((last = wait_event(w, &seen, mark, kind, name, family)) < 0) {                         \
            fprintf(stderr, "step %d: no %s for %s\n", step_no, nl_watch_kind_name(kind), name);   \
            dump_events(&seen);                                                                    \
            return step_no;                                                                        \
        }                                                                                          \
    } while (0)

static int check_address_event(const struct nl_watch_event *ev)
{
    struct in_addr expected;
    inet_pton(AF_INET, "10.77.0.1", &expected);
    if (ev->prefix_len != 24 || ev->addr.v4.s_addr != expected.s_addr ||
        ev->if_index != (int)if_nametoindex("tv0")) {
        fprintf(stderr, "address event: prefix %d index %d\n", ev->prefix_len, ev->if_index);
        return -1;
    }
    return 0;
}

static bool has_ipv6(void)
{
    return access("/proc/sys/net/ipv6", F_OK) == 0;
}

static struct recorder seen; // events of the scenario

// Links: lo up; a veth pair created, tv1 set up without carrier, tv0 set up (both usable),
// tv0's MTU changed, tv1 set down (both unusable), tv0 deleted (both gone).
static int link_scenario(struct nl_watch *w, struct nl_sock *sk)
{
    int mark, last = 0;
    STEP(1, link_change(sk, "lo", 1, -1), NL_WATCH_LINK_UP, "lo", 0);
    STEP(2, rtnl_link_veth_add(sk, "tv0", "tv1", getpid()), NL_WATCH_LINK_NEW, "tv0", 0);
    EXPECT(3, NL_WATCH_LINK_NEW, "tv1", 0);
    STEP(4, link_change(sk, "tv1", 1, -1), NL_WATCH_LINK_CHANGED, "tv1", 0);
    if (find_event(&seen, 0, NL_WATCH_LINK_UP, "tv0", 0) >= 0 || // tv0 is still down
        find_event(&seen, 0, NL_WATCH_LINK_UP, "tv1", 0) >= 0)   // tv1 has no carrier yet
        return 5;
    STEP(6, link_change(sk, "tv0", 1, -1), NL_WATCH_LINK_UP, "tv0", 0);
    EXPECT(7, NL_WATCH_LINK_UP, "tv1", 0);
    // The IPv6 link-local address exists now but is tentative for about a second (DAD).
    if (has_ipv6() && find_event(&seen, 0, NL_WATCH_ADDR_ADDED, "tv0", AF_INET6) >= 0)
        return 8;
    return 0;
}

// Addresses on tv0 (up): IPv4 added and removed; the IPv6 link-local address reported only once
// duplicate address detection is over.
static int addr_scenario(struct nl_watch *w, struct nl_sock *sk)
{
    int mark, last = 0;
    STEP(10, addr_change(sk, "tv0", "10.77.0.1/24", 1), NL_WATCH_ADDR_ADDED, "tv0", AF_INET);
    if (check_address_event(&seen.events[last]) < 0)
        return 11;
    STEP(12, addr_change(sk, "tv0", "10.77.0.1/24", 0), NL_WATCH_ADDR_REMOVED, "tv0", AF_INET);
    if (check_address_event(&seen.events[last]) < 0)
        return 13;
    if (has_ipv6()) {
        mark = 0; // whenever DAD finished
        EXPECT(14, NL_WATCH_ADDR_ADDED, "tv0", AF_INET6);
        if (seen.events[last].prefix_len != 64 || seen.events[last].addr.v6.s6_addr[0] != 0xfe)
            return 15;
    }
    return 0;
}

static int teardown_scenario(struct nl_watch *w, struct nl_sock *sk)
{
    int mark, last = 0;
    STEP(20, link_change(sk, "tv0", -1, 1400), NL_WATCH_LINK_CHANGED, "tv0", 0);
    if (find_event(&seen, mark, NL_WATCH_LINK_DOWN, "tv0", 0) >= 0) // an MTU change is not down
        return 21;
    STEP(22, link_change(sk, "tv1", 0, -1), NL_WATCH_LINK_DOWN, "tv1", 0);
    EXPECT(23, NL_WATCH_LINK_DOWN, "tv0", 0); // carrier lost
    STEP(24, link_delete(sk, "tv0"), NL_WATCH_LINK_GONE, "tv0", 0);
    EXPECT(25, NL_WATCH_LINK_GONE, "tv1", 0);
    (void)last;
    return 0;
}

// A fresh watch replays the current state: lo (up) with 127.0.0.1.
static int check_replay(void)
{
    struct recorder replayed = {.n = 0};
    int err;
    struct nl_watch *w = nl_watch_open(record, &replayed, &err);
    if (!w)
        return 30;
    if (replayed.n != 0) // opening reports nothing by itself
        return 31;
    nl_watch_replay(w);
    int lo = find_event(&replayed, 0, NL_WATCH_LINK_NEW, "lo", 0);
    int ok = lo >= 0 && replayed.events[lo].if_index == 1 &&
             find_event(&replayed, 0, NL_WATCH_LINK_UP, "lo", 0) >= 0 &&
             find_event(&replayed, 0, NL_WATCH_ADDR_ADDED, "lo", AF_INET) >= 0 &&
             find_event(&replayed, 0, NL_WATCH_LINK_NEW, "tv0", 0) < 0;
    nl_watch_close(w);
    return ok ? 0 : 32;
}

static int child_main(void)
{
    int err;
    if (unshare(CLONE_NEWNET) < 0)
        return errno == EPERM ? EXIT_SKIP : 40;
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
        return 41;
    struct nl_watch *w = nl_watch_open(record, &seen, &err);
    if (!w) {
        fprintf(stderr, "nl_watch_open: %s\n", strerror(-err));
        return 42;
    }
    int step = link_scenario(w, sk);
    if (step == 0)
        step = addr_scenario(w, sk);
    if (step == 0)
        step = teardown_scenario(w, sk);
    nl_watch_close(w);
    if (step == 0)
        step = check_replay();
    nl_socket_free(sk);
    return step;
}

static void test_events_in_private_netns(void **state)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_main());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == EXIT_SKIP) {
        print_message("no permission to create a network namespace: skipped\n");
        skip();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_open_and_fd(void **state)
{
    struct recorder rec = {.n = 0};
    int err = 0;
    struct nl_watch *w = nl_watch_open(record, &rec, &err);
    assert_non_null(w);
    assert_true(nl_watch_fd(w) >= 0);
    assert_int_equal(nl_watch_process(w), 0); // nothing pending: returns at once
    nl_watch_replay(w);
    assert_true(find_event(&rec, 0, NL_WATCH_LINK_NEW, "lo", 0) >= 0);
    nl_watch_close(w);
    nl_watch_close(NULL);
    assert_string_equal(nl_watch_kind_name(NL_WATCH_ADDR_REMOVED), "addr-removed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_fd),
        cmocka_unit_test(test_events_in_private_netns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
