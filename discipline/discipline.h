// SPDX-License-Identifier: ISC
// The clock discipline facade: everything between "a source produced a measurement" and "adjust
// the clock like this". Sans-IO: no sockets, no clock reads, no printing. The caller (the daemon's
// parent process, or the benchmark) feeds samples and applies the returned actions.
//
// Time scales and units (see docs/architecture.md):
//  - `now` is double seconds on a monotonic scale chosen by the caller (CLOCK_MONOTONIC in the
//    daemon, simulated time in the benchmark). It must never go backwards.
//  - NTP timestamps are struct timespec on the CLOCK_REALTIME scale of the disciplined clock.
//  - Offsets, delays, dispersions: double seconds. Frequencies: double ppm.
//  - offset = source time - local time (positive: the local clock is behind). A frequency of
//    +x ppm makes the clock run faster by x ppm. A step of +x s adds x s to the clock.
//
// Typical use:
//   d = disc_create(&params);                      // daemon sets params.initial_freq_ppm now
//   id = disc_add_source(d, &cfg);
//   every poll:  disc_source_polled(d, id, now);   // request sent: reach register shifts
//   on a reply:  disc_source_sample(d, id, &s, now); disc_update(d, now, &act); apply(act);
//   on a timer:  disc_update(d, now, &act); apply(act);   // at least once per poll interval
//   after applying act.step: disc_clock_stepped(d, act.step_s);
// The discipline assumes that act.freq_ppm is in effect from the `now` of the disc_update() that
// returned it and that act.step happens right after it; a clock that cannot be adjusted must be
// declared with params.observe_only.
//
// Design (details in discipline/DESIGN.md):
//  - Per source, a two-state filter (phase, frequency of the local oscillator against the
//    source) on samples expressed against the free-running oscillator: corrections the discipline
//    applied (frequency, steps) are added back, so stored samples never go stale and the loop
//    cannot oscillate. The offset error of a sample is modelled as bounded by half its delay
//    excess over the minimum delay (low-delay samples dominate); popcorn spikes are dropped.
//  - Selection: RFC 5905 intersection (correctness intervals = offset +- root distance),
//    clustering, combining weighted by 1/distance^2, system peer with hysteresis.
//  - Control: frequency = -(estimated oscillator error); phase error removed by an extra
//    frequency of offset/tau (tau = one poll interval, adapts with the poll), bounded by
//    max_slew_ppm.
//  - Steps: only for offsets confirmed by consecutive samples of a majority of the selectable
//    sources; panic threshold; after the first correction a token bucket bounds the step rate.
#ifndef TSYNC_DISCIPLINE_H
#define TSYNC_DISCIPLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

// Maximum number of sources one discipline instance handles.
#define DISC_MAX_SOURCES 64
// Poll exponents (log2 s) accepted in a source configuration (ntpd/NTPsec limits).
#define DISC_MIN_POLL_LIMIT 0
#define DISC_MAX_POLL_LIMIT 17

// Leap indicator, same values as the NTP LI field.
enum disc_leap {
    DISC_LEAP_NONE = 0,   // no warning
    DISC_LEAP_INSERT = 1, // last minute of the day has 61 s
    DISC_LEAP_DELETE = 2, // last minute of the day has 59 s
    DISC_LEAP_UNSYNC = 3, // clock not synchronised
};

// Where the local timestamps (t1, t4) of a sample come from.
enum disc_ts_source {
    DISC_TS_USER = 0,     // clock read in user space around send/recv
    DISC_TS_KERNEL = 1,   // SO_TIMESTAMPING software timestamps
    DISC_TS_HARDWARE = 2, // NIC hardware timestamps
    DISC_TS_REFCLOCK = 3, // reference clock (PHC) reading, no network exchange
};

