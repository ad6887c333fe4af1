// SPDX-License-Identifier: ISC
/* The parent's state machine: apply discipline actions, events, "never silent", snapshots. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/main/notify.h"
#include "daemon/parent/parent_int.h"
#include "discipline/driftfile.h"

#define REFUSAL_LOG_INTERVAL_S 10.0   /* panic refusals are repeated this often at most */
#define MAX_WARNING_INTERVAL_S 3600.0 /* backoff ceiling of "not synchronised" warnings */
#define STARTUP_GRACE_S        8.0    /* iburst needs a few exchanges before a step */
#define BURST_SPACING_S        2.0    /* polls are at least this far apart in a burst */
#define REPLY_GRACE_S          2.0    /* a reply in flight, a busy child */
#define STARTING_GRACE_S       30.0   /* answered, confirming the first offset: no warning yet */
#define ONCE_DEFAULT_TIMEOUT_S 120.0

int parent_reject(struct parent *p, const char *why)
{
    log_err("malformed message from the network child: %s; the clock is left as it is", why);
    (void)p;
    return -1;
}

void parent_push_map(struct parent *p)
{
    p->map_pending = true;
}

static void send_map(struct parent *p)
{
    struct msg_clock_map m;
    struct clk_map map;

    clk_get_map(p->clk, &map);
    msg_clock_map_from_clk(&map, &m);
    m.generation = p->map_generation;
    if (chan_send(p->child, MSG_CLOCK_MAP, &p->tx_seq, &m, sizeof(m)) == 0)
        p->map_pending = false;
    else
        log_debug("clock map not sent yet: %m");
}

void parent_flush(struct parent *p, double now)
{
    if (p->child == NULL)
        return;
    if (p->map_pending)
        send_map(p);
    if (p->snapshot_pending && !p->map_pending)
        parent_send_snapshot(p, now);
}

static void log_refusal(struct parent *p, const struct disc_action *a, double now)
{
    if (now - p->last_refusal_log < REFUSAL_LOG_INTERVAL_S)
        return;
    p->last_refusal_log = now;
    if (a->refusal == DISC_REFUSAL_PANIC) {
        char detail[128];

        snprintf(detail, sizeof(detail), "%+.6f s; set clock manually within %g s.",
                 a->refused_offset_s, p->cfg->panic_s);
        log_event(NULL, parent_sys_status(p, LOG_EV_PANIC_STOP), LOG_EV_PANIC_STOP, detail);
        log_err("panic: offset %+.6f s exceeds the panic threshold of %g s; the clock is NOT "
                "adjusted (start with -g or set the clock manually)",
                a->refused_offset_s, p->cfg->panic_s);
    } else {
        log_err("step of %+.6f s refused: step budget exhausted (too many steps); the clock is "
                "slewed instead",
                a->refused_offset_s);
    }
}

/* A step the driver refuses is reported as failed and not counted: the discipline forgets it
 * (its step count, last step and budget are as before the decision). */
static bool apply_step(struct parent *p, double step_s, double now)
{
    if (step_s == 0) { /* the guard left nothing of it */
        disc_step_failed(p->disc);
        return false;
    }
    if (clk_step(p->clk, step_s) < 0) {
        disc_step_failed(p->disc);
        log_err("clock step of %+.6f s FAILED: %s; the clock is unchanged", step_s,
                clk_error(p->clk));
        return false;
    }
    disc_clock_stepped(p->disc, step_s);
    parent_guard_stepped(p, now, step_s);
    p->map_generation++;
    p->stepped = true;
    log_event_clock_step(parent_sys_status(p, LOG_EV_CLOCK_STEP), step_s);
    log_notice("clock stepped by %+.6f s", step_s);
    return true;
}

/* The frequency (after the guard and the clock's limit), told to the discipline when either
 * changed it: the guard counts what the clock runs at, not what was asked. */
