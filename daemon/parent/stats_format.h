// SPDX-License-Identifier: ISC
/*
 * ntpd's statistics lines and file set names (prefix stfmt_), I/O-free. Every line starts with
 * the Modified Julian Day and the seconds past UTC midnight (3 decimals), as ntpd 4.2 writes:
 *   loopstats   MJD SOD offset(s, %.9f) frequency(ppm, %.3f) jitter(s, %.9f) wander(ppm, %.6f)
 *               poll(log2 s)
 *   peerstats   MJD SOD address status(hex) offset(s) delay(s) dispersion(s) jitter(s) (%.9f)
 *   clockstats  MJD SOD address text
 *   sysstats    MJD SOD seconds-since-last received processed newversion oldversion restricted
 *               badlength badauth declined limitkod kodsent
 *   protostats  MJD SOD event line
 * File names: the set's file name plus a suffix by filegen type: none "", pid ".#PID", day
 * ".YYYYMMDD", week ".YYYYwWW" (ISO 8601 week, as ntpd 4.2.8), month ".YYYYMM", year ".YYYY",
 * age ".aSSSSSSSS" (seconds of running at the start of each 24 h).
 */
#ifndef TSYNC_DAEMON_STATS_FORMAT_H
#define TSYNC_DAEMON_STATS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon/config/config.h"

#define STFMT_LINE_MAX   512
#define STFMT_SUFFIX_MAX 24
#define STFMT_MJD_UNIX   40587 /* MJD of 1970-01-01 */

/* The server counters of a sysstats line (differences over its interval). */
struct stfmt_sys {
    uint64_t seconds, received, processed, newversion, oldversion, restricted, badlength, badauth,
        declined, limitkod, kodsent;
};

/* "MJD SOD " of time t (UTC) into buf; its length. */
size_t stfmt_stamp(char *buf, size_t len, struct timespec t);

size_t stfmt_loop(char *buf, size_t len, struct timespec t, double offset_s, double freq_ppm,
                  double jitter_s, double wander_ppm, int poll_log2);
size_t stfmt_peer(char *buf, size_t len, struct timespec t, const char *addr, unsigned status,
                  double offset_s, double delay_s, double dispersion_s, double jitter_s);
size_t stfmt_text(char *buf, size_t len, struct timespec t, const char *text);
size_t stfmt_sys(char *buf, size_t len, struct timespec t, const struct stfmt_sys *s);

/* The period of the file set member holding time t (UTC): [*start, *end) in Unix seconds
 * (uptime_s and pid are the running time and the process id, for age and pid), and its suffix.
 * For none and pid the period never ends (*end INT64_MAX). */
void stfmt_period(enum cfg_filegen_type type, struct timespec t, double uptime_s, long pid,
                  int64_t *start, int64_t *end, char *suffix, size_t len);

#endif
