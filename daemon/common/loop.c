// SPDX-License-Identifier: ISC
/* The one event loop: poll() over the roles' file descriptors and timers. */
#include "daemon/common/loop.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "daemon/common/log.h"

/* Longest sleep without a timer, s: roles also do periodic housekeeping. */
#define LOOP_MAX_SLEEP_S 1.0

double loop_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int timeout_ms(double timeout_s)
{
    if (!(timeout_s > 0))
        return 0;
    return (int)ceil(timeout_s * 1000.0);
}

int loop_run(struct loop_role *roles, int nroles, const bool *stop)
{
    struct pollfd fds[LOOP_MAX_FDS];
    int first[nroles > 0 ? nroles : 1], count[nroles > 0 ? nroles : 1];

    while (!*stop) {
        double now = loop_now(), timeout_s = LOOP_MAX_SLEEP_S;
        int n = 0, i, rc;

        for (i = 0; i < nroles; i++) {
            first[i] = n;
            count[i] = roles[i].prepare(roles[i].ctx, fds + n, LOOP_MAX_FDS - n, now, &timeout_s);
            n += count[i];
        }
        rc = poll(fds, (nfds_t)n, timeout_ms(timeout_s));
        if (rc < 0 && errno != EINTR) {
            log_err("poll: %m");
            return -1;
        }
        if (rc < 0) {
            for (i = 0; i < n; i++)
                fds[i].revents = 0;
        }
        now = loop_now();
        for (i = 0; i < nroles && !*stop; i++)
            roles[i].dispatch(roles[i].ctx, fds + first[i], count[i], now);
    }
    return 0;
}