// Parameters of one discipline instance. disc_params_default() fills the defaults noted here.
struct disc_params {
    double step_threshold_s;         // 0.128 (tinker step); 0 = never step after the start
    double startup_step_threshold_s; // 0.001: before the first synchronisation, a confirmed
                                     // offset above this is stepped (fast start, like chrony's
                                     // makestep); 0 = use step_threshold_s
    double panic_threshold_s;        // 1000 (tinker panic); 0 = no panic limit
    bool allow_big_first_step;       // -g: the first correction may exceed the panic threshold
    double max_slew_ppm;             // 500: bound of the phase-correcting frequency offset
    double max_freq_ppm;             // 500: bound of the total frequency handed to the clock
    int min_sources;                 // 1 (tos minsane): survivors needed to synchronise
    int min_cluster;                 // 3 (tos minclock): clustering keeps at least this many
    int max_combine;                 // 10 (tos maxclock): survivors combined at most
    int max_stratum;                 // 16: sources with stratum >= this are not selectable
    double max_distance_s;           // 1.5 (tos maxdist): root distance limit
    double initial_freq_ppm;         // clock frequency in effect at creation (drift file), ppm
    bool have_initial_freq;          // initial_freq_ppm was measured (drift file present)
    int precision_log2;              // local clock precision, log2 s (-20 ~ 1 us)
    int step_confirm_samples;        // 2: consecutive agreeing samples per source for a step
    double step_confirm_span_s;      // 1.5: those samples must span at least this, s
    int step_budget;                 // 3: steps allowed after the first synchronisation ...
    double step_budget_period_s;     // 3600: ... regaining one every this many seconds
    double min_sample_interval_s;    // 0.5: samples of one source closer than this are refused
    double startup_wait_s;           // 16: before the first correction, no step until a majority
                                     // of the expected sources answered or this long after the
                                     // first sample (a few seconds after an iburst), s
    bool observe_only;               // false; true for a clock that is never adjusted (driver
                                     // `none`): actions keep initial_freq_ppm and never step,
                                     // offsets and frequency are measured against the
                                     // unadjusted clock
};

// Per-source configuration (from a `server`/`pool`/`refclock` line).
struct disc_source_config {
    int min_poll;     // log2 s, DISC_MIN_POLL_LIMIT..DISC_MAX_POLL_LIMIT (ntpd default 6)
    int max_poll;     // log2 s, >= min_poll (ntpd default 10)
    bool prefer;      // preferred: wins system peer selection and survives clustering
    bool noselect;    // measured and shown, never selected
    bool is_refclock; // a reference clock (PHC): stratum 0, refid is its 4-character id
    uint32_t refid;   // refid a server reports when this source is the system peer: the IPv4
                      // address, the first 4 bytes of the MD5 of an IPv6 address, or the
                      // refclock id; as the 32-bit wire field in host order (127.0.0.1 is
                      // 0x7f000001, "PHC0" is 0x50484330)
};

// One NTP client/server exchange as the client saw it.
struct disc_sample {
    struct timespec t1;            // client transmit (local clock)
    struct timespec t2;            // server receive (server clock)
    struct timespec t3;            // server transmit (server clock)
    struct timespec t4;            // client receive (local clock)
    enum disc_ts_source ts_source; // origin of t1/t4
    double root_delay_s;           // server's root delay (packet field), s
    double root_dispersion_s;      // server's root dispersion (packet field), s
    int stratum;                   // server's stratum (packet field, 0 = KoD/unspecified)
    enum disc_leap leap;           // server's leap indicator
    uint32_t refid;                // server's refid (packet field, host order)
    int precision_log2;            // server's precision, log2 s
};

// One reference clock reading (e.g. a PHC compared with the system clock).
struct disc_refclock_sample {
    double offset_s;      // reference - local clock, s
    double delay_s;       // width of the reading window (e.g. PTP_SYS_OFFSET), s; >= 0
    double error_bound_s; // bound of the reference's own error (e.g. EC2 PHC error bound), s
    enum disc_leap leap;  // leap warning from the reference, DISC_LEAP_NONE if unknown
};

// Result of feeding a sample.
enum disc_sample_result {
    DISC_SAMPLE_ACCEPTED = 0, // used by the filter
    DISC_SAMPLE_PENDING,      // far from the filter's prediction: held to confirm a step
    DISC_SAMPLE_POPCORN,      // delay outlier, dropped (counts for reach)
    DISC_SAMPLE_UNSYNC,       // server unsynchronised (leap 3, stratum 0 or >= 16), not used
    DISC_SAMPLE_INVALID,      // bad values (NaN, negative delay beyond precision, ...)
    DISC_SAMPLE_TOO_SOON,     // less than min_sample_interval_s after the previous one
    DISC_SAMPLE_BAD_ID,       // no such source
};

// Why the clock was not stepped although the offset exceeds the step threshold.
enum disc_refusal {
    DISC_REFUSAL_NONE = 0,
    DISC_REFUSAL_PANIC,      // |offset| > panic threshold: the clock is not touched
    DISC_REFUSAL_RATE_LIMIT, // step budget exhausted
};

