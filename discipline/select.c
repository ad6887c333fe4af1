// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "discipline/discipline.h"
#include "discipline/select.h"

struct endpoint {
    double value;
    int type; // -1 lower end, 0 midpoint, +1 upper end
};

static int cmp_endpoint(const void *a, const void *b)
{
    const struct endpoint *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->type - y->type; // on ties: lower ends first, upper ends last (inclusive)
}

// One pass of the RFC 5905 intersection with `allow` falsetickers. Returns the number of
// midpoints found outside [*low, *high].
static int intersect_pass(const struct endpoint *e, int n, int allow, double *low, double *high)
{
    int found = 0, chime = 0;
    *low = INFINITY;
    *high = -INFINITY;
    for (int i = 0; i < 3 * n; i++) {
        chime -= e[i].type;
        if (chime >= n - allow) {
            *low = e[i].value;
            break;
        }
        if (e[i].type == 0)
            found++;
    }
    chime = 0;
    for (int i = 3 * n - 1; i >= 0; i--) {
        chime += e[i].type;
        if (chime >= n - allow) {
            *high = e[i].value;
            break;
        }
        if (e[i].type == 0)
            found++;
    }
    return found;
}

bool sel_intersect(struct sel_candidate *c, int n, double *low, double *high)
{
    struct endpoint *e = calloc((size_t)(3 * n) + 1, sizeof(*e));
    bool ok = false;
    if (e) {
        for (int i = 0; i < n; i++) {
            e[3 * i] = (struct endpoint){c[i].offset_s - c[i].root_distance_s, -1};
            e[3 * i + 1] = (struct endpoint){c[i].offset_s, 0};
            e[3 * i + 2] = (struct endpoint){c[i].offset_s + c[i].root_distance_s, 1};
        }
        qsort(e, (size_t)(3 * n), sizeof(*e), cmp_endpoint);
        for (int allow = 0; 2 * allow < n && !ok; allow++) {
            int found = intersect_pass(e, n, allow, low, high);
            ok = found <= allow && *low <= *high;
        }
        free(e);
    }
    for (int i = 0; i < n; i++) {
        bool inside = ok && c[i].offset_s >= *low && c[i].offset_s <= *high;
        c[i].tally = inside ? DISC_TALLY_CANDIDATE : DISC_TALLY_FALSETICKER;
    }
    return ok;
}

static double metric(const struct sel_candidate *c)
{
    return c->stratum * SEL_STRATUM_WEIGHT + c->root_distance_s;
}

static int count_tally(const struct sel_candidate *c, int n, char tally)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += c[i].tally == tally;
    return k;
}

// RMS distance of candidate i's offset from the other survivors' offsets.
static double selection_jitter(const struct sel_candidate *c, int n, int i, int nsurv)
{
    double sum = 0;
    for (int j = 0; j < n; j++)
        if (c[j].tally == DISC_TALLY_CANDIDATE) {
            double d = c[j].offset_s - c[i].offset_s;
            sum += d * d;
        }
    return sqrt(sum / (nsurv - 1));
}

// RFC 5905 clustering: drop the survivor whose offset disagrees most with the others while that
// disagreement exceeds the smallest source jitter. A prefer source is never dropped.
static void cluster(struct sel_candidate *c, int n, int min_cluster)
{
    int nsurv = count_tally(c, n, DISC_TALLY_CANDIDATE);
    while (nsurv > min_cluster) {
        int worst = -1;
        double worst_phi = -1, min_psi = INFINITY;
        for (int i = 0; i < n; i++) {
            if (c[i].tally != DISC_TALLY_CANDIDATE)
                continue;
            min_psi = fmin(min_psi, c[i].jitter_s);
            double phi = selection_jitter(c, n, i, nsurv);
            if (!c[i].prefer && phi > worst_phi) {
                worst_phi = phi;
                worst = i;
            }
        }
        if (worst < 0 || worst_phi <= min_psi)
            break;
        c[worst].tally = DISC_TALLY_OUTLIER;
        nsurv--;
    }
}

