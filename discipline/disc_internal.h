// SPDX-License-Identifier: ISC
// Internal state of the discipline facade, shared by discipline.c and disc_status.c.
#ifndef TSYNC_DISCIPLINE_DISC_INTERNAL_H
#define TSYNC_DISCIPLINE_DISC_INTERNAL_H

#include "discipline/discipline.h"
#include "discipline/filter.h"
#include "discipline/loop.h"

// Kernel maxerror when not synchronised (NTP_PHASE_LIMIT / MAXDISPERSE), s.
#define MAX_ERROR_UNSYNC 16.0
// Start-up polling (disc_src_poll): the drift per poll tolerated at one standard error of the
// frequency (s), the shortest poll (log2 s: 8 s keeps within rate limits such as ntpd's
// `limited`), and how long after the first sample it applies (s).
#define DISC_STARTUP_DRIFT_S  250e-6
#define DISC_STARTUP_MIN_POLL 3
#define DISC_STARTUP_WINDOW_S 600.0

struct disc_src {
    bool used;
    struct disc_source_config cfg;
    struct flt flt;
    uint8_t reach;           // reach register
    double last_sample_time; // `now` of the last sample of any kind (-inf: none)
    int stratum;             // of the last usable sample
    uint32_t server_refid;   // refid field of the last usable sample
    enum disc_leap leap;     // of the last usable sample
    enum disc_ts_source ts_source;
    double root_delay_s;      // server's root delay (0 for a refclock), s
    double root_dispersion_s; // server's root dispersion (refclock: its error bound), s
    bool server_unsync;       // last reply said unsynchronised
    bool new_sample;          // accepted sample since the last disc_update()
    char tally;               // enum disc_tally after the last selection
    enum disc_reason reason;  // after the last selection
    double offset_s;          // offset used by the last selection, s
    double root_distance_s;   // lambda at the last selection, s
};

// What a step changed in the loop, to undo it when the clock could not be stepped.
struct disc_step_undo {
    struct loop_state loop;
    double last_step_s, last_step_time;
};

struct disc {
    struct disc_params p;
    struct disc_src src[DISC_MAX_SOURCES];
    double corr_s;      // cumulative correction C at corr_time, s
    double corr_time;   // `now` at which freq_ppm started, s
    double freq_ppm;    // frequency handed to the clock since corr_time, ppm
    double base_ppm;    // estimated oscillator correction (no phase term), ppm
    double base_sd_ppm; // its standard error, ppm
    struct loop_state loop;
    bool synchronized;
    enum disc_sync_reason reason;
    int sys_peer; // source id, -1 if none
    int survivors;
    double offset_s; // system offset at last_update, s
    double jitter_s; // system jitter, s
    double ref_time; // `now` of the last synchronised update (-1: never)
    double root_delay_s;
    double root_dispersion_s; // at ref_time, s
    int stratum;
    uint32_t refid;
    enum disc_leap leap;
    double last_step_s, last_step_time, refused_offset_s;
    double last_update;       // `now` of the last disc_update(), s
    double first_sample_time; // `now` of the first sample of any source (-1: none)
    bool startup;             // within DISC_STARTUP_WINDOW_S of it: start-up polling
    int expected_sources;     // sources the configuration will bring (start-up majority)
    struct disc_step_undo undo; // the loop before the last step decision
};

// Cumulative correction C(t) applied to the clock, s.
double disc_correction(const struct disc *d, double now);

// From now on the clock runs at freq_ppm (C keeps integrating).
void disc_set_frequency(struct disc *d, double now, double freq_ppm);

// Poll exponent of source s under the system poll exponent.
int disc_src_poll(const struct disc *d, const struct disc_src *s);

#endif