static bool apply_frequency(struct parent *p, const struct disc_action *a, double freq_ppm,
                            double now)
{
    freq_ppm = clk_limit_freq(p->clk, freq_ppm);
    if (freq_ppm != a->freq_ppm)
        disc_frequency_applied(p->disc, now, freq_ppm);
    if (freq_ppm == p->applied_freq_ppm)
        return false;
    if (clk_set_freq(p->clk, freq_ppm) < 0)
        log_err("cannot set the clock frequency: %s", clk_error(p->clk));
    p->applied_freq_ppm = freq_ppm;
    parent_guard_frequency(p, now, freq_ppm);
    return true;
}

static void apply_action(struct parent *p, const struct disc_action *a, double now)
{
    struct clk_status st = {
        .unsync = a->unsync || !p->responsive || p->obs.disrupted,
        .maxerror_s = a->max_error_s,
        .esterror_s = a->est_error_s,
    };
    /* an unsynchronised clock arms no leap second, not even the leapfile's */
    st.leap = st.unsync ? CLK_LEAP_NONE : parent_leap_decide(p, a->leap, now);
    if (st.unsync)
        p->leap_sign = 0;
    double step_s = a->step ? a->step_s : 0, freq_ppm = a->freq_ppm;
    bool map_changed = false;

    parent_guard_limit(p, now, &step_s, &freq_ppm);
    if (a->step)
        map_changed = apply_step(p, step_s, now);
    if (a->refusal != DISC_REFUSAL_NONE)
        log_refusal(p, a, now);
    map_changed |= apply_frequency(p, a, freq_ppm, now);
    if (clk_set_status(p->clk, &st) < 0)
        log_warning("cannot set the clock status: %s", clk_error(p->clk));
    else
        parent_guard_leap(p, st.leap);
    if (map_changed)
        parent_push_map(p);
}

/* A slot is responsive while its last reply (or, before any reply, its first request) is
 * younger than its poll interval (or the child's real one, after a change) plus the time the
 * child's repetitions of an unanswered request take and a grace for the reply in flight. A
 * lost packet is repeated within a second, so only a source silent through its repetitions
 * is unreachable: a blocked network is noticed within one poll interval, also right after the
 * start, and a single loss never raises an alarm. */
static bool slot_responsive(struct parent *p, const struct parent_slot *s, double now)
{
    double poll_s = fmax(fmax(ldexp(1.0, disc_poll_interval(p->disc, s->disc_id)), s->poll_gap),
                         BURST_SPACING_S);
    double since = s->last_reply >= 0 ? s->last_reply : s->first_poll;
    double retries_s = poll_s >= MSG_RETRY_MIN_POLL_S ? MSG_RETRIES * MSG_RETRY_TIMEOUT_S : 0;

    return since >= 0 && now - since <= poll_s + retries_s + REPLY_GRACE_S;
}

static bool any_polled(const struct parent *p)
{
    int i;

    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (p->slots[i].in_use && p->slots[i].first_poll >= 0)
            return true;
    }
    return false;
}

static double newest_reply(const struct parent *p)
{
    double newest = -1;
    int i;

    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (p->slots[i].in_use && p->slots[i].last_reply > newest)
            newest = p->slots[i].last_reply;
    }
    return newest;
}

static int count_slots(const struct parent *p)
{
    int i, n = 0;

    for (i = 0; i < MSG_MAX_SOURCES; i++)
        n += p->slots[i].in_use;
    return n;
}

