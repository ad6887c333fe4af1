// SPDX-License-Identifier: ISC
// fuzz-libs: -lnettle
// fuzz-sources: daemon/parent/parent.c daemon/parent/parent_state.c
// fuzz-sources: daemon/parent/parent_snapshot.c daemon/parent/parent_refclock.c
// fuzz-sources: daemon/main/notify.c daemon/common/msg.c daemon/common/chan.c
// fuzz-sources: daemon/common/log.c daemon/common/log_limit.c daemon/common/md5.c
// fuzz-sources: daemon/config/config_parse.c daemon/config/config_values.c
// fuzz-sources: daemon/config/config_sources.c daemon/config/config_access.c
// fuzz-sources: daemon/config/config_directives.c daemon/config/config_print.c
// fuzz-sources: discipline/clock.c discipline/clock_system.c discipline/clock_virtual.c
// fuzz-sources: discipline/clock_none.c discipline/disc_status.c discipline/discipline.c
// fuzz-sources: discipline/disc_update.c discipline/filter.c discipline/loop.c
// fuzz-sources: discipline/sample.c discipline/select.c discipline/driftfile.c
// fuzz-sources: hwts/phc.c hwts/phc_dev.c hwts/phc_regress.c hwts/tsinfo.c hwts/sock.c
// fuzz-sources: daemon/common/auth.c daemon/config/config_keys.c daemon/config/config_observe.c
// fuzz-sources: daemon/config/config_security.c daemon/config/config_stats.c
// fuzz-sources: daemon/parent/parent_events.c daemon/parent/parent_leap.c
// fuzz-sources: daemon/parent/parent_observe.c daemon/parent/parent_stats.c
// fuzz-sources: daemon/common/dirfile.c daemon/common/leapfile.c daemon/common/ntpd_status.c
// fuzz-sources: daemon/parent/clockbound.c daemon/parent/parent_disrupt.c
// fuzz-sources: daemon/parent/stats_format.c daemon/parent/vmclock.c
// fuzz-sources: daemon/common/sha1.c daemon/parent/parent_guard.c discipline/guard.c
// fuzz-sources: tests/lib/child_sim.c
// fuzz-sources: daemon/common/msg_nts.c
// fuzz-sources: daemon/config/config_nts.c
// fuzz-pkgs: libnl-genl-3.0
/*
 * Stateful libFuzzer target for the privileged parent (daemon/parent/parent.c
 * parent_handle_message) with the real discipline, guard and virtual clock driver behind it, on
 * a simulated host (tests/lib/child_sim.h): what a compromised network child can do, as
 * sequences of messages, and what the host can do meanwhile. The first octet: bit 0 = -g.
 * Then records [op, ...]:
 *   op 0: a sample for slot s whose server is off by the record's offset (ms), round trip
 *         delay (ms): the lies a child can tell, taken on the parent's own clock map;
 *   op 1: a message of any child type with a valid header and fuzzed payload;
 *   op 2: raw octets;
 *   op 3: time passes (up to 65 s);
 *   op 4: the child announces slot s for configuration line s;
 *   op 5: the host: `date -s` (up to +-32 s), a suspend (up to 255 s), a migration's counter
 *         jump.
 * A rejected message ends the child: it is detached and a new one attached, as the daemon does.
 * Invariants: nothing crashes; every CLOCK_MAP and SNAPSHOT the parent sends passes the child's
 * own checks (msg_validate); without -g the clock never steps by more than the panic
 * threshold; while the guard holds an anchor, the clock (whose oscillator is exact) stays
 * within the bound of the anchor's trajectory (docs/architecture.md, "The clock guard").
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/log.h"
#include "tests/lib/child_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] = "server 192.0.2.1 iburst minpoll 0 maxpoll 4\n"
                             "server 192.0.2.2 minpoll 0\n"
                             "server 192.0.2.3 minpoll 0\n"
                             "pool pool.example minpoll 0\n"
                             "tinker panic 1000\n";

static struct child_sim sim;

/* The anchor the bound is checked against. */
static struct csim_cone cone;

static int32_t be32(const uint8_t *d)
{
    return (int32_t)((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3]);
}

static void host_event(const uint8_t *d)
{
    switch (d[0] % 3) {
    case 0:
        csim_set_host_clock(&sim, (int8_t)d[1]);
        break;
    case 1:
        csim_suspend(&sim, d[1]);
        break;
    default:
        csim_shift_counter(&sim, (int8_t)d[1] * 0.1);
        break;
    }
}

static size_t one_record(const uint8_t *d, size_t n)
{
    static const uint16_t types[] = {MSG_HELLO,         MSG_SOURCE_ADD,      MSG_SOURCE_REMOVE,
                                     MSG_SOURCE_POLLED, MSG_SOURCE_ANSWERED, MSG_SAMPLE,
                                     MSG_LOG,           MSG_HEARTBEAT,       MSG_SNAPSHOT};
    struct msg_snapshot payload; /* the largest payload */

    switch (d[0] % 6) {
    case 0:
        if (n < 8)
            return n;
        csim_sample(&sim, d[1] % 5, be32(d + 2) * 1e-3, (d[6] << 8 | d[7]) * 1e-3, d[1] >> 6);
        return 8;
    case 1: {
        if (n < 2)
            return n;
        uint16_t type = types[d[1] % (sizeof(types) / sizeof(types[0]))];
        size_t len = msg_payload_size(type), take = n - 2 < len ? n - 2 : len;
        memset(&payload, 0, sizeof(payload));
        memcpy(&payload, d + 2, take);
        csim_send(&sim, type, &payload, len);
        return 2 + take;
    }
    case 2: {
        size_t used = n < 1u + (d[0] >> 3) ? n : 1u + (d[0] >> 3);
        csim_deliver(&sim, d + 1, used - 1);
        return used;
    }
    case 3:
        if (n < 3)
            return n;
        csim_advance(&sim, (d[1] << 8 | d[2]) * 1e-3);
        return 3;
    case 4:
        if (n < 2)
            return n;
        csim_add_source(&sim, d[1] % 3, d[1] % 3);
        return 2;
    default:
        if (n < 3)
            return n;
        host_event(d + 1);
        return 3;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csim_options o = {.clock_error_s = 0};
    char err[256];

    if (size < 1)
        return 0;
    o.big_first_step = data[0] & 1;
    log_detach(); /* the lines are formatted and rate-limited, not written */
    if (csim_start(&sim, config, &o, err, sizeof(err)) < 0)
        abort();
    csim_cone_reset(&cone);
    data++;
    size--;
    while (size > 0) {
        double before = csim_clock_error(&sim);
        bool host_changed = data[0] % 6 == 5;
        size_t used = one_record(data, size);
        if (!o.big_first_step && !host_changed &&
            fabs(csim_clock_error(&sim) - before) > sim.cfg.panic_s + 1)
            abort(); /* a step beyond the panic threshold without -g */
        if (sim.invalid_reply)
            abort(); /* the parent sent what its child would reject */
        if (host_changed)
            csim_cone_reset(&cone); /* the clock moved under the guard: a new start */
        else if (!csim_on_the_cone(&sim, &cone))
            abort(); /* the samples moved the clock beyond what physics allows */
        data += used;
        size -= used;
    }
    csim_stop(&sim);
    return 0;
}
