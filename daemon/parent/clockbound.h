// SPDX-License-Identifier: ISC
/*
 * The ClockBound shared memory segment, layout version 2 (prefix cb_): what ClockBound's client
 * libraries read (aws/clock-bound docs/PROTOCOL.md), written by the parent so that applications
 * get a bound on the clock's error from tsyncd without a clockbound daemon.
 *
 * Layout (native endian, 80 octets): magic (two u32: 0x414D5A4E, 0x43420200, as ClockBound's
 * writer stores them), segment size u32, version u16 (2), generation u16, as-of and void-after
 * (CLOCK_MONOTONIC_COARSE, two i64 each), bound i64 ns, disruption marker u64, max drift u32
 * ppb, clock status i32, clock disruption support u8, padding.
 *
 * Update protocol (a seqlock): the generation is made odd before the fields change and even
 * (never 0: 65535 + 1 is 2) after; a reader copies the fields between two reads of the same even
 * generation. A reader computes bound + max_drift * (now - as_of) and trusts the status for 5 s
 * after as-of (then free-running), nothing after void-after.
 */
#ifndef TSYNC_DAEMON_CLOCKBOUND_H
#define TSYNC_DAEMON_CLOCKBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CB_MAGIC0        0x414D5A4Eu
#define CB_MAGIC1        0x43420200u
#define CB_VERSION       2
#define CB_VOID_AFTER_S  1000 /* as ClockBound's daemon */
#define CB_MIN_DRIFT_PPM 15.0 /* RFC 5905's PHI: how fast the dispersion grows */
#define CB_MAX_DRIFT_PPM 500.0

enum cb_status {
    CB_UNKNOWN = 0,
    CB_SYNCHRONIZED = 1,
    CB_FREE_RUNNING = 2,
    CB_DISRUPTED = 3,
};

struct cb_segment {
    uint32_t magic[2];
    uint32_t size;
    uint16_t version;
    uint16_t generation;
    int64_t as_of_sec, as_of_nsec;
    int64_t void_after_sec, void_after_nsec;
    int64_t bound_ns;
    uint64_t disruption_marker;
    uint32_t max_drift_ppb;
    int32_t status;
    uint8_t disruption_support;
    uint8_t pad[7];
};

/* What the bound is computed from (the parent's discipline status). */
struct cb_inputs {
    bool synchronised;      /* synchronised to a source now */
    bool ever_synchronised; /* since the start */
    bool disrupted;         /* VMClock disruption not yet followed by a new synchronisation */
    double root_delay_s, root_dispersion_s; /* root dispersion aged to now (grows with PHI) */
    double offset_s;                        /* system offset not yet corrected */
    double freq_sd_ppm; /* standard error of the frequency estimate, <= 0: unknown */
};

/* One publication. */
struct cb_bound {
    struct timespec as_of; /* CLOCK_MONOTONIC_COARSE when computed */
    int64_t bound_ns;
    uint32_t max_drift_ppb;
    enum cb_status status;
    uint64_t disruption_marker; /* last VMClock marker read, 0 without a VMClock */
    bool disruption_support;    /* a VMClock is watched */
};

/*
 * The bound of *in (pure): |offset| + root delay / 2 + root dispersion, rounded up to ns (the
 * root dispersion includes a PHC refclock's error bound when the PHC is the system peer);
 * drift max(PHI, 3 sd of the frequency) up to 500 ppm (500 when not measured yet); the status.
 * Leaves as_of, the marker and disruption support alone.
 */
void cb_compute(const struct cb_inputs *in, struct cb_bound *out);

/* Write b into seg with the seqlock protocol (seg may be read concurrently). */
void cb_store(struct cb_segment *seg, const struct cb_bound *b);

/* A mapped segment file. */
struct cb_writer {
    struct cb_segment *seg; /* NULL: not open */
};

/*
 * Create or reuse the segment at path (privileged, before chroot): the directory is created
 * (0755) if missing, the file is a regular file opened without following links, mode 0644 so
 * that applications can read it, wiped (generation 0) unless it already holds a valid v2
 * segment (then readers keep working across a restart), mapped shared and writable; the file
 * descriptor is closed (the mapping stays). 0, or -1 with a message in err.
 */
int cb_open(struct cb_writer *w, const char *path, char *err, size_t errlen);
void cb_publish(struct cb_writer *w, const struct cb_bound *b);
/* Unmap (also in a forked child, which must not keep a writable mapping). */
void cb_close(struct cb_writer *w);

#endif
