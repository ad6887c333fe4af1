// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "discipline/filter.h"

// Initial frequency random-walk intensity: 1e-9 per sqrt(s) (a good quartz oscillator); the
// filter adapts it from its innovations between these bounds.
#define Q_INITIAL 1e-18
#define Q_MIN     1e-21
#define Q_MAX     1e-13
// A sample whose delay excess exceeds this many times the median excess is a popcorn spike...
#define POPCORN_RATIO 8.0
// ... unless that many spikes came in a row (the path changed).
#define POPCORN_MAX_RUN 4
// After this many consecutive agreeing far samples the source moved: rebase its phase.
#define PENDING_REBASE 6
// A sample further than the jump threshold plus this many standard deviations from the
// prediction is held as pending.
#define OUTLIER_SIGMAS 8.0
// Normalised innovation squared beyond which a sample is a surprise (3 sigma). When the current
// sample and another of the last SURPRISE_WINDOW are surprises, the filter is overconfident (its
// wander is too small for this oscillator, or the phase moved below the jump threshold): the
// covariance is inflated so the current innovation becomes plausible (by nis, at most
// SURPRISE_MAX_INFLATION) and the wander intensity doubles.
#define SURPRISE_NIS           9.0
#define SURPRISE_WINDOW        4
#define SURPRISE_MAX_INFLATION 100.0
// Wander adaptation: log(q) moves by Q_GAIN * (min(nis, NIS_CLIP) - NIS_TARGET) per sample
// (NIS_TARGET tuned with tests/bench/discipline; the clip keeps single outliers harmless).
#define NIS_CLIP   4.0
#define NIS_TARGET 0.9
#define Q_GAIN     0.02
// Path change: the best of the last PATH_RECENT delays exceeds the minimum by more than
// PATH_SHIFT_RATIO median excesses.
#define PATH_RECENT      16
#define PATH_SHIFT_RATIO 4.0
#define PATH_YOUNG       64 // a history of fewer delays is young (see detect_path_change)
// Until MIN_DELAY_DOUBT_N delays are known the minimum may be MIN_DELAY_DOUBT of itself too high
// (fading linearly to 0).
#define MIN_DELAY_DOUBT   0.25
#define MIN_DELAY_DOUBT_N 16.0
// Jitter asymmetry: the regression of innovations on half the delay excess, exponentially
// weighted over about ASYM_MEMORY samples; a lean is used once ASYM_MIN_N samples were seen and
// only where the coefficient is beyond ASYM_SIGNIFICANCE standard errors (a symmetric path, or
// a long poll whose prediction errors make the regression noisy, keeps the uniform model).
#define ASYM_MEMORY       64.0
#define ASYM_MIN_N        32
#define ASYM_SIGNIFICANCE 4.0

void flt_init(struct flt *f, double y0, double y0_sd, double jump_s)
{
    memset(f, 0, sizeof(*f));
    f->jump_s = jump_s;
    f->y = y0;
    f->p[1][1] = y0_sd * y0_sd;
    f->q = Q_INITIAL;
}

