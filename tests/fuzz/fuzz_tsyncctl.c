// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/control/tsyncctl_format.c daemon/control/tsyncctl_json.c
// fuzz-sources: daemon/control/tsyncctl_replies.c
// fuzz-sources: daemon/control/tsyncctl_check.c daemon/control/metrics.c daemon/common/msg.c
// fuzz-sources: daemon/common/ntp_packet.c discipline/clock.c discipline/clock_system.c
// fuzz-sources: discipline/clock_virtual.c discipline/clock_none.c
// fuzz-sources: daemon/common/log.c discipline/disc_status.c
// fuzz-sources: daemon/common/log_limit.c discipline/discipline.c discipline/filter.c
// fuzz-sources: discipline/loop.c discipline/sample.c
// fuzz-sources: daemon/common/msg_nts.c
/*
 * libFuzzer target for tsyncctl's output of arbitrary snapshots: what a hostile process on the
 * control socket could answer. The range check must hold for whatever it accepts, and every
 * text, JSON and metrics layout must cope with any value (NaN, huge times, odd enums) once the
 * strings are terminated: no crash, no undefined behaviour (UBSan), no read past an array.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/control/metrics.h"
#include "daemon/control/tsyncctl_format.h"
#include "daemon/control/tsyncctl_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static void terminate(char *s, size_t len)
{
    s[len - 1] = '\0';
}

static void print_all(const struct msg_snapshot *snap)
{
    ctlfmt_sources(sink, snap, false, false);
    ctlfmt_sources(sink, snap, true, true);
    ctlfmt_sourcestats(sink, snap, false);
    ctlfmt_tracking(sink, snap, false);
    ctlfmt_status(sink, snap, false);
    ctlfmt_serverstats(sink, snap);
    ctlfmt_metrics(sink, snap);
    ctljson_sources(sink, snap);
    ctljson_sourcestats(sink, snap);
    ctljson_tracking(sink, snap);
    ctljson_status(sink, snap);
    ctljson_serverstats(sink, snap);
    ctljson_metrics(sink, snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct msg_snapshot snap;
    char err[160];
    int i;

    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        abort();
    memset(&snap, 0, sizeof(snap));
    memcpy(&snap, data, size < sizeof(snap) ? size : sizeof(snap));
    if (ctlfmt_check_snapshot(&snap, err, sizeof(err)) == 0)
        print_all(&snap); /* what tsyncctl prints after its check */
    terminate(snap.driver, sizeof(snap.driver));
    terminate(snap.reason, sizeof(snap.reason));
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        terminate(snap.sources[i].name, sizeof(snap.sources[i].name));
        terminate(snap.sources[i].addr, sizeof(snap.sources[i].addr));
    }
    print_all(&snap); /* and any numbers at all */
    return 0;
}
