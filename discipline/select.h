// SPDX-License-Identifier: ISC
// Source selection (RFC 5905 section 11.2 and appendix A.5.5): intersection of correctness
// intervals, clustering, combining, system peer choice with hysteresis.
#ifndef TSYNC_DISCIPLINE_SELECT_H
#define TSYNC_DISCIPLINE_SELECT_H

#include <stdbool.h>

// Survivors kept by clustering at least (RFC 5905 NMIN; default of tos minclock).
#define SEL_MIN_CLUSTER 3
// Survivors combined at most (default of ntpd tos maxclock); the others are "excess".
#define SEL_MAX_COMBINE 10
// Metric weight of one stratum, s (RFC 5905 MAXDIST): lower strata win the system peer.
#define SEL_STRATUM_WEIGHT 1.0
// The system peer changes only if another survivor's metric is better by this factor.
#define SEL_HYSTERESIS 0.5

// A selectable source (reachable, not noselect, stratum and distance within limits).
struct sel_candidate {
    int id;                 // caller's source id
    double offset_s;        // offset predicted to now, s
    double root_distance_s; // correctness interval half-width (lambda), > 0, s
    double jitter_s;        // source jitter, s
    int stratum;            // source stratum (0 for a reference clock)
    bool prefer;            // configured prefer
    bool refclock;          // a reference clock
    char tally;             // out: 'x', '.', '-', '+' or '*' (enum disc_tally)
};

struct sel_result {
    bool ok;          // a system peer was chosen
    int survivors;    // candidates combined
    int sys_peer_id;  // id of the system peer, -1 if none
    int sys_peer;     // its index in the candidate array, -1 if none
    double offset_s;  // combined offset, s
    double jitter_s;  // system jitter (selection jitter combined with the peer jitter), s
    bool no_majority; // the intersection failed (no majority of truechimers)
};

// Intersection: the interval [*low, *high] agreed by the largest majority, and the number of
// falsetickers allowed to get it. Marks candidates whose offset lies outside with 'x', others
// '+'. Returns false (all marked 'x') when no majority of candidates agrees.
bool sel_intersect(struct sel_candidate *c, int n, double *low, double *high);

// Full selection over n candidates; prev_peer_id is the current system peer (-1 if none).
// Fails (r->ok false) when fewer than min_sources survive.
void sel_select(struct sel_candidate *c, int n, int min_sources, int prev_peer_id,
                struct sel_result *r);
// sel_select with a clustering floor (tos minclock) and a combining limit (tos maxclock) other
// than SEL_MIN_CLUSTER and SEL_MAX_COMBINE.
void sel_select_limits(struct sel_candidate *c, int n, int min_sources, int min_cluster,
                       int max_combine, int prev_peer_id, struct sel_result *r);

#endif