static void describe_unsync(struct parent *p, const struct disc_status *st, double now)
{
    int n = count_slots(p);
    double newest = newest_reply(p);

    /* parent_clock_disrupted() or parent_clock_changed() said why (unless the sources went
     * silent meanwhile: that is said below) */
    if (p->obs.disrupted || (p->remeasuring && p->responsive))
        return;
    if (p->child == NULL)
        snprintf(p->reason, sizeof(p->reason), "the network child is restarting");
    else if (parent_child_silence(p, now) > PARENT_CHILD_QUIET_S)
        snprintf(p->reason, sizeof(p->reason), "the network child has not answered for %.0f s",
                 parent_child_silence(p, now));
    else if (n == 0)
        snprintf(p->reason, sizeof(p->reason), "no source: %s",
                 p->cfg->n_sources + p->cfg->n_refclocks == 0 ? "none configured"
                                                              : "names not resolved yet");
    else if (!p->responsive && newest < 0)
        snprintf(p->reason, sizeof(p->reason), "no reply from any of %d source%s for %.0f s", n,
                 n == 1 ? "" : "s", now - p->start);
    else if (!p->responsive)
        snprintf(p->reason, sizeof(p->reason),
                 "no source reachable: no reply from any of %d source%s for %.0f s", n,
                 n == 1 ? "" : "s", now - newest);
    else if (st->reason == DISC_SYNC_PANIC)
        snprintf(p->reason, sizeof(p->reason),
                 "panic: offset %+.3f s exceeds the panic threshold %g s; clock not touched "
                 "(use -g or set it manually)",
                 st->refused_offset_s, p->cfg->panic_s);
    else
        snprintf(p->reason, sizeof(p->reason), "%s", disc_sync_reason_str(st->reason));
}

static double first_warning_delay(const struct parent *p)
{
    int i, minpoll = 17;

    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (p->slots[i].in_use)
            minpoll = fmin(minpoll, disc_poll_interval(p->disc, p->slots[i].disc_id));
    }
    if (minpoll == 17)
        minpoll = p->cfg->n_sources > 0 ? p->cfg->sources[0].minpoll : 6;
    return fmax(STARTUP_GRACE_S, ldexp(1.0, minpoll));
}

void parent_reset_warning(struct parent *p, double now)
{
    p->warning_interval = first_warning_delay(p);
    p->next_warning = now + p->warning_interval;
}

static void became_synchronised(struct parent *p, const struct disc_status *st, double now)
{
    const char *peer =
        st->sys_peer >= 0 && p->sys_peer_slot >= 0 ? p->slots[p->sys_peer_slot].addr : "?";

    log_notice("synchronised to %s at stratum %d, offset %+.6f s", peer, st->stratum, st->offset_s);
    log_event(NULL, parent_sys_status(p, LOG_EV_CLOCK_SYNC), LOG_EV_CLOCK_SYNC, NULL);
    notify_send("STATUS=synchronised to %s at stratum %d", peer, st->stratum);
    p->unsync_since = -1;
    p->reason[0] = '\0';
    (void)now;
}

/* "Never silent": when not synchronised, warn at once when every source stopped answering
 * (that already took one poll interval), else after one poll interval; repeat with backoff. */
static void update_sync_state(struct parent *p, const struct disc_status *st, double now)
{
    int i;
    bool synced;

    p->responsive = false;
    for (i = 0; i < MSG_MAX_SOURCES; i++)
        p->responsive |= p->slots[i].in_use && slot_responsive(p, &p->slots[i], now);
    if (p->responsive)
        p->silence_reported = false;
    synced = st->synchronized && p->responsive && !p->obs.disrupted;
    if (synced) {
        p->remeasuring = false;
        if (p->unsync_since >= 0)
            became_synchronised(p, st, now);
        return;
    }
    describe_unsync(p, st, now);
    if (p->unsync_since < 0) {
        p->unsync_since = now;
        p->warning_interval = first_warning_delay(p);
        p->next_warning = now + p->warning_interval;
    }
    /* Silence of every polled source already took a poll interval to detect: report it at
     * once (before the first source is even announced, the normal delay applies). */
    if (!p->responsive && !p->silence_reported && any_polled(p)) {
        p->silence_reported = true;
        p->next_warning = now;
    }
    /* Answering sources whose first samples are still being confirmed (and the start-up
     * majority awaited) are no failure: the normal start takes some seconds. */
    if (p->responsive && st->reason == DISC_SYNC_STARTING && now - p->start < STARTING_GRACE_S)
        p->next_warning = fmax(p->next_warning, now + 1);
    if (now >= p->next_warning) {
        log_warning("clock not synchronised for %.0f s: %s", now - p->unsync_since, p->reason);
        notify_send("STATUS=not synchronised: %s", p->reason);
        p->warning_interval = fmin(2 * p->warning_interval, MAX_WARNING_INTERVAL_S);
        p->next_warning = now + p->warning_interval;
    }
}