// Marks survivors beyond max_combine (worst metric first) as excess.
static void limit_combined(struct sel_candidate *c, int n, int max_combine)
{
    while (count_tally(c, n, DISC_TALLY_CANDIDATE) > max_combine) {
        int worst = -1;
        for (int i = 0; i < n; i++)
            if (c[i].tally == DISC_TALLY_CANDIDATE && !c[i].prefer &&
                (worst < 0 || metric(&c[i]) > metric(&c[worst])))
                worst = i;
        if (worst < 0)
            return;
        c[worst].tally = DISC_TALLY_EXCESS;
    }
}

static bool better_peer(const struct sel_candidate *a, const struct sel_candidate *b)
{
    if (a->prefer != b->prefer)
        return a->prefer;
    return metric(a) < metric(b);
}

static int choose_peer(const struct sel_candidate *c, int n, int prev_peer_id)
{
    int best = -1, prev = -1;
    for (int i = 0; i < n; i++) {
        if (c[i].tally != DISC_TALLY_CANDIDATE)
            continue;
        if (best < 0 || better_peer(&c[i], &c[best]))
            best = i;
        if (c[i].id == prev_peer_id)
            prev = i;
    }
    if (prev < 0 || best == prev)
        return best;
    // Hysteresis: keep the current peer unless the best is preferred or clearly better.
    if (c[best].prefer && !c[prev].prefer)
        return best;
    if (!c[best].prefer && c[prev].prefer)
        return prev;
    return metric(&c[best]) < SEL_HYSTERESIS * metric(&c[prev]) ? best : prev;
}

// Offsets weighted by 1/lambda^2; a preferred reference clock alone sets the offset.
static void combine(const struct sel_candidate *c, int n, int peer, struct sel_result *r)
{
    const struct sel_candidate *p = &c[peer];
    if (p->prefer && p->refclock) {
        r->offset_s = p->offset_s;
        r->jitter_s = p->jitter_s;
        return;
    }
    double wsum = 0, osum = 0;
    for (int i = 0; i < n; i++)
        if (c[i].tally == DISC_TALLY_CANDIDATE || i == peer) {
            double w = 1 / (c[i].root_distance_s * c[i].root_distance_s);
            wsum += w;
            osum += w * c[i].offset_s;
        }
    r->offset_s = osum / wsum;
    double vsum = 0;
    for (int i = 0; i < n; i++)
        if (c[i].tally == DISC_TALLY_CANDIDATE || i == peer) {
            double w = 1 / (c[i].root_distance_s * c[i].root_distance_s);
            double d = c[i].offset_s - r->offset_s;
            vsum += w * d * d;
        }
    r->jitter_s = sqrt(vsum / wsum + p->jitter_s * p->jitter_s);
}

void sel_select(struct sel_candidate *c, int n, int min_sources, int prev_peer_id,
                struct sel_result *r)
{
    sel_select_limits(c, n, min_sources, SEL_MIN_CLUSTER, SEL_MAX_COMBINE, prev_peer_id, r);
}

void sel_select_limits(struct sel_candidate *c, int n, int min_sources, int min_cluster,
                       int max_combine, int prev_peer_id, struct sel_result *r)
{
    *r = (struct sel_result){.sys_peer_id = -1, .sys_peer = -1};
    if (n <= 0)
        return;
    double low, high;
    if (!sel_intersect(c, n, &low, &high)) {
        r->no_majority = true;
        return;
    }
    if (count_tally(c, n, DISC_TALLY_CANDIDATE) < min_sources)
        return;
    cluster(c, n, min_cluster);
    limit_combined(c, n, max_combine);
    int peer = choose_peer(c, n, prev_peer_id);
    if (peer < 0)
        return;
    r->survivors = count_tally(c, n, DISC_TALLY_CANDIDATE);
    combine(c, n, peer, r);
    c[peer].tally = DISC_TALLY_SYSPEER;
    r->ok = true;
    r->sys_peer = peer;
    r->sys_peer_id = c[peer].id;
}
