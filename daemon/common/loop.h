// SPDX-License-Identifier: ISC
/*
 * The one event loop (prefix loop_): poll() over the file descriptors of one or more roles.
 *
 * A role is a process role's event handling (parent, network child, resolver, signals). In
 * the normal daemon each process runs a loop with its own roles; --single-process runs every
 * role in one loop. Plain poll() (no epoll, no ppoll) so LD_PRELOAD-based clock and network
 * simulators can drive it.
 */
#ifndef TSYNC_DAEMON_LOOP_H
#define TSYNC_DAEMON_LOOP_H

#include <poll.h>
#include <stdbool.h>

#define LOOP_MAX_FDS 128 /* pollfds of all roles together */

struct loop_role {
    const char *name;
    /* Fill up to max pollfds; lower *timeout_s (seconds from now) if a timer is due earlier.
     * Returns the number of pollfds used. */
    int (*prepare)(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s);
    /* Handle the pollfds prepare() returned (same order, revents set) and due timers. */
    void (*dispatch)(void *ctx, const struct pollfd *fds, int n, double now);
    void *ctx;
};

/* CLOCK_MONOTONIC in seconds: the `now` of every role and of the discipline. */
double loop_now(void);

/* Run until *stop becomes true (set by a role). Returns 0, or -1 if poll() fails. */
int loop_run(struct loop_role *roles, int nroles, const bool *stop);

#endif
