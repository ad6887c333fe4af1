// SPDX-License-Identifier: ISC
/*
 * Hostile behaviours of the network child for tests (TSYNCD_TEST_HOOKS=1): SIGUSR2 plays the
 * one TSYNCD_TEST_HOSTILE names, as a compromised child would, bypassing the child's own log
 * limits (raw messages):
 *   flood  10 s of MSG_LOG lines, as fast as the channel takes them
 *   churn  10 s of SOURCE_REMOVE + SOURCE_ADD of slot 0 (with `logconfig =allall` the parent
 *          logs a demobilize and a mobilize line for each pair)
 *   forge  one MSG_LOG line that looks like the parent's "clock_step", and the same text
 *          written straight to every descriptor that is not a socket (the log file, if the
 *          child still held it)
 * (unset or "malformed": malformed messages, net.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/net/net_int.h"

#define HOSTILE_DURATION_S 10.0
#define HOSTILE_BURST      2000 /* messages per loop turn at most */

#define FORGED_LINE "0.0.0.0 c61c 0c clock_step +1000.000000 s"

static int send_log(struct net *n, const char *text)
{
    struct msg_log m = {.level = LOG_NOTICE, .cls = LOG_CLASS_CLOCK};

    msg_copy_str(m.text, sizeof(m.text), text);
    return chan_send(&n->fds.parent, MSG_LOG, &n->tx_seq, &m, sizeof(m));
}

/* The forged line to every descriptor but the sockets (the channels would only get the child
 * killed for a malformed message). */
static void forge(struct net *n)
{
    static const char raw[] = "FORGED-RAW " FORGED_LINE "\n";

    send_log(n, FORGED_LINE);
    for (int fd = 0; fd < 1024; fd++) {
        struct stat st;

        if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode) && write(fd, raw, sizeof(raw) - 1) > 0)
            log_notice("test hook: forged line written to descriptor %d", fd);
    }
}

static int churn_once(struct net *n)
{
    const struct client *c = &n->clients[0];
    struct msg_source_ref ref = {.slot = 0};
    struct msg_source_add add = {.slot = 0, .kind = c->kind, .cfg_index = c->cfg_index};

    add.family = (uint32_t)c->addr.ss_family;
    add.port = 123;
    msg_copy_str(add.name, sizeof(add.name), "churn");
    if (chan_send(&n->fds.parent, MSG_SOURCE_REMOVE, &n->tx_seq, &ref, sizeof(ref)) < 0)
        return -1;
    return chan_send(&n->fds.parent, MSG_SOURCE_ADD, &n->tx_seq, &add, sizeof(add));
}

void net_hostile_start(struct net *n, const char *kind, double now)
{
    log_notice("test hook: hostile behaviour \"%s\"", kind);
    if (strcmp(kind, "forge") == 0) {
        forge(n);
    } else if (strcmp(kind, "flood") == 0 || (strcmp(kind, "churn") == 0 && n->clients[0].in_use)) {
        n->hostile = kind[0];
        n->hostile_until = now + HOSTILE_DURATION_S;
    }
}

bool net_hostile_run(struct net *n, double now)
{
    char text[64];

    if (n->hostile == 0 || now >= n->hostile_until) {
        n->hostile = 0;
        return false;
    }
    for (int i = 0; i < HOSTILE_BURST; i++) {
        snprintf(text, sizeof(text), "flood line %u", n->hostile_lines++);
        if ((n->hostile == 'f' ? send_log(n, text) : churn_once(n)) < 0)
            break; /* the channel is full: the parent reads at its own pace */
    }
    return true;
}
