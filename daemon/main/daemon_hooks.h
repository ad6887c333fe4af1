// SPDX-License-Identifier: ISC
/*
 * Test hooks of the sandbox (prefix daemon_hooks_), active only with TSYNCD_TEST_HOOKS=1 in the
 * environment: they let a test prove that each process's seccomp filter kills it for each call
 * it must not make.
 *
 * A process armed with daemon_hooks_arm() makes forbidden call k of the table when it receives
 * signal SIGRTMIN + k; the parent logs the table at start ("test hooks: SIGRTMIN+0 reboot, ...")
 * so that a test finds the signal of a call by its name. The call is made from the signal
 * handler, with arguments that would be harmless if the filter let it through (signal 0, a
 * descriptor that is not a socket, paths that do not exist).
 */
#ifndef TSYNC_DAEMON_HOOKS_H
#define TSYNC_DAEMON_HOOKS_H

#include <stdbool.h>

/* TSYNCD_TEST_HOOKS=1 (read once). */
bool daemon_hooks_enabled(void);

/* Install the SIGRTMIN + k handlers in this process (no-op without the hooks). dirfd: the drift
 * file's directory for the calls aimed at it (the parent's), -1 for the others. */
void daemon_hooks_arm(int dirfd);

/* Log the table of calls (once, by the parent). */
void daemon_hooks_log_table(void);

#endif