// What the caller does with the clock after disc_update().
struct disc_action {
    bool step;                 // step the clock by step_s now, then call disc_clock_stepped()
    double step_s;             // amount to add to the clock, s
    enum disc_refusal refusal; // != NONE: a step was needed and refused (log it, every time)
    double refused_offset_s;   // the offset that was refused, s
    double freq_ppm;           // frequency to set now (always valid), ppm
    bool unsync;               // kernel STA_UNSYNC
    enum disc_leap leap;       // leap to arm in the kernel (STA_INS/STA_DEL)
    double max_error_s;        // kernel maxerror, s
    double est_error_s;        // kernel esterror, s
};

// ntpq-style state of a source after the last selection.
enum disc_tally {
    DISC_TALLY_REJECT = ' ',      // not selectable (see reason)
    DISC_TALLY_FALSETICKER = 'x', // outside the intersection
    DISC_TALLY_EXCESS = '.',      // a truechimer beyond the combining limit
    DISC_TALLY_OUTLIER = '-',     // discarded by clustering
    DISC_TALLY_CANDIDATE = '+',   // combined
    DISC_TALLY_SYSPEER = '*',     // the system peer
};

// Why a source is not selectable (DISC_TALLY_REJECT) or what else is wrong.
enum disc_reason {
    DISC_REASON_OK = 0,
    DISC_REASON_UNREACHABLE,  // reach register is 0 / no sample yet
    DISC_REASON_NOSELECT,     // configured noselect
    DISC_REASON_UNSYNC,       // the server says it is unsynchronised
    DISC_REASON_STRATUM,      // stratum >= max_stratum
    DISC_REASON_DISTANCE,     // root distance > max_distance_s
    DISC_REASON_FALSETICKER,  // outside the majority intersection
    DISC_REASON_STEP_PENDING, // its recent samples disagree with its filter by a step
};

// Why the system is not synchronised.
enum disc_sync_reason {
    DISC_SYNC_OK = 0,
    DISC_SYNC_NO_SOURCES,      // no source configured
    DISC_SYNC_UNREACHABLE,     // no source reachable
    DISC_SYNC_NONE_SELECTABLE, // reachable sources, none selectable (stratum, distance ...)
    DISC_SYNC_NO_MAJORITY,     // no majority agrees (falsetickers)
    DISC_SYNC_MINSOURCES,      // fewer survivors than min_sources
    DISC_SYNC_STARTING,        // selected, not yet corrected or waiting for step confirmation
    DISC_SYNC_PANIC,           // offset beyond the panic threshold, clock left alone
    DISC_SYNC_RATE_LIMIT,      // a step is needed but the step budget is exhausted
};

struct disc_source_status {
    int id;                  // source id
    char tally;              // enum disc_tally character
    enum disc_reason reason; // DISC_REASON_OK if selectable
    bool prefer, noselect, is_refclock;
    enum disc_ts_source ts_source; // of the last sample
    uint8_t reach;                 // reach register (8 polls)
    int stratum;                   // last stratum received (0 for a refclock)
    uint32_t server_refid;         // refid field of the last sample (host order)
    uint32_t refid;                // configured refid of this source
    enum disc_leap leap;           // leap of the last sample
    int poll_log2;                 // suggested poll exponent, log2 s
    int samples;                   // samples used by the filter so far
    double offset_s;               // filtered offset, predicted to `now`, s
    double last_offset_s;          // last raw sample, corrected for later clock changes, s
    double delay_s;                // delay of the last accepted sample, s
    double min_delay_s;            // minimum recent delay, s
    double dispersion_s;           // sample dispersion, aged to `now`, s
    double jitter_s;               // RMS of recent residuals, s
    double offset_sd_s;            // standard error of offset_s, s
    double freq_ppm;               // local oscillator error against this source, ppm
    double freq_sd_ppm;            // its standard error, ppm
    double root_delay_s;           // server's root delay + delay, s
    double root_distance_s;        // correctness interval half-width, s
    double age_s;                  // seconds since the last sample (-1: none)
    unsigned popcorn_count;        // delay outliers dropped so far
};