double flt_min_delay(const struct flt *f)
{
    double min = 0;
    for (int i = 0; i < f->ndelays; i++)
        if (i == 0 || f->delays[i] < min)
            min = f->delays[i];
    return min;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Index of the k-th most recent delay (k = 0: the last one).
static int recent_index(const struct flt *f, int k)
{
    return (f->delay_pos - 1 - k + 2 * FLT_DELAY_HIST) % FLT_DELAY_HIST;
}

// Median excess over base_s of the n (<= ndelays) most recent delays, s.
static double recent_median_excess(const struct flt *f, int n, double base_s)
{
    double tmp[FLT_DELAY_HIST];
    for (int k = 0; k < n; k++)
        tmp[k] = f->delays[recent_index(f, k)] - base_s;
    qsort(tmp, (size_t)n, sizeof(tmp[0]), cmp_double);
    return tmp[n / 2];
}

// Median excess of the whole history over min_delay, s.
static double median_excess(const struct flt *f, double min_delay)
{
    return recent_median_excess(f, f->ndelays, min_delay);
}

// When even the best of the recent delays is far above the minimum, the path changed: forget
// the older delays so the minimum (and the error model) follows the new path. "Far" is counted
// in median excesses of the history; while the history is young (restarted not long ago), also
// in the recent delays' own spread: a restart near a route change can keep one late delay of
// the old path as the minimum, and the history's median is then soon the new path's, which
// would hide the stale minimum for the 256 delays the history holds.
static void detect_path_change(struct flt *f)
{
    if (f->ndelays <= PATH_RECENT)
        return;
    double recent_min = INFINITY;
    for (int k = 0; k < PATH_RECENT; k++)
        recent_min = fmin(recent_min, f->delays[recent_index(f, k)]);
    double min = flt_min_delay(f), yardstick = median_excess(f, min);
    if (f->ndelays < PATH_YOUNG)
        yardstick = fmin(yardstick, recent_median_excess(f, PATH_RECENT, recent_min));
    if (recent_min - min <= PATH_SHIFT_RATIO * yardstick)
        return;
    double keep[PATH_RECENT];
    for (int k = 0; k < PATH_RECENT; k++)
        keep[PATH_RECENT - 1 - k] = f->delays[recent_index(f, k)];
    memcpy(f->delays, keep, sizeof(keep));
    f->ndelays = PATH_RECENT;
    f->delay_pos = PATH_RECENT;
    // the old path's lean says nothing about the new one, and it was learnt from excesses that
    // were the path's change, not its queues
    f->asym_svh = f->asym_shh = f->asym_svv = f->asym_w = f->asym_scale = 0;
    f->asym_n = 0;
}

static void remember_delay(struct flt *f, double delay)
{
    f->delays[f->delay_pos] = delay;
    f->delay_pos = (f->delay_pos + 1) % FLT_DELAY_HIST;
    if (f->ndelays < FLT_DELAY_HIST)
        f->ndelays++;
    detect_path_change(f);
}

static bool is_popcorn(struct flt *f, const struct flt_input *in)
{
    if (f->ndelays < 8) {
        f->popcorn_run = 0;
        return false;
    }
    double min = flt_min_delay(f);
    double limit = POPCORN_RATIO * median_excess(f, min) + 2 * in->dispersion_s + in->noise_s;
    if (in->delay_s - min <= limit || f->popcorn_run >= POPCORN_MAX_RUN) {
        f->popcorn_run = 0;
        return false;
    }
    f->popcorn_run++;
    f->popcorn_count++;
    return true;
}

// Half the delay excess of a sample over the recent minimum delay, s.
static double half_excess(const struct flt *f, const struct flt_input *in)
{
    return f->ndelays > 0 ? fmax(in->delay_s - flt_min_delay(f), 0) / 2 : 0;
}

// The offset error of an exchange is half the difference of the queueing delays of its two
// ways. With the same exponential jitter both ways it is uniform within +-half the excess (the
// error model below). When one way carries more of the jitter (a congested downlink) the truth
// leans to one edge of the bound: with exponential queues of means a (quiet way) and b, it sits
// at that edge plus the quiet way's queueing, exponential of mean about ab/(b - a). The filter
// learns the lean (the sign of the regression of its innovations on half the excess, where
// significant) and that scale s from the wide samples, and then weights the bound by
// exp(-distance from the tight edge / s) instead of uniformly.

// Mean squared residual of the regression, s^2.
static double asym_residual(const struct flt *f, double beta)
{
    return fmax(f->asym_svv - 2 * beta * f->asym_svh + beta * beta * f->asym_shh, 0) / f->asym_w;
}

// +1: the truth leans to the low edge of the bound in u (queueing mostly on the way back), -1:
// to the high edge, 0: no significant lean.
static int asym_lean(const struct flt *f)
{
    if (f->asym_n < ASYM_MIN_N || !(f->asym_shh > 0))
        return 0;
    double beta = f->asym_svh / f->asym_shh;
    double se = sqrt(asym_residual(f, beta) / f->asym_shh);
    return fabs(beta) > ASYM_SIGNIFICANCE * se ? (beta > 0 ? 1 : -1) : 0;
}

// The weight exponent of the bound, 1/s (signed by the lean; 0 without one), 1/s.
static double asym_kappa(const struct flt *f)
{
    int lean = asym_lean(f);
    return lean != 0 && f->asym_scale > 0 ? lean / f->asym_scale : 0;
}

static void asym_learn(struct flt *f, double innovation, double h)
{
    double keep = 1 - 1 / ASYM_MEMORY;
    f->asym_svh = keep * f->asym_svh + innovation * h;
    f->asym_shh = keep * f->asym_shh + h * h;
    f->asym_svv = keep * f->asym_svv + innovation * innovation;
    f->asym_w = keep * f->asym_w + 1;
    f->asym_n++;
    int lean = asym_lean(f);
    if (lean == 0)
        return;
    // distance of the truth from the tight edge, as far as the prediction shows it
    double x = fmin(fmax(h - lean * innovation, 0), 2 * h);
    if (!(f->asym_scale > 0))
        f->asym_scale = fmax(x, 1e-9);
    else if (h > 2 * f->asym_scale) // only where the bound does not cut the distribution
        f->asym_scale += (x - f->asym_scale) / ASYM_MEMORY;
}

// Offset error model of a sample: within +-half_width (half the delay excess), uniform or
// weighted by the lean (kappa, above), blurred by Gaussian noise of variance gauss_var
// (timestamps, precision). The excess is counted from the recent minimum delay, which itself
// exceeds the true minimum by about the median excess / sqrt(number of delays).
struct error_model {
    double half_width; // s
    double gauss_var;  // s^2
    double kappa;      // weight exp(-kappa * u) within the bound, 1/s (0: uniform)
};

static struct error_model error_model(const struct flt *f, const struct flt_input *in)
{
    double excess = 0;
    if (f->ndelays > 0) {
        double min = flt_min_delay(f);
        excess = fmax(in->delay_s - min, 0) + median_excess(f, min) / sqrt(f->ndelays) +
                 MIN_DELAY_DOUBT * min * fmax(1 - f->ndelays / MIN_DELAY_DOUBT_N, 0);
    }
    return (struct error_model){
        .half_width = excess / 2,
        .gauss_var = in->noise_s * in->noise_s + in->dispersion_s * in->dispersion_s / 3,
        .kappa = asym_kappa(f),
    };
}

// Variance of the offset error of a sample (Gaussian equivalent of the error model), s^2.
static double measurement_var(const struct flt *f, const struct flt_input *in)
{
    struct error_model e = error_model(f, in);
    return e.gauss_var + e.half_width * e.half_width / 3;
}

void flt_predict(const struct flt *f, double t, double *u, double *u_var)
{
    double dt = t - f->t;
    *u = f->u + f->y * dt;
    if (u_var)
        *u_var =
            f->p[0][0] + 2 * dt * f->p[0][1] + dt * dt * f->p[1][1] + f->q * fabs(dt * dt * dt) / 3;
}

static void predict_to(struct flt *f, double t)
{
    double dt = t - f->t;
    if (dt <= 0)
        return;
    double p00 = f->p[0][0], p01 = f->p[0][1], p11 = f->p[1][1];
    f->u += f->y * dt;
    f->p[0][0] = p00 + 2 * dt * p01 + dt * dt * p11 + f->q * dt * dt * dt / 3;
    f->p[0][1] = p01 + dt * p11 + f->q * dt * dt / 2;
    f->p[1][0] = f->p[0][1];
    f->p[1][1] = p11 + f->q * dt;
    f->t = t;
}

// Keeps the normalised innovations at their expected size by adapting the wander intensity:
// a slow stochastic approximation in log(q). The innovation squared is clipped at NIS_CLIP
// (robust to the odd outlier); NIS_TARGET is its mean for a well-tuned filter.
static void adapt_q(struct flt *f, double nis)
{
    double clipped = fmin(nis, NIS_CLIP);
    if (f->n < 16)
        return;
    f->q = fmin(fmax(f->q * exp(Q_GAIN * (clipped - NIS_TARGET)), Q_MIN), Q_MAX);
}

// Standard normal upper tail probability.
static double upper_tail(double x)
{
    return 0.5 * erfc(x / M_SQRT2);
}

// Posterior mean and variance of u from the prior N(m, p) and a sample z whose error follows
// the error model: the prior times [Phi(beta) - Phi(gamma)], moments in closed form. The lean
// weight exp(-kappa u) times the prior is the prior shifted to m - kappa p, so the same
// formulas hold around that mean. False when the sample is too unlikely under the prior for
// the formula to be accurate.
static bool bounded_posterior(double m, double p, double z, const struct error_model *e,
                              double *mean, double *var)
{
    m -= e->kappa * p;
    double sd = sqrt(p + e->gauss_var);
    double beta = (z + e->half_width - m) / sd, gamma = (z - e->half_width - m) / sd;
    double mass; // Phi(beta) - Phi(gamma), in the tail where it is accurate
    if (gamma > 0)
        mass = upper_tail(gamma) - upper_tail(beta);
    else if (beta < 0)
        mass = upper_tail(-beta) - upper_tail(-gamma);
    else
        mass = 1 - upper_tail(beta) - upper_tail(-gamma);
    if (!(mass > 1e-9))
        return false;
    double pdf_b = exp(-beta * beta / 2) / sqrt(2 * M_PI);
    double pdf_g = exp(-gamma * gamma / 2) / sqrt(2 * M_PI);
    double d1 = -(pdf_b - pdf_g) / sd / mass;                      // d log(mass) / dm
    double d2 = (gamma * pdf_g - beta * pdf_b) / (sd * sd) / mass; // mass'' / mass
    *mean = m + p * d1;
    *var = p + p * p * (d2 - d1 * d1);
    return *var > 0 && isfinite(*mean);
}

static void inflate(struct flt *f, double factor)
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            f->p[i][j] *= factor;
}

