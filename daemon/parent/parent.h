// SPDX-License-Identifier: ISC
/*
 * The privileged parent's logic (prefix parent_): the only code that changes the clock.
 *
 * It accepts fixed, validated messages from the network child (daemon/common/msg.h), feeds the
 * discipline, applies the discipline's actions through the clock driver, writes the drift file,
 * reports loudly when the clock is not synchronised, and publishes one state snapshot and the
 * clock map to the child after every change. Process management (fork, restart, signals) lives
 * in daemon.c; this module only sees a file descriptor.
 */
#ifndef TSYNC_DAEMON_PARENT_H
#define TSYNC_DAEMON_PARENT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/common/chan.h"
#include "daemon/config/config.h"
#include "daemon/common/dirfile.h"
#include "daemon/common/leapfile.h"
#include "daemon/common/msg.h"
#include "daemon/parent/parent_guard.h"
#include "daemon/parent/parent_observe.h"
#include "daemon/common/ntpd_status.h"
#include "discipline/clock.h"
#include "discipline/discipline.h"

struct parent_slot {
    bool in_use;
    int disc_id;        /* discipline source id */
    uint8_t kind;       /* enum msg_source_kind */
    uint32_t cfg_index; /* the parent's own configuration entry */
    char name[MSG_NAME_LEN];
    char addr[MSG_ADDR_LEN];
    double first_poll; /* `now` of the first request sent, -1: none */
    double last_poll;  /* `now` of the last request sent, -1: none */
    double poll_gap;   /* s between the last two requests (the child's real poll: KoD RATE) */
    double last_reply; /* `now` of the last reply (any SAMPLE), -1: none */
    uint32_t replies;  /* SAMPLE messages received */
    uint32_t rejected[MSG_REJECT_COUNT]; /* replies not used, by reason (enum msg_reject) */
    uint8_t last_reach; /* reach register at the last check, for reachable/unreachable events */
    uint8_t tx_source, rx_source; /* enum disc_ts_source of the last sample's t1, t4 */
    bool interleaved;             /* the last sample came from an interleaved reply */
    uint16_t assoc_id;            /* mode 6 association ID, unique, stable while in use */
    uint8_t selection;            /* enum ntpd_selection after the previous selection round */
    struct ntpd_events events;    /* ntpd's event count of this association */
    /* Symmetric-key authentication (set by the key code, false without keys): a key is
     * configured for the source / its last reply was authentic. Only these set ntpd's
     * authentication bits in the status words. */
    bool authenable, authentic;
    int8_t precision_log2;           /* server's precision (last reply), log2 s */
    double server_root_delay_s;      /* server's root delay (last reply), s */
    double server_root_dispersion_s; /* server's root dispersion (last reply), s */
};

struct phc;
struct parent_stats;

/* A `refclock phc` line: the PHC handle opened before privileges were dropped. */
struct parent_refclock {
    struct phc *phc; /* NULL: could not be opened */
    double next_poll;
};

struct parent_options {
    bool big_first_step; /* -g */
    bool once;           /* -q: set the clock once and exit */
    double once_timeout_s;
    parent_gettime_fn gettime; /* the clocks the guard's evidence is read from, NULL: kernel */
};

