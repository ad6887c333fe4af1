// SPDX-License-Identifier: ISC
/* Helpers of the sandbox tests: run a function in a forked child and collect what it reports. */
#ifndef TSYNC_TESTS_UNIT_TEST_SANDBOX_UTIL_H
#define TSYNC_TESTS_UNIT_TEST_SANDBOX_UTIL_H

#include "seccomp/sandbox.h"

/* Runs in the child; out_fd goes to the test; the return value is the exit status. */
typedef int (*child_fn)(int out_fd, const void *arg);

struct child_result {
    int status;     /* from waitpid */
    char out[8192]; /* what the child wrote to out_fd */
};

/* Fork, run fn in the child (no core dumps), collect its output and wait for it. */
void run_child(child_fn fn, const void *arg, struct child_result *r);
void assert_exit_ok(const struct child_result *r);
void assert_killed_by_sigsys(const struct child_result *r);
/* sbx_install_seccomp(); on failure the reason goes to out_fd and -1 is returned. */
int install(int out_fd, enum sbx_role role, unsigned flags);
/* sbx_install_seccomp_with(); as install(). */
int install_with(int out_fd, enum sbx_role role, const struct sbx_params *params);
/* A UDP socket bound to 127.0.0.1 (an ephemeral port), or -1. */
int udp_loopback_socket(void);
/* On socket s (udp_loopback_socket): connect to itself, send, poll, receive: 0 or a nonzero
 * step number. */
int udp_round_trip_on(int s);
/* udp_round_trip_on() on a new socket (socket() must be allowed). */
int udp_loopback_round_trip(void);

#endif
