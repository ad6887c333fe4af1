// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>

#include "discipline/loop.h"

void loop_init(struct loop_state *l, const struct disc_params *p)
{
    *l = (struct loop_state){0};
    l->tokens = p->step_budget;
    l->token_time = -INFINITY;
    l->poll_log2 = DISC_MIN_POLL_LIMIT;
}

static double step_threshold(const struct loop_state *l, const struct disc_params *p)
{
    if (p->step_threshold_s <= 0)
        return INFINITY; // never step
    if (!l->corrected && p->startup_step_threshold_s > 0)
        return fmin(p->startup_step_threshold_s, p->step_threshold_s);
    return p->step_threshold_s;
}

static void refill(struct loop_state *l, const struct disc_params *p, double now)
{
    if (!isfinite(l->token_time)) {
        l->token_time = now;
        return;
    }
    double gained = (now - l->token_time) / p->step_budget_period_s;
    if (gained <= 0)
        return;
    l->tokens = fmin(l->tokens + gained, (double)p->step_budget);
    l->token_time = now;
}

bool loop_panics(const struct loop_state *l, const struct disc_params *p, double offset_s)
{
    bool beyond_panic = p->panic_threshold_s > 0 && fabs(offset_s) > p->panic_threshold_s;
    return beyond_panic && !(p->allow_big_first_step && !l->corrected);
}

enum loop_decision loop_decide(struct loop_state *l, const struct disc_params *p, double offset_s,
                               bool confirmed, double now)
{
    refill(l, p, now);
    double size = fabs(offset_s);
    bool beyond_panic = p->panic_threshold_s > 0 && size > p->panic_threshold_s;
    if (size <= step_threshold(l, p) && !beyond_panic) {
        l->corrected = true;
        return LOOP_SLEW;
    }
    if (!confirmed)
        return LOOP_WAIT;
    if (loop_panics(l, p, offset_s))
        return LOOP_PANIC;
    if (p->step_threshold_s <= 0) {
        l->corrected = true;
        return LOOP_SLEW;
    }
    if (l->corrected && l->tokens < 1)
        return LOOP_RATE_LIMIT;
    return LOOP_STEP;
}

void loop_step_taken(struct loop_state *l)
{
    if (l->corrected)
        l->tokens -= 1;
    l->corrected = true;
    l->steps++;
}

static double clamp(double x, double limit)
{
    return x > limit ? limit : x < -limit ? -limit : x;
}

double loop_frequency(const struct disc_params *p, double base_ppm, double offset_s, double tau_s)
{
    double phase_ppm = clamp(offset_s / tau_s * 1e6, p->max_slew_ppm);
    return clamp(base_ppm + phase_ppm, p->max_freq_ppm);
}

// Phase error the frequency wander q ((s/s)^2 per s) accumulates over t seconds, s.
static double wander_error(double q, double t)
{
    return sqrt(q * t * t * t / 3);
}

int loop_adapt_poll(struct loop_state *l, double q, double jitter_s, int min_poll, int max_poll)
{
    if (l->poll_log2 < min_poll)
        l->poll_log2 = min_poll;
    if (l->poll_log2 > max_poll)
        l->poll_log2 = max_poll;
    double t = ldexp(1.0, l->poll_log2);
    if (wander_error(q, 2 * t) < LOOP_POLL_UP * jitter_s)
        l->poll_counter = l->poll_counter < 0 ? 1 : l->poll_counter + 1;
    else if (wander_error(q, t) > LOOP_POLL_DOWN * jitter_s)
        l->poll_counter = l->poll_counter > 0 ? -1 : l->poll_counter - 1;
    else
        l->poll_counter = 0;
    if (l->poll_counter >= LOOP_POLL_HOLD && l->poll_log2 < max_poll) {
        l->poll_log2++;
        l->poll_counter = 0;
    } else if (l->poll_counter <= -LOOP_POLL_HOLD / 2 && l->poll_log2 > min_poll) {
        l->poll_log2--;
        l->poll_counter = 0;
    }
    return l->poll_log2;
}