struct parent {
    const struct cfg *cfg;
    struct parent_options opt;
    struct clk *clk;
    struct disc *disc;
    struct chan *child; /* to the network child (the daemon's), NULL while it is down */
    uint32_t rx_seq, tx_seq;
    uint32_t map_generation; /* 1, +1 per step: samples taken before a step are dropped */
    struct parent_slot slots[MSG_MAX_SOURCES]; /* NTP slots, then refclocks */
    struct parent_refclock refclocks[CFG_MAX_REFCLOCKS];
    double start;            /* `now` at start */
    double unsync_since;     /* `now` since when not synchronised (start counts), -1: synced */
    double next_warning;     /* `now` of the next unsynchronised warning */
    double warning_interval; /* s, doubles up to PARENT_MAX_WARNING_INTERVAL_S */
    double last_refusal_log; /* `now` of the last panic/rate-limit log line */
    double last_drift_write; /* `now` */
    int drift_dirfd;         /* drift file directory opened before chroot, -1: use the path */
    double last_update;      /* `now` of the last disc_update */
    bool was_synchronized;
    int sys_peer_slot;
    uint32_t generation;
    char reason[MSG_REASON_LEN];
    bool hello_seen;         /* the child's first message (HELLO) arrived */
    bool responsive;         /* some source answered within its poll interval */
    bool silence_reported;   /* "no source reachable" was logged since the last reply */
    bool stepped;            /* the clock was stepped at least once */
    bool remeasuring;        /* the clock changed (parent_clock_changed): p->reason says so */
    double applied_freq_ppm; /* last frequency given to the clock driver */
    bool first_sample_seen;  /* READY=1 sent */
    bool done;               /* -q finished (or gave up): the daemon exits with exit_code */
    int exit_code;
    struct ntpd_events sys_events; /* ntpd's system event count */
    bool prev_no_majority;         /* the previous selection round found no majority */
    uint16_t next_assoc_id;        /* mode 6 association IDs are handed out from here */
    bool map_pending;              /* the clock map changed since it was last sent */
    bool snapshot_pending;         /* the state changed since the last snapshot was sent */
    struct leap_table leap;        /* the leapfile, when leap_loaded */
    bool leap_loaded;
    struct dirfile leap_file;      /* the leapfile through its directory (re-read on SIGHUP) */
    double leap_warned;            /* `now` of the last expiry warning */
    int leap_sign;                 /* the leap second armed tonight: +1, -1, 0 (leap_decide) */
    double leap_refused_log;       /* `now` of the last "leap second refused" line */
    struct parent_stats *stats;    /* statistics files (parent_stats.c), NULL: none */
    struct msg_snapshot snap;      /* last published */
    struct disc_status status_buf; /* scratch (large: kept off the stack) */
    struct parent_observe obs;     /* ClockBound segment, VMClock (parent_observe.h) */
    struct parent_guard guard;     /* the bound on corrections (parent_guard.h) */

    double last_heard; /* `now` of the child's last message (heartbeats included) */
};

/* Set up the parent: discipline from the configuration, initial frequency from the drift file,
 * clock driver started. Returns 0 or -1 with a message in err. */
int parent_init(struct parent *p, const struct cfg *cfg, const struct parent_options *opt,
                struct clk *clk, double now, char *err, size_t errlen);
void parent_fini(struct parent *p, double now);

/* A (re)started network child is reachable over *child (owned by the caller, which keeps it
 * until parent_detach_child()): reset sequences and sources, push the clock map and a
 * snapshot. */
void parent_attach_child(struct parent *p, struct chan *child, double now);
/* The child is gone: forget its sources (the clock keeps its frequency). */
void parent_detach_child(struct parent *p, double now);

/* One datagram from the child. Returns 0, or -1 if it is malformed: the caller must treat the
 * child as dead (kill and restart it). Nothing was changed in that case. */
int parent_handle_message(struct parent *p, const void *buf, size_t len, double now);

/* Seconds since the network child was last heard from (it sends a heartbeat every
 * MSG_HEARTBEAT_S), 0 while none is attached: the daemon's watchdog kills it when it stays
 * silent (stopped, wedged) for too long. */
double parent_child_silence(const struct parent *p, double now);

/* A child silent for this long is reported as such, not as silent servers. */
#define PARENT_CHILD_QUIET_S (2.5 * MSG_HEARTBEAT_S)

/* Periodic work: discipline update, unsynchronised warnings, drift file, suppressed-log
 * reports. Returns the number of seconds until it wants to run again. */
double parent_tick(struct parent *p, double now);

/* Send what changed to the child, at most once per event-loop turn: the clock map, then one
 * snapshot. What cannot be sent now (the child's socket is full) is sent at the next call. */
void parent_flush(struct parent *p, double now);

/* The leapfile's view of Unix (UTC) time unix_s: the next leap second (insert or delete), TAI -
 * UTC, the file's expiry. False when no leapfile is loaded. For the leap decision. */
bool parent_leap_lookup(const struct parent *p, int64_t unix_s, struct leap_info *out);

/* SIGHUP: read the leapfile again, reopen the statistics files (after logrotate) with the
 * statistics settings of cfg (which must outlive the parent, or be the parent's own). */
void parent_reload(struct parent *p, const struct cfg *stats_cfg, double now);

/* The directories the parent opens files in after start-up (its sandbox allows exactly
 * these): the statistics directory and the leapfile's, -1 when there is none. */
int parent_stats_dirfd(const struct parent *p);
int parent_leap_dirfd(const struct parent *p);

/* In a child: close the descriptors only the parent may hold (statistics files, the leapfile's
 * directory). */
void parent_close_files(struct parent *p);

/* Write the drift file now if there is one and the frequency is known. */
void parent_write_drift(struct parent *p, double now);

#endif
