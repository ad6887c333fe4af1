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
// fuzz-sources: daemon/common/sha1.c
// fuzz-sources: daemon/common/msg_nts.c
// fuzz-sources: daemon/config/config_nts.c
// fuzz-pkgs: libnl-genl-3.0
/*
 * Stateful libFuzzer target for the privileged parent (daemon/parent/parent.c
 * parent_handle_message) with the real discipline and the virtual clock driver behind it, on a
 * simulated host clock: what a compromised network child can do, as sequences of messages. The
 * first octet: bit 0 = -g. Then records [op, ...]:
 *   op 0: a sample for slot s of a server whose offset and delay the record gives (ms), taken
 *         on the parent's own clock map: the lies a child can tell;
 *   op 1: a message of any child type with a valid header and fuzzed payload;
 *   op 2: raw octets;
 *   op 3: time passes (up to 65 s): parent_tick, and what the parent sends is read back.
 * A rejected message ends the child: it is detached and a new one attached, as the daemon does.
 * Invariants: nothing crashes; every CLOCK_MAP and SNAPSHOT the parent sends passes the child's
 * own checks (msg_validate); without -g the clock driver never takes a step larger than the
 * panic threshold (the lead's bound will add tighter assertions here).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/log.h"
#include "daemon/config/config.h"
#include "daemon/parent/parent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] = "server 192.0.2.1 iburst minpoll 0 maxpoll 4\n"
                             "server 192.0.2.2 minpoll 0\n"
                             "server 192.0.2.3 minpoll 0\n"
                             "pool pool.example minpoll 0\n"
                             "clock virtual\n"
                             "tinker panic 1000\n";

static struct cfg cfg;
static struct parent p;
static struct chan parent_end, child_end;
static uint32_t child_seq, child_rx_seq;
static double now_s; /* the simulated host clock and the monotonic `now`, s */

static int host_clock(void *ctx, struct timespec *ts)
{
    (void)ctx;
    ts->tv_sec = 1790000000 + (time_t)floor(now_s);
    ts->tv_nsec = (long)((now_s - floor(now_s)) * 1e9);
    return 0;
}

static void attach(void)
{
    if (chan_pair_inprocess(&parent_end, &child_end) < 0)
        abort();
    child_seq = child_rx_seq = 1;
    parent_attach_child(&p, &parent_end, now_s);
}

static void detach(void)
{
    parent_detach_child(&p, now_s);
    chan_close(&parent_end);
    chan_close(&child_end);
}

/* What the parent sent the child must pass the child's checks. */
static void drain(void)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    ssize_t n;

    parent_flush(&p, now_s);
    while ((n = chan_recv(&child_end, buf, sizeof(buf))) > 0) {
        if (msg_validate(buf, (size_t)n, &child_rx_seq, &hdr, &payload, err, sizeof(err)) < 0)
            abort();
    }
}

static void deliver(const void *buf, size_t len)
{
    if (parent_handle_message(&p, buf, len, now_s) < 0) {
        detach();
        attach();
    } else {
        child_seq++;
    }
}

static void deliver_typed(uint16_t type, const void *payload, size_t len)
{
    uint8_t buf[sizeof(struct msg_header) + sizeof(struct msg_snapshot)];
    struct msg_header h = {.version = MSG_VERSION,
                           .type = type,
                           .length = (uint32_t)(sizeof(h) + len),
                           .seq = child_seq};

    if (len > sizeof(buf) - sizeof(h))
        return;
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, len);
    deliver(buf, sizeof(h) + len);
}

static struct msg_time at(struct timespec t, double plus_s)
{
    double ns = (double)t.tv_nsec + plus_s * 1e9;
    t.tv_sec += (time_t)floor(ns / 1e9);
    t.tv_nsec = (long)(ns - floor(ns / 1e9) * 1e9);
    return msg_time_from_timespec(t);
}