// Measurement update (u observed, y correlated): assumed-density filtering with the bounded
// error model, the Kalman update as the fallback.
static void measurement_update(struct flt *f, const struct flt_input *in)
{
    predict_to(f, in->t);
    struct error_model e = error_model(f, in);
    double r = e.gauss_var + e.half_width * e.half_width / 3;
    double innov = in->u - f->u;
    double nis = innov * innov / (f->p[0][0] + r);
    bool surprise = nis > SURPRISE_NIS;
    f->surprises = ((f->surprises << 1) | surprise) & ((1u << SURPRISE_WINDOW) - 1);
    if (surprise && __builtin_popcount(f->surprises) >= 2) {
        inflate(f, fmin(nis, SURPRISE_MAX_INFLATION));
        f->q = fmin(f->q * 2, Q_MAX);
    }
    double p00 = f->p[0][0], p01 = f->p[0][1];
    double mean, var;
    if (!bounded_posterior(f->u, p00, in->u, &e, &mean, &var)) {
        mean = f->u + p00 / (p00 + r) * innov;
        var = p00 * r / (p00 + r);
    }
    double gain = p01 / p00; // regression of y on u
    f->y += gain * (mean - f->u);
    f->u = mean;
    f->p[0][0] = var;
    f->p[0][1] = f->p[1][0] = p01 * var / p00;
    f->p[1][1] += gain * gain * (var - p00);
    // The wander is learnt from the tight samples only: their error is small whatever the
    // shape of the queueing jitter, while a wide sample's error is only bounded (on an
    // asymmetric path it sits at the edge of its bound, three times the variance assumed).
    if (f->ndelays > 0 && 2 * half_excess(f, in) <= median_excess(f, flt_min_delay(f)))
        adapt_q(f, nis);
    f->jitter2 += (innov * innov - f->jitter2) / 8;
}

