// SPDX-License-Identifier: ISC
/*
 * A simulated host and network child around the real privileged parent (prefix csim_), for the
 * hostile-child harness (tests/unit/test_hostile_child.c) and the parent's fuzz target: what a
 * compromised child can send, as the parent's message schema carries it, while simulated time
 * passes. The parent runs with the virtual clock driver on a simulated host CLOCK_REALTIME; the
 * clocks its guard reads for evidence (REALTIME, MONOTONIC, BOOTTIME) are simulated too, so
 * `date -s` and a suspend can be played.
 *
 * Time: `now` (MONOTONIC) starts at 1000 s; true UTC = CSIM_EPOCH_S + now + the time spent
 * suspended; the host's REALTIME is true UTC plus what csim_set_host_clock() added; the
 * disciplined clock is the virtual driver's clock over that REALTIME. Only one simulation runs
 * at a time (the evidence clocks are process-global).
 */
#ifndef TSYNC_TESTS_CHILD_SIM_H
#define TSYNC_TESTS_CHILD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/common/chan.h"
#include "daemon/config/config.h"
#include "daemon/parent/parent.h"

#define CSIM_EPOCH_S 1.9e9 /* true UTC at now = 0: 2030, after any build time */

struct csim_options {
    bool big_first_step;   /* -g */
    double clock_error_s;  /* the clock at the start: true time + this, s */
    double freq_error_ppm; /* the oscillator's own error, ppm */
    /* the `system` driver on simulated kernel calls that refuse every step (EPERM), instead of
     * the virtual driver: what the parent does when the kernel says no */
    bool refusing_kernel;
};

struct child_sim {
    struct cfg cfg;
    struct parent p;
    struct clk *clk;
    struct chan parent_end, child_end;
    uint32_t child_seq, child_rx_seq;
    double now_s;           /* MONOTONIC, s */
    double suspended_s;     /* total time suspended, s */
    double host_set_s;      /* what `date -s` added to the host REALTIME, s */
    double counter_shift_s; /* what a migration added to the counter under every clock, s */
    unsigned rejected;      /* messages the parent rejected (the child was restarted) */
    unsigned snapshots;     /* snapshots the parent sent (each passed the child's checks) */
    bool invalid_reply;     /* something the parent sent failed the child's checks */
};

/* Start the parent with configuration text (sources, tinker...; `clock virtual` is added) and
 * attach a child. 0, or -1 (configuration or parent_init failed: err says why). */
int csim_start(struct child_sim *s, const char *config, const struct csim_options *o, char *err,
               size_t errlen);
void csim_stop(struct child_sim *s);

/* The child announces source `slot` for configuration line cfg_index (a server: kind
 * MSG_KIND_SERVER) at 192.0.2.(slot+1). Returns what parent_handle_message() returned. */
int csim_add_source(struct child_sim *s, uint32_t slot, uint32_t cfg_index);
/* The child reports a request to slot sent now. */
int csim_polled(struct child_sim *s, uint32_t slot);
/* A sample of slot whose server is off true time by lie_s (0: honest), round trip delay_s,
 * leap indicator leap, as a child takes it on the parent's clock map. */
int csim_sample(struct child_sim *s, uint32_t slot, double lie_s, double delay_s, uint8_t leap);
/* Any message: type with payload (len octets), a valid header and the next sequence number. */
int csim_send(struct child_sim *s, uint16_t type, const void *payload, size_t len);
/* Raw octets. A rejection restarts the child, as the daemon does. */
int csim_deliver(struct child_sim *s, const void *buf, size_t len);

/* dt seconds pass (parent_tick at least every second), the child's heartbeats included. */
void csim_advance(struct child_sim *s, double dt);
/* Someone sets the host clock by step_s (`date -s`). */
void csim_set_host_clock(struct child_sim *s, double step_s);
/* The counter under every host clock jumps by dt (a live migration): REALTIME and MONOTONIC
 * move together, so only a VMClock device could tell. */
void csim_shift_counter(struct child_sim *s, double dt);
/* The host sleeps for dt seconds: MONOTONIC stops, REALTIME and BOOTTIME go on. */
void csim_suspend(struct child_sim *s, double dt);

/* The disciplined clock minus true time, s. */
double csim_clock_error(struct child_sim *s);

/* The clock guard's promise (docs/architecture.md, "The clock guard"), checked after each step
 * of a simulation: while one anchor holds, the clock's error (its oscillator is exact) moved
 * along the anchor's trajectory within the bound, give or take the guard's slack
 * (GUARD_SLACK_S: a slew at the edge) and the nanoseconds of reading the clock. *cone holds the
 * anchor seen last (start with csim_cone_reset()); a new anchor is taken as it is. */
struct csim_cone {
    double t0;   /* the anchor's time (NAN: none seen) */
    double base; /* the clock's error the anchor's trajectory starts from, s */
};
void csim_cone_reset(struct csim_cone *cone);
bool csim_on_the_cone(struct child_sim *s, struct csim_cone *cone);
/* The virtual clock's kernel status bits (STA_INS, STA_DEL...). */
int csim_clock_status(struct child_sim *s);

#endif