struct disc_status {
    bool synchronized;            // a system peer exists and the clock is being disciplined
    enum disc_sync_reason reason; // why not (DISC_SYNC_OK when synchronised)
    int stratum;                  // stratum a server reports (16 when unsynchronised)
    uint32_t refid;               // refid a server reports (host order)
    enum disc_leap leap;          // leap a server reports (UNSYNC when unsynchronised)
    double root_delay_s;          // root delay a server reports, s
    double root_dispersion_s;     // root dispersion a server reports, aged to `now`, s
    double ref_time;              // `now` scale time of the last clock update (-1: never)
    int sys_peer;                 // system peer source id, -1 if none
    int survivors;                // sources combined
    double offset_s;              // system offset (combined, predicted to `now`), s
    double jitter_s;              // system jitter, s
    double freq_ppm;              // frequency correction without phase term (drift file), ppm
    double freq_sd_ppm;           // its standard error, ppm
    double applied_freq_ppm;      // frequency last handed to the clock, ppm
    int poll_log2;                // system poll exponent, log2 s
    int steps;                    // steps done so far
    double last_step_s;           // last step amount, s (0 if none)
    double last_step_time;        // `now` of the last step (-1: never)
    double refused_offset_s;      // offset of the last refused step, s
    int nsources;
    struct disc_source_status sources[DISC_MAX_SOURCES];
};

// Fill *p with the defaults noted in struct disc_params.
void disc_params_default(struct disc_params *p);

// Create an instance; NULL if a parameter is out of range or on ENOMEM. The clock is assumed to
// run at p->initial_freq_ppm from now on (the caller sets it).
struct disc *disc_create(const struct disc_params *p);
void disc_destroy(struct disc *d);

// Add a source; returns its id (>= 0), or -1 if the configuration is invalid or the table full.
int disc_add_source(struct disc *d, const struct disc_source_config *cfg);
// Forget a source (its id may be reused). Unknown ids are ignored.
void disc_remove_source(struct disc *d, int id);

// A request was sent to the source: shifts its reach register left (call once per poll).
void disc_source_polled(struct disc *d, int id, double now);
// A valid reply arrived (the caller checked origin timestamp, mode, KoD). Sets reach bit 0
// whatever the filter then does with the sample: the source answered.
enum disc_sample_result disc_source_sample(struct disc *d, int id, const struct disc_sample *s,
                                           double now);
// A reference clock reading (source added with is_refclock). Sets reach bit 0 (as above).
enum disc_sample_result disc_refclock_sample(struct disc *d, int id,
                                             const struct disc_refclock_sample *s, double now);

// Select, combine, run the loop. Call after every sample and at least once per poll interval.
// *out is always filled: apply freq_ppm and the kernel status every time.
void disc_update(struct disc *d, double now, struct disc_action *out);
// The clock was stepped by step_s (normally out->step_s of the previous disc_update(); less
// when the caller's bound cut the step).
void disc_clock_stepped(struct disc *d, double step_s);

// The step of the previous disc_update() could not be made (the clock driver failed, or the
// caller's bound left nothing of it): it is not counted as a step.
void disc_step_failed(struct disc *d);

// The caller set freq_ppm instead of out->freq_ppm of the disc_update() at `now` (its bound cut
// the frequency): the discipline counts the correction actually applied.
void disc_frequency_applied(struct disc *d, double now, double freq_ppm);

// The number of sources the configuration will bring (servers, pool members, reference
// clocks), for the start-up majority (disc_params.startup_wait_s). Default 1.
void disc_set_expected_sources(struct disc *d, int n);
// The clock was disrupted (VMClock: live migration, snapshot restore): forget every source's
// samples (their filters start again, with a frequency prior of at least
// DISC_DISRUPTION_FREQ_SD_PPM) and report "not synchronised" (DISC_SYNC_STARTING) until the next
// selection. Sources, reach registers and the frequency estimate are kept.
#define DISC_DISRUPTION_FREQ_SD_PPM 50.0 // a new host's counter: typically within +-50 ppm
void disc_reset_samples(struct disc *d);

// System variables and per-source state at `now`.
void disc_get_status(const struct disc *d, double now, struct disc_status *out);
// Poll exponent (log2 s) to use for the source now, within its min_poll..max_poll; -1 bad id.
int disc_poll_interval(const struct disc *d, int id);

// Short English text for enums (never NULL).
const char *disc_reason_str(enum disc_reason r);
const char *disc_sync_reason_str(enum disc_sync_reason r);
const char *disc_sample_result_str(enum disc_sample_result r);

#endif