static void accept(struct flt *f, const struct flt_input *in)
{
    if (f->n == 0) {
        double r = measurement_var(f, in);
        f->t = in->t;
        f->u = in->u;
        f->p[0][0] = r;
        f->p[0][1] = f->p[1][0] = 0;
        f->jitter2 = r;
        f->t_first = in->t;
    } else {
        measurement_update(f, in);
    }
    f->n++;
    f->last_delay_s = in->delay_s;
    f->last_dispersion_s = in->dispersion_s;
    f->last_u = in->u;
    f->last_t = in->t;
}

// Disagreement beyond which a sample is an outlier for a prediction of variance u_var, s.
static double outlier_gate(const struct flt *f, const struct flt_input *in, double u_var)
{
    return f->jump_s + OUTLIER_SIGMAS * sqrt(u_var + measurement_var(f, in));
}

static void push_pending(struct flt *f, const struct flt_input *in)
{
    if (f->npending > 0) {
        struct flt_pending_run run;
        flt_pending(f, in->t, &run);
        if (fabs(in->u - run.u) > outlier_gate(f, in, run.var))
            f->npending = 0; // does not agree with the run: start a new one
    }
    if (f->npending == FLT_PENDING) {
        memmove(&f->pending[0], &f->pending[1], sizeof(f->pending[0]) * (FLT_PENDING - 1));
        f->npending--;
    }
    f->pending[f->npending++] = *in;
}

