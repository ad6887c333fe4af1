// SPDX-License-Identifier: ISC
// Discipline simulator: a local oscillator, NTP servers, a network, and the real discipline
// (discipline/discipline.h) driven through its facade. Event-driven: the clock is advanced
// exactly to each event (poll, reply arrival, metric tick), so frequency changes apply at the
// instant the discipline asks for them.
//
// Models:
//  - Oscillator: frequency error freq_ppm plus a random walk: every second the frequency
//    changes by wander * N(0, 1) (s/s), i.e. wander is the random-walk intensity in s/s per
//    sqrt(s); after T seconds the frequency has wandered by wander * sqrt(T).
//  - Network: one-way delay = base + Exp(jitter_mean) each way (plus asym_s on the
//    server-to-client way), independent loss probability per exchange.
//  - Servers: perfect clocks plus a fixed offset (a falseticker has a non-zero one); kernel-like
//    timestamp noise N(0, ts_noise) on all four timestamps; 10 us processing time.
#ifndef TSYNC_BENCH_SIM_H
#define TSYNC_BENCH_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "discipline/discipline.h"

#define SIM_MAX_SERVERS 8
#define SIM_MAX_EVENTS  4

// Something that happens during a run, at at_s (true time, s).
enum sim_event_kind {
    SIM_EV_NONE,
    SIM_EV_SERVER_STEP, // server `server`'s clock steps by value s
    SIM_EV_DELAY_STEP,  // the one-way base delay changes by value s (a route change)
    SIM_EV_FREQ_STEP,   // the oscillator's frequency changes by value ppm (temperature)
    SIM_EV_LOSS_BURST,  // every exchange is lost for duration_s
    SIM_EV_LEAP,        // the servers announce a leap second (value +1 insert, -1 delete)
                        // from at_s for duration_s, then UTC repeats (or skips) a second
};

struct sim_event {
    enum sim_event_kind kind;
    double at_s;
    double value;
    double duration_s;
    int server;
};

struct sim_config {
    const char *name;                        // scenario letter
    const char *desc;                        // one line description
    double duration_s;                       // simulated time
    int nservers;                            // servers
    double server_offset_s[SIM_MAX_SERVERS]; // server clock errors (falsetickers), s
    double base_delay_s;                     // one-way base delay, s
    double jitter_mean_s;                    // mean of the exponential one-way jitter, s
    double jitter_back_mean_s;               // server-to-client jitter mean if not the same, s
    double asym_s;                           // extra server-to-client delay, s
    double loss;                             // probability an exchange is lost
    double freq_ppm;                         // oscillator frequency error, ppm (+ = runs fast)
    double wander;                           // frequency random walk, s/s per sqrt(s)
    double ts_noise_s;                       // timestamp noise (1 sigma), s
    double initial_offset_s;                 // initial local clock error (+ = local ahead), s
    int poll_log2;                           // minpoll, log2 s
    int max_poll_log2;                       // maxpoll, log2 s (0: = poll_log2, fixed)
    bool iburst;                             // first 6 polls 2 s apart
    bool allow_big_first_step;               // -g
    double jump_at_s;                        // time of a sudden local clock jump (0: none), s
    double jump_s;                           // its size (+ = local jumps ahead), s
    double server_start_s[SIM_MAX_SERVERS];  // a server's first request is sent this late, s
    struct sim_event events[SIM_MAX_EVENTS]; // in any order; kind SIM_EV_NONE ends the list
    bool have_initial_freq;                  // a drift file: start at initial_freq_ppm
    double initial_freq_ppm;
    uint64_t seed;
    bool trace;    // print every update on stderr
    bool baseline; // drive the RFC 5905 / ntpd reference loop (rfc5905.h) instead, 1 server
};

struct sim_result {
    double rms_s;              // RMS of the clock error over the second half (after the jump
                               // for a jump scenario), s
    double max_s;              // max |clock error| over the same period, s
    double settle_s;           // time from start (or jump) until |error| < 1 ms for good, s
    double freq_rms_ppm;       // RMS of the frequency estimate error over the second half, ppm
    int steps;                 // steps done
    int refusals;              // updates that reported a refused step
    double final_error_s;      // clock error at the end, s
    bool falseticker_used;     // a falseticker (a server off by 1 ms or more at the time) was
                               // '+' or '*' at some update
    double max_after_events_s; // max |clock error| from 600 s after the first event on, s
    double final_freq_ppm;     // the discipline's frequency estimate at the end (drift file)
    double max_total_s;        // max |clock error| over the whole run, s
    bool leap_armed;           // an update asked for the announced leap second
    bool leap_after;           // an update asked for one after it happened
    bool ok;                   // simulation ran (discipline created)
};

void sim_run(const struct sim_config *cfg, struct sim_result *res);

#endif
