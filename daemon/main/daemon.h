// SPDX-License-Identifier: ISC
/*
 * Process set-up and supervision (prefix daemon_): sockets bound while privileged, the
 * resolver and network children forked and sandboxed, the parent reduced to CAP_SYS_TIME, the
 * network child restarted with backoff when it dies or misbehaves, clean exit on SIGTERM/SIGINT
 * with the drift file written. --single-process runs every role in one process and one loop.
 */
#ifndef TSYNC_DAEMON_DAEMON_H
#define TSYNC_DAEMON_DAEMON_H

#include "daemon/config/cmdline.h"
#include "daemon/config/config.h"

/* Run the daemon; returns the process exit status. */
int daemon_run(struct cfg *cfg, const struct cmd_opts *opts);

#endif