double flt_jitter(const struct flt *f)
{
    return sqrt(f->jitter2);
}

bool flt_pending(const struct flt *f, double t, struct flt_pending_run *run)
{
    if (f->npending == 0)
        return false;
    double sum = 0, var = 0;
    for (int i = 0; i < f->npending; i++) {
        sum += f->pending[i].u + f->y * (t - f->pending[i].t);
        var += measurement_var(f, &f->pending[i]);
    }
    run->u = sum / f->npending;
    run->var = var / f->npending / f->npending;
    run->count = f->npending;
    run->span_s = f->pending[f->npending - 1].t - f->pending[0].t;
    return true;
}

void flt_shift(struct flt *f, double du, double du_var)
{
    f->u += du;
    f->last_u += du;
    f->p[0][0] += du_var;
    struct flt_input held[FLT_PENDING];
    int n = f->npending;
    memcpy(held, f->pending, sizeof(held[0]) * (size_t)n);
    f->npending = 0;
    for (int i = 0; i < n; i++) {
        double u_pred, u_var;
        flt_predict(f, held[i].t, &u_pred, &u_var);
        if (held[i].t >= f->t && fabs(held[i].u - u_pred) <= outlier_gate(f, &held[i], u_var))
            accept(f, &held[i]);
    }
}

enum flt_result flt_add(struct flt *f, const struct flt_input *raw)
{
    bool popcorn = is_popcorn(f, raw);
    remember_delay(f, raw->delay_s);
    if (popcorn)
        return FLT_POPCORN;
    double h = half_excess(f, raw);
    const struct flt_input *in = raw;
    if (f->n > 0) {
        double u_pred, u_var;
        flt_predict(f, in->t, &u_pred, &u_var);
        if (fabs(in->u - u_pred) > outlier_gate(f, in, u_var)) {
            push_pending(f, in);
            if (f->npending < PENDING_REBASE)
                return FLT_PENDING_JUMP;
            struct flt_pending_run run;
            flt_pending(f, in->t, &run);
            flt_shift(f, run.u - u_pred, run.var);
            return FLT_ACCEPTED;
        }
    }
    f->npending = 0;
    if (f->n > 0) {
        double u_pred;
        flt_predict(f, in->t, &u_pred, NULL);
        asym_learn(f, in->u - u_pred, h);
    }
    accept(f, in);
    return FLT_ACCEPTED;
}