/* A sample of a server off by offset_ms, round trip delay_ms, as a child would send it. */
static void lie(uint8_t slot, int32_t offset_ms, uint16_t delay_ms)
{
    struct msg_sample s = {.slot = slot % 5, .stratum = 2, .precision_log2 = -20};
    struct timespec t1;
    struct clk_map map;

    clk_get_map(p.clk, &map);
    clk_now(p.clk, &t1);
    s.ts_source = s.tx_source = s.rx_source = 1;
    s.map_generation = p.map_generation;
    double d = delay_ms * 1e-3, off = offset_ms * 1e-3;
    s.t1 = msg_time_from_timespec(t1);
    s.t2 = at(t1, d / 2 + off);
    s.t3 = at(t1, d / 2 + off + 1e-5);
    s.t4 = at(t1, d + 1e-5);
    s.root_delay_s = 0.001;
    s.root_dispersion_s = 0.001;
    deliver_typed(MSG_SAMPLE, &s, sizeof(s));
}

/* The clock's offset from the host at the host time now (a step shows as a jump). */
static double clock_offset(void)
{
    struct clk_map map;
    struct timespec h, v;

    host_clock(NULL, &h);
    clk_get_map(p.clk, &map);
    v = clk_map_apply(&map, h);
    return (double)(v.tv_sec - h.tv_sec) + (v.tv_nsec - h.tv_nsec) * 1e-9;
}

static void start(bool big_first_step)
{
    static struct clk_options o = {.kind = CLK_VIRTUAL, .host_clock = host_clock};
    struct parent_options po = {.big_first_step = big_first_step};
    char err[256];

    if (cfg.n_sources == 0) {
        struct cfg_diag diag;
        log_detach(); /* the lines are formatted and rate-limited, not written */
        cfg_diag_init(&diag);
        if (cfg_load_string("fuzz", config, strlen(config), 0, &cfg, &diag) < 0)
            abort();
        cfg_diag_free(&diag);
    }
    now_s = 1000;
    struct clk *clk = clk_open(&o, err, sizeof(err));
    if (clk == NULL || parent_init(&p, &cfg, &po, clk, now_s, err, sizeof(err)) < 0)
        abort();
    attach();
}

static void one_record(const uint8_t **data, size_t *size)
{
    const uint8_t *d = *data;
    size_t n = *size, used = 1;
    struct msg_snapshot payload; /* the largest payload */
    static const uint16_t types[] = {MSG_HELLO,         MSG_SOURCE_ADD, MSG_SOURCE_REMOVE,
                                     MSG_SOURCE_POLLED, MSG_SAMPLE,     MSG_LOG,
                                     MSG_HEARTBEAT,     MSG_SNAPSHOT};

    switch (d[0] & 3) {
    case 0:
        if (n >= 8) {
            lie(d[1], (int32_t)((uint32_t)d[2] << 24 | (uint32_t)d[3] << 16 | d[4] << 8 | d[5]),
                (uint16_t)(d[6] << 8 | d[7]));
            used = 8;
        }
        break;
    case 1:
        if (n >= 2) {
            uint16_t type = types[d[1] % (sizeof(types) / sizeof(types[0]))];
            size_t len = msg_payload_size(type), take = n - 2 < len ? n - 2 : len;
            memset(&payload, 0, sizeof(payload));
            memcpy(&payload, d + 2, take);
            deliver_typed(type, &payload, len);
            used = 2 + take;
        }
        break;
    case 2:
        used = n < 1u + (d[0] >> 2) ? n : 1u + (d[0] >> 2);
        deliver(d + 1, used - 1);
        break;
    default:
        if (n >= 3) {
            now_s += (d[1] << 8 | d[2]) * 1e-3;
            parent_tick(&p, now_s);
            used = 3;
        }
        break;
    }
    drain();
    *data += used;
    *size -= used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool big = data[0] & 1;
    start(big);
    data++;
    size--;
    while (size > 0) {
        double before = clock_offset();
        one_record(&data, &size);
        if (!big && fabs(clock_offset() - before) > cfg.panic_s + 1)
            abort(); /* a step beyond the panic threshold without -g */
    }
    detach();
    struct clk *clk = p.clk;
    parent_fini(&p, now_s);
    clk_close(clk);
    return 0;
}
