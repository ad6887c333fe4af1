// SPDX-License-Identifier: ISC
/* Internals shared by parent.c (message dispatch) and parent_state.c (actions, state, reports). */
#ifndef TSYNC_DAEMON_PARENT_INT_H
#define TSYNC_DAEMON_PARENT_INT_H

#include <stdint.h>

#include "daemon/common/log.h"
#include "daemon/parent/parent.h"

/* parent_events.c: ntpd's status words (the semantics are described there).
 * parent_sys_status counts a system event and returns the word for its event line;
 * parent_sys_status_now is the current word (mode 6), parent_peer_status_now a source's with
 * its current reach and tally. */
uint16_t parent_sys_status(struct parent *p, enum log_event ev);
uint16_t parent_sys_status_now(const struct parent *p);
uint16_t parent_peer_status_now(const struct parent *p, uint32_t slot, uint8_t reach, char tally);
/* Reachable, unreachable, sys_peer and no_sys_peer events after a discipline update; records
 * each source's selection for the next round. */
void parent_source_events(struct parent *p, const struct disc_status *st);
/* A mode 6 association ID no slot in use has (1..65535, handed out in turn). */
uint16_t parent_new_assoc_id(struct parent *p);
/* Log a rejected child message; always returns -1 (the caller then restarts the child). */
int parent_reject(struct parent *p, const char *why);
/* ntpd-style peer event line for a slot (counts the event). */
void parent_peer_event(struct parent *p, uint32_t slot, enum log_event ev, const char *detail);
/* Bookkeeping after a sample was fed to the discipline, then a discipline update. */
void parent_sample_result(struct parent *p, uint32_t slot, enum disc_sample_result r, double now);
/* Run the discipline and apply its action; then events, synchronisation state, snapshot. */
void parent_update(struct parent *p, double now);
/* Mark the clock map / the snapshot for sending; parent_flush() sends them. */
void parent_push_map(struct parent *p);
void parent_publish(struct parent *p, double now);
/* Reference clocks: open (while privileged), read when due, close. poll returns the seconds
 * until the next reading is due. */
int parent_refclocks_open(struct parent *p, double now, char *err, size_t errlen);
double parent_refclocks_poll(struct parent *p, double now);
void parent_refclocks_close(struct parent *p);

/* Build and send the snapshot now (clears snapshot_pending when sent). */
void parent_send_snapshot(struct parent *p, double now);

/* parent_leap.c: open the leapfile's directory (privileged, before the chroot), (re)load it,
 * warn once a day while it expires, the snapshot's leap fields. */
void parent_leap_open(struct parent *p);
int parent_leap_load(struct parent *p, double now);
void parent_leap_tick(struct parent *p, double now);
void parent_leap_snapshot(const struct parent *p, struct msg_snapshot *m);
/* The leap second to arm for tonight, given the sources' vote (leap_decide(): the last day of
 * June or December only, the leapfile decides when current); refusals are logged. */
enum clk_leap parent_leap_decide(struct parent *p, enum disc_leap vote, double now);

/* parent_stats.c: the statistics files (opened privileged, before the chroot), their lines
 * after a sample, a reference clock reading, the network child's counters; the protostats
 * event sink; SIGHUP's reopening with the filegen settings of cfg. */
void parent_stats_open(struct parent *p, double now);
void parent_stats_events(struct parent *p);
void parent_stats_sample(struct parent *p, uint32_t slot, double now);
void parent_stats_clock(struct parent *p, uint32_t slot, double offset_s, double delay_s,
                        double now);
int parent_stats_counters(struct parent *p, const struct msg_server_counters *c, double now);
void parent_stats_reopen(struct parent *p, const struct cfg *cfg);

/* parent_guard.c (parent_guard.h): set up at `now` with the clock at freq_ppm; cut a step and
 * a frequency to the bound (step_s 0: none); what was applied; the leap second the kernel was
 * told of; after each update (synced: the clock is synchronised; samples beyond the bound are
 * reported); the evidence, every tick; lift
 * the bound (why: for the log). */
void parent_guard_init(struct parent *p, const struct parent_options *opt, double freq_ppm,
                       double now);
void parent_guard_limit(struct parent *p, double now, double *step_s, double *freq_ppm);
void parent_guard_stepped(struct parent *p, double now, double step_s);
void parent_guard_frequency(struct parent *p, double now, double freq_ppm);
void parent_guard_leap(struct parent *p, enum clk_leap leap);
void parent_guard_update(struct parent *p, const struct disc_status *st, bool synced, double now);
void parent_guard_check(struct parent *p, double now);
void parent_guard_release(struct parent *p, const char *why);
/* parent_disrupt.c: someone else set the clock, or (resumed) the host was suspended: the
 * bound is lifted, the samples forgotten, every source polled in a burst. */
void parent_clock_changed(struct parent *p, bool resumed, const char *why, double now);

/* Schedule the first "not synchronised" warning one poll interval from now. */
void parent_reset_warning(struct parent *p, double now);

#endif