/* -q: once synchronised (after a step if one was needed), slew what is left and finish. */
static void finish_once(struct parent *p, const struct disc_status *st, double now)
{
    double timeout = p->opt.once_timeout_s > 0 ? p->opt.once_timeout_s : ONCE_DEFAULT_TIMEOUT_S;

    if (st->synchronized && p->responsive) {
        p->done = true;
        p->exit_code = 0;
        if (p->stepped) {
            log_notice("time set %+.6f s", st->last_step_s);
        } else if (clk_slew_once(p->clk, st->offset_s, NULL) == 0) {
            log_notice("time slew %+.6f s", st->offset_s);
        } else {
            log_err("cannot slew the clock by %+.6f s: %s", st->offset_s, clk_error(p->clk));
            p->exit_code = 1;
        }
    } else if (now - p->start > timeout) {
        log_err("no server suitable for synchronization found: %s", p->reason);
        p->done = true;
        p->exit_code = 1;
    }
}

void parent_update(struct parent *p, double now)
{
    struct disc_action act;
    struct disc_status *st = &p->status_buf;

    disc_update(p->disc, now, &act);
    disc_get_status(p->disc, now, st);
    parent_source_events(p, st);
    update_sync_state(p, st, now);
    apply_action(p, &act, now);
    parent_guard_update(p, st, st->synchronized && p->responsive && !p->obs.disrupted, now);
    p->last_update = now;
    if (p->opt.once && !p->done)
        finish_once(p, st, now);
    parent_observe_update(p, st, now); /* VMClock check, ClockBound bound */
    parent_publish(p, now);
}

/* The reply counters of tsyncctl sources -v for the discipline's verdicts. */
static void count_verdict(struct parent_slot *s, enum disc_sample_result r)
{
    switch (r) {
    case DISC_SAMPLE_INVALID:
        s->rejected[MSG_REJECT_INVALID]++;
        break;
    case DISC_SAMPLE_TOO_SOON:
        s->rejected[MSG_REJECT_TOO_SOON]++;
        break;
    case DISC_SAMPLE_POPCORN:
        s->rejected[MSG_REJECT_POPCORN]++;
        break;
    case DISC_SAMPLE_UNSYNC:
        s->rejected[MSG_REJECT_UNSYNC]++;
        break;
    case DISC_SAMPLE_PENDING:
        s->rejected[MSG_REJECT_PENDING]++;
        break;
    case DISC_SAMPLE_ACCEPTED:
    case DISC_SAMPLE_BAD_ID:
        break;
    }
}

void parent_sample_result(struct parent *p, uint32_t slot, enum disc_sample_result r, double now)
{
    p->slots[slot].last_reply = now; /* answered (refclocks: read), whatever the verdict */
    count_verdict(&p->slots[slot], r);
    if (r == DISC_SAMPLE_INVALID || r == DISC_SAMPLE_TOO_SOON || r == DISC_SAMPLE_BAD_ID) {
        log_debug("sample from %s not used: %s", p->slots[slot].addr, disc_sample_result_str(r));
        return;
    }
    if (r == DISC_SAMPLE_POPCORN)
        parent_peer_event(p, slot, LOG_EV_POPCORN, NULL);
    if (!p->first_sample_seen) {
        p->first_sample_seen = true;
        notify_send("READY=1\nSTATUS=first sample received from %s", p->slots[slot].addr);
    }
    parent_update(p, now);
    parent_stats_sample(p, slot, now);
}

double parent_tick(struct parent *p, double now)
{
    double next_refclock = parent_refclocks_poll(p, now);

    parent_guard_check(p, now);

    if (now - p->last_update >= 1.0)
        parent_update(p, now);
    parent_leap_tick(p, now);
    if (p->cfg->driftfile != NULL && drift_should_write(p->last_drift_write, now))
        parent_write_drift(p, now);
    log_flush_suppressed();
    return fmin(next_refclock, 1.0 - (now - p->last_update));
}
